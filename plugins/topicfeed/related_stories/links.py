"""The plain data the plugin hangs on articles for the templates: links, never markup.

Both are immutable named tuples rather than frozen dataclasses: a large feed creates several
hundred thousand links, and a tuple is built several times faster.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from topicfeed.model import Image, NewsItem


class StoryLink(NamedTuple):
    """One story shown in a list on a page.

    ``internal`` links point at our own page for the story (``url`` is site-relative, the
    template puts ``SITEURL`` in front); the others point at the story's own URL, leave the
    site and are marked so. ``computed`` marks a story found by the score rather than listed
    by the exporter.
    """

    title: str
    url: str
    internal: bool
    provider: str
    domain: str
    date: dt.datetime
    image: Image | None
    key: str
    computed: bool = False

    def __fingerprint__(self) -> str | None:
        """What the incremental writer digests for this link: every field, as ``repr`` writes it.

        Each field's ``repr`` is exact (a string quoted and escaped, the date with its zone, the
        image as its data class shows every field), and cheaper than digesting each part of a
        link on its own (a page key digests every link of every article). None (digest it part
        by part) when a field has no stable ``repr``.
        """
        text = repr(self)
        return None if " at 0x" in text else text


def story_link(item: NewsItem, url: str | None, timezone: dt.tzinfo) -> StoryLink:
    """A link to ``item``: to our page at ``url`` when given, else to the story's own URL."""
    return StoryLink(
        item.title,
        url if url is not None else item.url,
        url is not None,
        item.provider.name,
        item.provider.domain,
        item.published_at.astimezone(timezone),
        item.images[0] if item.images else None,
        item.url_keys[0],
    )


class Relations(NamedTuple):
    """Everything an article page shows about the stories around it.

    ``related``: the exporter's list resolved (ours first, then computed ones, then outside
    stories); ``backlinks``: our items that list this one and are not already in ``related``;
    ``more_coverage``: the rest of the story cluster, at most ``RELATED_CLUSTER_MAX``, of
    ``more_coverage_total`` not shown elsewhere on the page; ``cluster_size``: stories in the
    cluster, this one included (1 when it stands alone).
    """

    related: tuple[StoryLink, ...] = ()
    backlinks: tuple[StoryLink, ...] = ()
    more_coverage: tuple[StoryLink, ...] = ()
    more_coverage_total: int = 0
    cluster: int = -1
    cluster_size: int = 1
