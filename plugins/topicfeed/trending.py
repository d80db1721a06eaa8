"""Trending topics: the topics whose share of all items grew most in the recent window.

Share, not count: a busy week lifts every topic's count, while a topic whose *share* of the
news grew is one the news turned to. The recent window is counted back from the newest item
(``(newest - recent_days, newest]``), the baseline is the ``baseline_days`` before it; both are
fixed by the content, so a rebuild of the same content shows the same topics.

Shared code: the coverage plugin shows the trending topics, and the site model derives them
from its plain records the same way. The settings are declared here once and registered by the
coverage plugin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from topicfeed.settings import Setting, is_int

SETTINGS: tuple[Setting, ...] = (
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


@dataclass(frozen=True, slots=True)
class TopicShare:
    """One topic's items and shares in the two windows (``growth`` in share points, 0..1)."""

    key: str
    recent: int
    baseline: int
    recent_share: float
    baseline_share: float

    @property
    def growth(self) -> float:
        return self.recent_share - self.baseline_share

    @property
    def recent_percent(self) -> int:
        return round(100 * self.recent_share)

    @property
    def baseline_percent(self) -> int:
        return round(100 * self.baseline_share)


def recent_window(newest: dt.date, recent_days: int) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) of the recent window."""
    return newest - dt.timedelta(days=recent_days - 1), newest


def _in_window(day: dt.date, newest: dt.date, start_days: int, end_days: int) -> bool:
    """``day`` is in ``(newest - end_days, newest - start_days]``."""
    age = (newest - day).days
    return start_days <= age < end_days


def trending(
    topics: Mapping[str, Iterable[dt.date]],
    all_dates: Iterable[dt.date],
    newest: dt.date,
    recent_days: int,
    baseline_days: int,
    limit: int,
    min_items: int,
) -> list[TopicShare]:
    """The ``limit`` topics whose share grew most, most growth first (ties: by key).

    A topic needs ``min_items`` items in the recent window and a share that grew.
    """
    all_dates = list(all_dates)
    end = recent_days + baseline_days
    total_recent = sum(_in_window(d, newest, 0, recent_days) for d in all_dates)
    total_base = sum(_in_window(d, newest, recent_days, end) for d in all_dates)
    if not total_recent or limit <= 0:
        return []
    shares = []
    for key, dates in topics.items():
        dates = list(dates)
        recent = sum(_in_window(d, newest, 0, recent_days) for d in dates)
        base = sum(_in_window(d, newest, recent_days, end) for d in dates)
        share = TopicShare(key, recent, base, recent / total_recent, base / total_base if total_base else 0.0)
        if recent >= min_items and share.growth > 0:
            shares.append(share)
    shares.sort(key=lambda s: (-s.growth, s.key))
    return shares[:limit]
