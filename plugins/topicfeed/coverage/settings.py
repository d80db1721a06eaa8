"""The settings of the coverage plugin (charts and trending topics); docs/settings.md explains them."""

from __future__ import annotations

from topicfeed import trending
from topicfeed.settings import Setting, is_int

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "COVERAGE_WEEKLY_MAX_DAYS",
        371,
        "a coverage chart spanning up to this many days counts per week; longer spans count per month",
        is_int(0),
    ),
    *trending.SETTINGS,
)
