"""The settings build_progress reads (docs/settings.md describes it)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool

SETTINGS: tuple[Setting, ...] = (
    Setting("BUILD_PROGRESS", True, "progress bars on a terminal (never in CI)", check=is_bool),
)
