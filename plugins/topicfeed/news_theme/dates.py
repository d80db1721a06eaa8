"""The ``strftime`` Jinja filter: Pelican's text, made without Pelican's per-call overhead.

Pelican's own filter (``pelican.utils.DateFormatter``) switches the process locale four times
for every call, then parses the format with two regular expressions and formats each directive
with its own ``strftime`` call. Article pages show the dates of their related and "more
coverage" stories, and nearly every item has a time of its own, so remembering texts alone
saves little: at 100,000 items the filter still cost 12 s of CPU time in a cold build.

So each format is parsed once (:func:`topicfeed.dates.plan`, the way Pelican's ``strftime``
reads it, shared with the search documents), all of its directives are given to one ``strftime``
call, and the locale is not switched when switching would change nothing (the time and
character-type locales are already the one Pelican's formatter would set). Anything else goes to
Pelican's formatter, as before. Texts are still remembered (forked renderers start with what the
parent had): the same stories' dates recur on many pages, mostly pages rendered one after the
other (a story's page and its related stories' pages). At most ``_REMEMBERED`` of them, though:
every item's time is a key of its own, and a build that renders its pages itself
(``MEMORY_BUDGET_MB``) kept every text and key from its pages to its end: 10 MB at 10,000 items
(``tracemalloc``), so about 100 MB at 100,000. The memo starts again when full; a text made
twice is the same text.

Equal datetimes in different zones compare (and hash) equal, but print differently, so the key
holds the ISO text (with its offset) and the zone name, not the datetime.
"""

from __future__ import annotations

import datetime as dt
import locale
from typing import Any

from pelican.utils import DateFormatter

from topicfeed.dates import plan, planned

_FORMATTERS: dict[str, DateFormatter] = {}
_FORMATTED: dict[tuple[Any, ...], str] = {}
#: The most texts remembered at once (about 12 MB); more than a 10,000-item site shows.
_REMEMBERED = 1 << 15


def _format(date: dt.date, date_format: str, current: str) -> str:
    """The text of Pelican's ``DateFormatter`` (made in locale ``current``) for ``date``."""
    formatter = _FORMATTERS.get(current)
    if formatter is None:
        formatter = _FORMATTERS[current] = DateFormatter()
    how = plan(date_format)
    if how is None or formatter.locale != current or locale.setlocale(locale.LC_CTYPE) != current:
        return formatter(date, date_format)  # it would switch a locale, or fail: let it
    return planned(date, date_format, how)


def strftime(date: dt.date, date_format: str) -> str:
    current = locale.setlocale(locale.LC_TIME)  # a query: the locale Pelican's formatter would use
    zone = date.tzname() if isinstance(date, dt.datetime) else None
    key = (type(date), date.isoformat(), zone, date_format, current)
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= _REMEMBERED:
            _FORMATTED.clear()
        text = _FORMATTED[key] = _format(date, date_format, current)
    return text
