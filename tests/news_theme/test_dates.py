"""The theme's ``strftime`` filter: Pelican's text, each date formatted once."""

from __future__ import annotations

import datetime as dt
import locale
from collections.abc import Iterator

import pytest
from pelican.utils import DateFormatter, SafeDatetime
from support.dates import DATES, FORMATS, PARIS, UTC, one_locale

from topicfeed.news_theme import dates


@pytest.fixture(autouse=True)
def _one_locale() -> Iterator[None]:
    with one_locale():
        yield


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
    original = dates._format

    def counting(date: dt.date, date_format: str, current: str) -> str:
        calls.append(date)
        return original(date, date_format, current)

    monkeypatch.setattr(dates, "_format", counting)
    monkeypatch.setattr(dates, "_FORMATTED", {})
    day = dt.datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
    texts = {dates.strftime(day, "%d %B %Y") for _ in range(50)}
    assert texts == {"04 May 2021"}
    assert len(calls) == 1


@pytest.mark.parametrize("date_format", FORMATS)
def test_every_format_and_kind_of_date_gives_pelicans_text(
    date_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dates, "_FORMATTED", {})
    pelican = DateFormatter()
    for date in DATES:
        assert dates.strftime(date, date_format) == pelican(date, date_format), (date, date_format)


def test_a_format_pelican_cannot_read_fails_as_it_does() -> None:
    with pytest.raises(TypeError) as pelican:
        DateFormatter()(dt.date(2020, 1, 1), "%d%\n")
    with pytest.raises(TypeError) as ours:
        dates.strftime(dt.date(2020, 1, 1), "%d%\n")
    assert str(ours.value) == str(pelican.value)


def test_plain_directives_are_one_strftime_call_without_switching_the_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The point of the filter: Pelican's formatter is not called for ordinary formats."""
    monkeypatch.setattr(dates, "_FORMATTED", {})

    def refuse(self: DateFormatter, date: dt.date, date_format: str) -> str:
        raise AssertionError("Pelican's formatter was called")

    monkeypatch.setattr(DateFormatter, "__call__", refuse)
    assert dates.strftime(dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "%A %-d %B %Y") == "Friday 1 March 2024"


def test_a_character_locale_of_its_own_is_left_to_pelicans_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pelican's formatter would switch ``LC_CTYPE`` for the call: it is asked, and says the same."""
    monkeypatch.setattr(dates, "_FORMATTED", {})
    locale.setlocale(locale.LC_CTYPE, "C")
    asked: list[str] = []
    original = DateFormatter.__call__

    def counting(self: DateFormatter, date: dt.date, date_format: str) -> str:
        asked.append(date_format)
        return original(self, date, date_format)

    monkeypatch.setattr(DateFormatter, "__call__", counting)
    date = dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert dates.strftime(date, "%A %-d %B %Y") == "Friday 1 March 2024"
    assert asked == ["%A %-d %B %Y"]


def test_the_memo_is_bounded_and_still_gives_the_same_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every item's time is a key of its own: an unbounded memo grew with the site."""
    monkeypatch.setattr(dates, "_FORMATTED", {})
    monkeypatch.setattr(dates, "_REMEMBERED", 8)
    pelican = DateFormatter()
    days = [dt.datetime(2021, 5, 1, 8, minute, tzinfo=UTC) for minute in range(30)]
    for _ in range(2):
        for day in days:
            assert dates.strftime(day, "%d %B %Y %H:%M") == pelican(day, "%d %B %Y %H:%M")
            assert len(dates._FORMATTED) <= 8
