"""The story index: which of our items carries a story, whatever URL spelling names it.

A story is known by the keys of its URLs (``NewsItem.url_keys``: the story URL, the original,
the AMP and CDN AMP URLs, each normalised by :func:`topicfeed.urls.story_key`). Two files may
carry the same story; the one deterministic order below decides which of them answers for it.
Both work on item positions over plain :class:`NewsItem` objects, without Pelican.
"""

from __future__ import annotations

from collections.abc import Sequence

from topicfeed.model import NewsItem


def date_order(items: Sequence[NewsItem]) -> list[int]:
    """Positions sorted oldest first by (date, story key, file): the one deterministic order."""
    return sorted(
        range(len(items)), key=lambda i: (items[i].published_at, items[i].key, items[i].source_path)
    )


def story_index(items: Sequence[NewsItem], order: Sequence[int]) -> dict[str, int]:
    """Map every URL key of every item to the item carrying it; the earliest item wins a key.

    ``order`` is :func:`date_order` of the items: two files carrying the same story (the news
    reader warns about them) are found under the earliest one.
    """
    index: dict[str, int] = {}
    for i in order:
        for key in items[i].url_keys:
            index.setdefault(key, i)
    return index
