"""Counting published items per week or per month: the numbers behind every coverage chart.

Pure functions over dates, so the tests (and the charts) can check them without Pelican. A
series covers every week (or month) from its first date to the site's newest item, zeros
included: a gap in coverage is information, and a chart that skipped it would lie.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One week (starting Monday) or one calendar month, and how many items fall in it."""

    start: dt.date
    count: int
    #: "week of 4 March 2024" / "March 2024": what the table and the bar's tooltip say.
    label: str
    #: The axis label when this bucket carries one ("Mar", "2024"), else "".
    tick: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """Items per bucket over a span; ``unit`` is ``"week"`` or ``"month"``.

    Kept as parallel tuples, not a :class:`Bucket` per bucket: the starts, labels and ticks of a
    span are one tuple each, shared by every chart over that span, and only the counts are a
    chart's own. At 100,000 items the charts and sparklines of some 3,000 topics and sources made
    half a million buckets every build (about 4 s), though a rebuild shows a handful of them.
    ``buckets`` makes them for the page that shows the table.
    """

    unit: str
    starts: tuple[dt.date, ...]
    labels: tuple[str, ...]
    ticks: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def buckets(self) -> tuple[Bucket, ...]:
        return tuple(map(Bucket, self.starts, self.counts, self.labels, self.ticks))

    def bucket(self, index: int) -> Bucket:
        return Bucket(self.starts[index], self.counts[index], self.labels[index], self.ticks[index])

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)

    @property
    def peak_bucket(self) -> Bucket | None:
        """The first bucket with the most items (the earliest among equals)."""
        peak = self.peak
        return self.bucket(self.counts.index(peak)) if peak else None

    @property
    def first(self) -> Bucket | None:
        return self.bucket(0) if self.starts else None

    @property
    def last(self) -> Bucket | None:
        return self.bucket(-1) if self.starts else None


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (ISO weeks)."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)


def unit_for(first: dt.date, last: dt.date, weekly_max_days: int) -> str:
    """Weeks for a span up to ``weekly_max_days`` long, months beyond (too many thin bars)."""
    return WEEK if (last - first).days <= weekly_max_days else MONTH


def bucket_starts(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    """Every bucket start from the bucket of ``first`` to the bucket of ``last``, in order."""
    return list(_bucket_starts(first, last, unit))


@functools.lru_cache(maxsize=4096)
def _bucket_starts(first: dt.date, last: dt.date, unit: str) -> tuple[dt.date, ...]:
    """:func:`bucket_starts`, once per span: every source and topic chart of a site ends on the
    newest item, and most start on one of a few hundred weeks or months."""
    if unit == WEEK:
        start, end = week_start(first), week_start(last)
        return tuple(start + dt.timedelta(weeks=n) for n in range((end - start).days // 7 + 1))
    start, end = month_start(first), month_start(last)
    starts = []
    while start <= end:
        starts.append(start)
        start = _next_month(start)
    return tuple(starts)


@functools.lru_cache(maxsize=1 << 14)
def _label(start: dt.date, unit: str) -> str:
    """A bucket's label, once per bucket: at 100,000 items the charts of some 3,000 topics and
    sources over 13 years asked for half a million labels (``strftime`` each), 3 s a build."""
    if unit == WEEK:
        return f"week of {start.day} {start:%B %Y}"
    return f"{start:%B %Y}"


@functools.lru_cache(maxsize=4096)
def _labels(starts: tuple[dt.date, ...], unit: str) -> tuple[str, ...]:
    """Every bucket's label of a span, once per span (the charts share a few hundred spans)."""
    return tuple([_label(start, unit) for start in starts])


@functools.lru_cache(maxsize=4096)
def _ticks(starts: tuple[dt.date, ...], unit: str, most: int) -> tuple[str, ...]:
    """Axis labels: month names (weekly charts) or years (monthly charts), at most ``most``.

    A label goes on the first bucket of each month (year); when there would be more than
    ``most`` of them, every n-th is kept so they never overlap.
    """
    if unit == WEEK:
        marks = [i for i, s in enumerate(starts) if i == 0 or s.month != starts[i - 1].month]
        text = [f"{s:%b}" if s.month != 1 and i else f"{s:%b %Y}" for i, s in enumerate(starts)]
    else:
        marks = [i for i, s in enumerate(starts) if i == 0 or s.year != starts[i - 1].year]
        text = [f"{s:%Y}" for s in starts]
    if len(marks) > 1 and marks[1] - marks[0] < 3:
        marks = marks[1:]  # a partial first month (year) would crowd the next label
    step = max(1, -(-len(marks) // most))
    kept = set(marks[::step])
    return tuple(text[i] if i in kept else "" for i in range(len(starts)))


def count_series(
    dates: Iterable[dt.date], last: dt.date, unit: str, first: dt.date | None = None, ticks: int = 8
) -> Series:
    """Items per ``unit`` from ``first`` (default: the earliest date) to ``last``, zeros included.

    Dates after ``last`` or before ``first`` are not counted.
    """
    dates = list(dates)
    if first is None:
        first = min(dates, default=last)
    key = week_start if unit == WEEK else month_start
    counted: Counter[dt.date] = Counter()
    for day, count in Counter(dates).items():  # a bucket per distinct day, not per item
        if first <= day <= last:
            counted[key(day)] += count
    starts = _bucket_starts(first, last, unit)
    get = counted.get
    counts = tuple([get(start, 0) for start in starts])
    return _series(unit, starts, counts, ticks)


def series_of(unit: str, first: dt.date, last: dt.date, counts: tuple[int, ...], ticks: int = 8) -> Series:
    """The series whose buckets start at ``first`` and end with the one starting at ``last``
    (both bucket starts) with these ``counts``: all of a :class:`Series` follows from them, so
    the site model records a chart by them (``coverage.derive_coverage``)."""
    starts = _bucket_starts(first, last, unit)
    if len(starts) != len(counts):
        raise ValueError(f"{len(counts)} counts for {len(starts)} buckets from {first} to {last}")
    return _series(unit, starts, counts, ticks)


def _series(unit: str, starts: tuple[dt.date, ...], counts: tuple[int, ...], ticks: int) -> Series:
    return Series(unit, starts, _labels(starts, unit), _ticks(starts, unit, ticks), counts)


def window_counts(dates: Iterable[dt.date], newest: dt.date, days: int, windows: int) -> tuple[int, ...]:
    """Items in ``windows`` back-to-back windows of ``days`` days ending on ``newest``, oldest first.

    Counted back from the newest item (not from today), so the same content always gives the
    same numbers. The last window is ``(newest - days, newest]``.
    """
    counts = [0] * windows
    for day in dates:
        age = (newest - day).days
        if age < 0:
            continue
        index = age // days
        if index < windows:
            counts[windows - 1 - index] += 1
    return tuple(counts)
