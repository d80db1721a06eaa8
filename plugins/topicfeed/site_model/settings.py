"""The settings site_model reads (docs/settings.md describes each)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REBUILD_FROM_MODEL",
        True,
        "a build after a change to news files only writes the files the change reaches, from the "
        "model of the last build (docs/rebuild-plan.md); False: every build that changes anything "
        "runs Pelican's whole pipeline (with its own reuse of unchanged pages)",
        check=is_bool,
        output=False,
    ),
)
