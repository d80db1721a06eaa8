"""``str.format`` for the URL settings (``ARTICLE_URL``, ``ARTICLE_SAVE_AS``), faster per article.

Every article's URL and file name are formatted from the same two templates, and the exporter's
templates are dates and a slug (``{date:%Y}/{date:%m}/{date:%d}/{slug}/``): six ``strftime``
calls an article, on dates that thousands of articles share. A template is parsed once, and a
naive date's part (the file names' dates) is formatted once per date. Anything else (an aware
time, an attribute or index in a field, a conversion, a nested format spec, a positional field)
is ``str.format`` itself, so the answer, and the error for a missing name, are always
``str.format``'s.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Mapping
from typing import Any

#: A parsed template: (literal text, field name or None, format spec) for each piece.
Plan = tuple[tuple[str, str | None, str], ...]


@functools.lru_cache(maxsize=256)
def _plan(template: str) -> Plan | None:
    """The template's pieces, or None when only ``str.format`` itself may format it."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (conversion or not name.isidentifier() or "{" in (spec or "")):
            return None
        pieces.append((literal, name, spec or ""))
    return tuple(pieces)


@functools.lru_cache(maxsize=1 << 16)  # distinct dates times the template's date specs
def _date_part(value: dt.date, spec: str) -> str:
    return format(value, spec)


@functools.lru_cache(maxsize=256)
def field_names(template: str) -> frozenset[str] | None:
    """The names the template formats (None: not a template the fast path covers)."""
    plan = _plan(template)
    if plan is None:
        return None
    return frozenset(name for _, name, _ in plan if name is not None)


def format_url(template: str, fields: Mapping[str, Any]) -> str:
    """``template.format(**fields)``."""
    plan = _plan(template)
    if plan is None:
        return template.format(**fields)
    out = []
    for literal, name, spec in plan:
        out.append(literal)
        if name is None:
            continue
        value = fields[name]
        kind = type(value)
        if kind is dt.date or (kind is dt.datetime and value.tzinfo is None):
            # The permalinks' dates, shared by many articles.
            out.append(_date_part(value, spec))
        elif kind is str and not spec:
            out.append(value)
        else:
            # An aware datetime (an item's own time) is rarely shared, and hashing one asks its
            # zone for the offset: nothing to keep, and str.format's own loop is faster.
            return template.format(**fields)
    return "".join(out)
