"""The settings unchanged_build reads (docs/settings.md describes it)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SKIP_UNCHANGED_BUILD",
        True,
        "a build whose content, settings, theme and code are those of the last finished build, "
        "into an output nobody changed since, does nothing",
        check=is_bool,
        output=False,
    ),
)
