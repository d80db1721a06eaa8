"""The settings github_pages reads (docs/settings.md describes each)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool, is_str

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "GITHUB_PAGES_NOJEKYLL",
        False,
        "write .nojekyll into the output (publishconf.py: True)",
        check=is_bool,
    ),
    Setting(
        "GITHUB_PAGES_CNAME",
        "",
        "the custom domain of a branch-deployed site (news.example.org): writes CNAME",
        check=is_str,
    ),
)
