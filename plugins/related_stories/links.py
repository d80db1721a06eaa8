"""The plain data the plugin hangs on articles for the templates: links, never markup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from news_reader.model import Image, NewsItem


@dataclass(frozen=True, slots=True)
class StoryLink:
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


def story_link(item: NewsItem, url: str | None, timezone: dt.tzinfo, computed: bool = False) -> StoryLink:
    """A link to ``item``: to our page at ``url`` when given, else to the story's own URL."""
    return StoryLink(
        title=item.title,
        url=url if url is not None else item.url,
        internal=url is not None,
        provider=item.provider.name,
        domain=item.provider.domain,
        date=item.published_at.astimezone(timezone),
        image=item.image,
        key=item.key,
        computed=computed,
    )


@dataclass(frozen=True, slots=True)
class Relations:
    """Everything an article page shows about the stories around it.

    ``related``: the exporter's list resolved (ours first, then computed ones, then outside
    stories); ``backlinks``: our items that list this one and are not already in ``related``;
    ``more_coverage``: the rest of the story cluster, capped at ``RELATED_CLUSTER_MAX``, of
    ``cluster_size`` stories in all (this one included; 1 when it stands alone).
    """

    related: tuple[StoryLink, ...] = ()
    backlinks: tuple[StoryLink, ...] = ()
    more_coverage: tuple[StoryLink, ...] = ()
    more_coverage_total: int = 0
    cluster: int = -1
    cluster_size: int = 1
