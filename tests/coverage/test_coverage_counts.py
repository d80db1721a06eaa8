"""Counting per week and per month, windows counted back from the newest item, trending shares."""

from __future__ import annotations

import datetime as dt

import pytest

from topicfeed.coverage.counts import (
    MONTH,
    WEEK,
    bucket_starts,
    count_series,
    series_of,
    unit_for,
    window_counts,
)
from topicfeed.trending import trending

D = dt.date


def test_weeks_start_on_monday_and_gaps_are_zero() -> None:
    dates = [D(2024, 3, 4), D(2024, 3, 10), D(2024, 3, 11), D(2024, 3, 27)]  # Mon, Sun, Mon, Wed
    series = count_series(dates, D(2024, 3, 27), WEEK)
    assert [(b.start, b.count) for b in series.buckets] == [
        (D(2024, 3, 4), 2),
        (D(2024, 3, 11), 1),
        (D(2024, 3, 18), 0),
        (D(2024, 3, 25), 1),
    ]
    assert series.total == 4 and series.peak == 2
    assert series.buckets[0].label == "week of 4 March 2024"


def test_months_run_to_the_newest_item_across_a_year_end() -> None:
    series = count_series([D(2023, 11, 30), D(2024, 1, 1), D(2024, 1, 31)], D(2024, 2, 10), MONTH)
    assert [(b.start, b.count) for b in series.buckets] == [
        (D(2023, 11, 1), 1),
        (D(2023, 12, 1), 0),
        (D(2024, 1, 1), 2),
        (D(2024, 2, 1), 0),
    ]
    assert [b.tick for b in series.buckets] == ["", "", "2024", ""]  # Nov 2023 would crowd 2024
    assert series.peak_bucket.label == "January 2024"


def test_dates_outside_the_span_are_not_counted() -> None:
    series = count_series([D(2024, 1, 5), D(2024, 3, 1)], D(2024, 2, 1), MONTH, first=D(2024, 1, 10))
    assert [b.count for b in series.buckets] == [0, 0]


def test_a_series_follows_from_its_unit_first_and_last_buckets_and_counts() -> None:
    """What the site model records of a chart (``coverage.derive_coverage``) gives it back whole."""
    dates = [D(2023, 11, 30), D(2024, 1, 1), D(2024, 1, 31), D(2024, 3, 12)]
    for unit in (WEEK, MONTH):
        for first in (None, D(2023, 12, 24)):
            series = count_series(dates, D(2024, 3, 20), unit, first)
            again = series_of(unit, series.starts[0], series.starts[-1], series.counts)
            assert again == series and again.buckets == series.buckets, (unit, first)
    with pytest.raises(ValueError, match="3 counts for 4 buckets"):
        series_of(MONTH, D(2024, 1, 1), D(2024, 4, 1), (1, 2, 3))


def test_unit_switches_to_months_for_long_spans() -> None:
    assert unit_for(D(2024, 1, 1), D(2024, 12, 31), 371) == WEEK
    assert unit_for(D(2023, 1, 1), D(2024, 12, 31), 371) == MONTH
    assert len(bucket_starts(D(2019, 8, 19), D(2024, 4, 11), MONTH)) == 57


def test_ticks_are_thinned_to_the_limit() -> None:
    series = count_series([D(2010, 1, 1)], D(2024, 12, 1), MONTH, ticks=5)
    ticks = [b.tick for b in series.buckets if b.tick]
    assert 1 < len(ticks) <= 5 and ticks[0] == "2010"


def test_windows_count_back_from_the_newest_day() -> None:
    newest = D(2024, 4, 11)
    dates = [newest, D(2024, 4, 5), D(2024, 4, 4), D(2024, 3, 1), D(2024, 4, 12)]
    # (Apr 5..11] = 2 items; (Mar 29..Apr 4] = 1; Mar 1 is in the 6th window back; Apr 12 is later.
    assert window_counts(dates, newest, 7, 6) == (1, 0, 0, 0, 1, 2)


def test_trending_ranks_by_growth_of_share() -> None:
    newest = D(2024, 4, 30)
    recent = [newest - dt.timedelta(days=n) for n in range(6)]  # 6 recent items
    older = [newest - dt.timedelta(days=10 + n) for n in range(20)]  # 20 baseline items
    topics = {
        "rising": recent[:4] + older[:2],  # 4/6 recent vs 2/20 before
        "steady": recent[:1] + older[:4],  # 1/6 vs 4/20: falls
        "new": recent[4:6],  # 2/6 vs 0
        "lonely": recent[5:6],  # 1 recent item: below the minimum
    }
    shown = trending(topics, recent + older, newest, 7, 56, 5, 2)
    assert [s.key for s in shown] == ["rising", "new"]
    assert shown[0].recent == 4 and shown[0].baseline == 2
    assert abs(shown[0].growth - (4 / 6 - 2 / 20)) < 1e-9
    assert [s.key for s in trending(topics, recent + older, newest, 7, 56, 1, 2)] == ["rising"]
    assert trending(topics, recent + older, newest, 7, 56, 0, 2) == []


def test_trending_is_empty_without_recent_items() -> None:
    newest = D(2024, 4, 30)
    assert trending({"a": [D(2020, 1, 1)]}, [D(2020, 1, 1)], newest, 7, 56, 5, 1) == []


def test_first_label_kept_when_the_next_is_far() -> None:
    series = count_series([D(2023, 3, 1)], D(2024, 2, 1), MONTH)
    assert [b.tick for b in series.buckets if b.tick] == ["2023", "2024"]


def test_charts_over_one_span_share_its_starts_labels_and_ticks() -> None:
    """Only the counts are a chart's own: thousands of charts share a few hundred spans."""
    last = dt.date(2024, 6, 30)
    one = count_series([dt.date(2024, 1, 3)], last, MONTH, dt.date(2023, 1, 1))
    other = count_series([dt.date(2023, 5, 9), dt.date(2023, 5, 10)], last, MONTH, dt.date(2023, 1, 1))
    assert one.starts is other.starts and one.labels is other.labels and one.ticks is other.ticks
    assert one.counts != other.counts and other.total == 2 and other.peak_bucket.label == "May 2023"
    assert [b.count for b in other.buckets] == list(other.counts) and len(other.counts) == 18
