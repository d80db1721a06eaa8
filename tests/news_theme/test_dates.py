"""The theme's ``strftime`` filter: Pelican's text, each date formatted once."""

from __future__ import annotations

import datetime as dt

import pytest
from pelican.utils import DateFormatter, SafeDatetime

from topicfeed.news_theme import dates

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1), "CET")

CASES = [
    (dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "%d %B %Y"),
    (dt.datetime(2024, 3, 1, 11, 0, tzinfo=PARIS), "%A %d %B %Y, %H:%M %Z"),
    (SafeDatetime(2019, 12, 31, 23, 59), "%-d %b %Y"),
    (dt.date(2020, 2, 29), "%d/%m/%Y"),
]


@pytest.mark.parametrize(("date", "date_format"), CASES)
def test_the_same_text_as_pelicans_filter(date: dt.date, date_format: str) -> None:
    assert dates.strftime(date, date_format) == DateFormatter()(date, date_format)


def test_equal_instants_in_two_zones_print_their_own_time() -> None:
    """10:00 UTC and 11:00 CET are equal datetimes (and hash alike); each keeps its own text."""
    utc, paris = CASES[0][0], CASES[1][0]
    assert utc == paris
    assert dates.strftime(utc, "%H:%M %Z") == "10:00 UTC"
    assert dates.strftime(paris, "%H:%M %Z") == "11:00 CET"


def test_each_date_is_formatted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = DateFormatter.__call__

    def counting(self: DateFormatter, date: dt.date, date_format: str) -> str:
        calls.append(date)
        return original(self, date, date_format)

    monkeypatch.setattr(DateFormatter, "__call__", counting)
    monkeypatch.setattr(dates, "_FORMATTED", {})
    day = dt.datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
    texts = {dates.strftime(day, "%d %B %Y") for _ in range(50)}
    assert texts == {"04 May 2021"}
    assert len(calls) == 1
