"""``topicfeed.dates.strftime``: the text of Pelican's ``strftime``, without its per-call parsing."""

from __future__ import annotations

import datetime as dt
import locale
from collections.abc import Iterator

import pytest
from pelican import utils as pelican_utils
from pelican.utils import SafeDatetime

from topicfeed import dates

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1), "CET")

FORMATS = [
    "%-d %B %Y",  # the default DEFAULT_DATE_FORMAT of the project
    "%d %B %Y",
    "%A %d %B %Y, %H:%M UTC",
    "%-H:%M, %-m/%-d/%y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S.%f%z %Z",
    "%c | %x | %X | %j %U %W %u %w %G-W%V %p %I",
    "100%% on %e %d, %s, %P, %-e",  # %e, %s, %P are not C89: Pelican keeps them as they are
    "plain text",
    "",
    "%-",
]
DATES = [
    dt.datetime(2024, 3, 1, 9, 5, 7, 1234, tzinfo=UTC),
    dt.datetime(2019, 12, 31, 23, 59, tzinfo=PARIS),
    dt.datetime(2020, 1, 2, 0, 0),
    SafeDatetime(2021, 7, 4, 12, 0, tzinfo=UTC),
    SafeDatetime(2022, 10, 10, 1, 2, 3),
    dt.date(2020, 2, 29),
    dt.datetime(5, 1, 1, 0, 0, tzinfo=UTC),
]


@pytest.fixture(autouse=True)
def one_locale() -> Iterator[None]:
    saved = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, "C.UTF-8")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_ALL, saved)


@pytest.mark.parametrize("date_format", FORMATS)
def test_every_format_and_kind_of_date_gives_pelicans_text(date_format: str) -> None:
    for date in DATES:
        assert dates.strftime(date, date_format) == pelican_utils.strftime(date, date_format), (
            date,
            date_format,
        )


def test_a_format_pelican_cannot_read_fails_as_it_does() -> None:
    with pytest.raises(TypeError) as pelican:
        pelican_utils.strftime(dt.date(2020, 1, 1), "%d%\n")
    with pytest.raises(TypeError) as ours:
        dates.strftime(dt.date(2020, 1, 1), "%d%\n")
    assert str(ours.value) == str(pelican.value)


def test_a_readable_format_does_not_go_through_pelicans_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the module: Pelican's per-call parsing is skipped for formats it can read."""

    def refuse(date: dt.date, date_format: str) -> str:
        raise AssertionError("Pelican's strftime was called")

    monkeypatch.setattr(pelican_utils, "strftime", refuse)
    assert dates.strftime(dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "%A %-d %B %Y") == "Friday 1 March 2024"


def test_a_text_holding_the_separator_is_made_directive_by_directive(monkeypatch: pytest.MonkeyPatch) -> None:
    """The directives share one ``strftime`` call, split at a separator; were a directive's text
    to hold it, the split would be wrong, so the directives are then formatted one by one."""
    monkeypatch.setattr(dates, "_SEPARATOR", "a")  # in "March", "Saturday", "Jan"...
    for date in DATES:
        for date_format in ("%-d %B %Y", "%a %-d %b", "%A, %-H:%M %p"):
            assert dates.strftime(date, date_format) == pelican_utils.strftime(date, date_format), date
