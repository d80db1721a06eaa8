"""``topicfeed.dates.strftime``: the text of Pelican's ``strftime``, without its per-call parsing."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

import pytest
from pelican import utils as pelican_utils
from support.dates import DATES, FORMATS, UTC, one_locale

from topicfeed import dates


@pytest.fixture(autouse=True)
def _one_locale() -> Iterator[None]:
    with one_locale():
        yield


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
    # plans hold their formats' directives joined by the separator: new plans, for this one
    monkeypatch.setattr(dates, "plan", functools.cache(dates.plan.__wrapped__))
    for date in DATES:
        for date_format in ("%-d %B %Y", "%a %-d %b", "%A, %-H:%M %p"):
            assert dates.strftime(date, date_format) == pelican_utils.strftime(date, date_format), date
