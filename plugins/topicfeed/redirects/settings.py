"""The redirects' settings (docs/api.md describes them)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool, is_str

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REDIRECTS", True, "Write a redirect page where an earlier build published a moved item.", is_bool
    ),
    Setting(
        "REDIRECTS_STATE_PATH",
        "",
        "The file that remembers published URLs across builds; empty: <output>.urls.json beside it.",
        is_str,
    ),
)
