"""Dates and formats that tell Pelican's date texts apart, for the tests of every formatter that
must give Pelican's text (``topicfeed.dates``, the theme's ``strftime`` filter)."""

from __future__ import annotations

import contextlib
import datetime as dt
import locale
from collections.abc import Iterator

from pelican.utils import SafeDatetime

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1), "CET")

FORMATS = [
    "%-d %B %Y",  # the project's DEFAULT_DATE_FORMAT
    "%d %B %Y",
    "%A %d %B %Y, %H:%M UTC",
    "%-H:%M, %-m/%-d/%y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S.%f%z %Z",
    "%c | %x | %X | %j %U %W %u %w %G-W%V %p %I",
    "100%% on %e %d, %s, %P, %-e",  # %e, %s, %P are not C89: Pelican keeps them as they are
    "plain text",
    "",
    "%-",  # a lone "%-" is not a candidate either
]
DATES = [
    dt.datetime(2024, 3, 1, 9, 5, 7, 1234, tzinfo=UTC),
    dt.datetime(2019, 12, 31, 23, 59, tzinfo=PARIS),
    dt.datetime(2020, 1, 2, 0, 0),  # naive
    SafeDatetime(2021, 7, 4, 12, 0, tzinfo=UTC),
    SafeDatetime(2022, 10, 10, 1, 2, 3),
    dt.date(2020, 2, 29),
    dt.datetime(5, 1, 1, 0, 0, tzinfo=UTC),  # a year below 1000
]


@contextlib.contextmanager
def one_locale() -> Iterator[None]:
    """Every category in one locale, as a build leaves them (Pelican sets ``LC_ALL``)."""
    saved = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, "C.UTF-8")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_ALL, saved)
