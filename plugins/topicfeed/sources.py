"""Sources (providers): the published news articles grouped by the domain they come from.

One grouping for the whole site: the source pages show it and the source feeds carry it, so a
source's page and its feeds always hold the same stories. The slug comes from the provider's
domain (``ft.com`` becomes ``ft-com``); the URL settings below say where a source's page is,
and every plugin that links to or writes those pages registers them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from topicfeed.items import news_articles
from topicfeed.model import Image
from topicfeed.settings import Setting, is_str
from topicfeed.text import source_slug

SETTINGS: tuple[Setting, ...] = (
    Setting("SOURCE_URL", "sources/{slug}/", "URL of a source's page ({slug} from its domain).", is_str),
    Setting(
        "SOURCE_SAVE_AS",
        "sources/{slug}/index.html",
        "File of a source's page; empty: no source pages.",
        is_str,
    ),
    Setting("SOURCES_URL", "sources/", "URL of the list of every source.", is_str),
    Setting("SOURCES_SAVE_AS", "sources/index.html", "File of the list of sources; empty: none.", is_str),
)


@dataclass(frozen=True, slots=True)
class Source:
    """One source (provider) and its published articles, newest first."""

    slug: str
    name: str
    domain: str
    logo: Image | None
    url: str
    save_as: str
    articles: tuple[Any, ...]

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def page_name(self) -> str:
        return os.path.splitext(self.save_as)[0]

    def __fingerprint__(self) -> tuple[Any, ...]:
        """What a page other than the source's own can show of it (for the incremental writer's page keys).

        An article page shows its source's name and link; it must not be re-rendered because
        another story of the same source was added or changed. The source pages list their
        stories from ``articles_page``, keyed on its own, and show ``source.count``, which the
        incremental writer records as a read of its own (``source.count``); the pages that list
        sources with their counts read a :class:`SourceList`.
        """
        return (self.slug, self.name, self.domain, self.logo, self.url, self.save_as)


class SourceList(list):
    """The site's sources (``context["sources"]``): a list that shows each source's count too."""

    def __fingerprint__(self) -> tuple[Any, ...]:
        return tuple((source, source.count) for source in self)


def _most_used(counter: Counter[Any]) -> Any:
    """The most frequent value; among equals, the smallest (deterministic)."""
    return min(counter, key=lambda value: (-counter[value], value))


def group_sources(articles: Iterable[Any], settings: Mapping[str, Any]) -> list[Source]:
    """Group the news articles among ``articles`` (newest first, as Pelican orders them) by source.

    Articles that are not news items are left out. Shown of a source: the name its items use
    most often and its most used domain (ties: alphabetical), and its newest logo. Sources are
    sorted by name (case-insensitive), then slug.
    """
    groups: dict[str, list[tuple[Any, Any]]] = {}
    for article, item in news_articles(articles):
        groups.setdefault(source_slug(item.provider.domain), []).append((article, item.provider))
    sources = []
    for slug, group in groups.items():
        providers = [provider for _, provider in group]
        sources.append(
            Source(
                slug=slug,
                name=_most_used(Counter(p.name for p in providers)),
                domain=_most_used(Counter(p.domain for p in providers)),
                logo=next((p.logo for p in providers if p.logo), None),
                url=settings["SOURCE_URL"].format(slug=slug),
                save_as=settings["SOURCE_SAVE_AS"].format(slug=slug),
                articles=tuple(article for article, _ in group),
            )
        )
    sources.sort(key=lambda s: (s.name.casefold(), s.slug))
    return SourceList(sources)
