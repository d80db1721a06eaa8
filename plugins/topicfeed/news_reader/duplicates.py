"""Two published files carrying one story: both get pages, but the editor should know.

One rule for a build (the reader's ``warn_duplicate_stories``, over the articles) and for a
rebuild from the site model (the ``news-items`` derivation, over the items it places), so both
say the same warnings, in the same order, and the build report lists the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from topicfeed.model import NewsItem, Problem


def duplicate_stories(items: Iterable[NewsItem]) -> list[Problem]:
    """A warning for each published item whose story an earlier one carries (by date, then
    file), naming that one, in that order.

    Only the items of a story carried twice are sorted: sorting every item by its date (aware
    datetimes of many zones) took 45 ms at 10,000 items on a slow host, in every build and
    every rebuild from the model, for stories that are nearly all carried once."""
    by_story: dict[str, list[NewsItem]] = {}
    for item in items:
        by_story.setdefault(item.key, []).append(item)
    repeated: list[tuple[NewsItem, str]] = []  # (the later item, the file that carries it first)
    for carrying in by_story.values():
        if len(carrying) > 1:
            first, *later = sorted(carrying, key=_when)
            repeated.extend((item, first.source_path) for item in later)
    repeated.sort(key=lambda pair: _when(pair[0]))
    return [
        Problem(item.source_path, "webUrl", f"same story as {first} ({item.url}); both are published")
        for item, first in repeated
    ]


def _when(item: NewsItem) -> tuple[object, str]:
    return item.published_at, item.source_path
