"""The ``strftime`` Jinja filter: Pelican's text, made without Pelican's per-call overhead.

Pelican's own filter (``pelican.utils.DateFormatter``) switches the process locale four times
for every call, then parses the format with two regular expressions and formats each directive
with its own ``strftime`` call. Article pages show the dates of their related and "more
coverage" stories, and nearly every item has a time of its own, so remembering texts alone
saves little: at 100,000 items the filter still cost 12 s of CPU time in a cold build.

So each format is parsed once (:func:`_plan`, the way Pelican's ``strftime`` reads it), a format
of plain C89 directives is given to one ``strftime`` call, and the locale is not switched when
switching would change nothing (the time and character-type locales are already the one
Pelican's formatter would set). Anything else goes to Pelican's formatter, as before. Texts are
still remembered (forked renderers start with what the parent had): the same stories' dates
recur on many pages, mostly pages rendered one after the other (a story's page and its related
stories' pages). At most ``_REMEMBERED`` of them, though: every item's time is a key of its
own, and a build that renders its pages itself (``MEMORY_BUDGET_MB``) kept every text and key
from its pages to its end: 10 MB at 10,000 items (``tracemalloc``), so about 100 MB at
100,000. The memo starts again when full; a text made twice is the same text.

Equal datetimes in different zones compare (and hash) equal, but print differently, so the key
holds the ISO text (with its offset) and the zone name, not the datetime.
"""

from __future__ import annotations

import datetime as dt
import functools
import locale
import re
from collections.abc import Callable
from typing import Any

from pelican.utils import DateFormatter, SafeDatetime

_FORMATTERS: dict[str, DateFormatter] = {}
_FORMATTED: dict[tuple[Any, ...], str] = {}
#: The most texts remembered at once (about 12 MB); more than a 10,000-item site shows.
_REMEMBERED = 1 << 15

#: How Pelican's ``strftime`` finds the parts of a format it formats (``pelican/utils.py``).
_CANDIDATE = re.compile("%[-]?.")
#: The directives it formats; any other candidate stays in the text as it is.
_C89_DIRECTIVES = "aAbBcdfGHIjmMpSUuVwWxXyYzZ%"

#: A format as Pelican reads it: whether one ``strftime`` call of the whole format gives the same
#: text, the text with a ``%s`` per candidate, and each candidate (directive, strip leading zeros)
#: or, when it is not a directive, the candidate itself.
Plan = tuple[bool, str, tuple[tuple[str, bool] | str, ...]]


@functools.cache
def _plan(date_format: str) -> Plan | None:
    """How to format ``date_format``; None when only Pelican's own code can say (it would fail)."""
    candidates = _CANDIDATE.findall(date_format)
    template = _CANDIDATE.sub("%s", date_format)
    if template.count("%") != len(candidates):  # a "%" it does not read (before a line break)
        return None
    parts: list[tuple[str, bool] | str] = []
    for candidate in candidates:
        if candidate[-1] in _C89_DIRECTIVES:
            parts.append((f"%{candidate[-1]}", len(candidate) == 3))
        else:
            parts.append(candidate)
    whole = all(isinstance(part, tuple) and not part[1] for part in parts)
    return whole, template, tuple(parts)


def _strip_zeros(text: str) -> str:
    return text.lstrip("0") or "0"


def _format(date: dt.date, date_format: str, current: str) -> str:
    """The text of Pelican's ``DateFormatter`` (made in locale ``current``) for ``date``."""
    formatter = _FORMATTERS.get(current)
    if formatter is None:
        formatter = _FORMATTERS[current] = DateFormatter()
    plan = _plan(date_format)
    if plan is None or formatter.locale != current or locale.setlocale(locale.LC_CTYPE) != current:
        return formatter(date, date_format)  # it would switch a locale, or fail: let it
    whole, template, parts = plan
    # what Pelican's strftime calls: a SafeDatetime's "unsafe" strftime is datetime's own
    call: Callable[[str], str] = (
        functools.partial(dt.datetime.strftime, date) if isinstance(date, SafeDatetime) else date.strftime
    )
    if whole:
        return call(date_format)
    texts = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        else:
            directive, strip = part
            text = call(directive)
            texts.append(_strip_zeros(text) if strip else text)
    return template % tuple(texts)


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
