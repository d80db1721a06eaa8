"""The settings of the coverage plugin (charts and trending topics); docs/settings.md explains them."""

from __future__ import annotations

from topicfeed.settings import Setting, is_int

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "COVERAGE_WEEKLY_MAX_DAYS",
        371,
        "a coverage chart spanning up to this many days counts per week; longer spans count per month",
        is_int(0),
    ),
    Setting(
        "TRENDING_RECENT_DAYS",
        7,
        "trending topics: the recent window, in days counted back from the newest item",
        is_int(1),
    ),
    Setting(
        "TRENDING_BASELINE_DAYS",
        56,
        "trending topics: the window before the recent one that it is compared with, in days",
        is_int(1),
    ),
    Setting("TRENDING_TOPICS", 5, "trending topics shown on the home page; 0 shows none", is_int(0)),
    Setting(
        "TRENDING_MIN_ITEMS",
        2,
        "a topic trends only with at least this many items in the recent window",
        is_int(1),
    ),
)
