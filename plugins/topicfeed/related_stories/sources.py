"""Source (provider) indexes: ``/sources/`` and one paginated page per provider domain.

Pelican has no taxonomy for providers, so a small generator writes the pages through Pelican's
own writer, template lookup and paginator, exactly as ``ArticlesGenerator.generate_tags`` does
for topics: themes get ``articles_page``, ``articles_paginator`` and the same
``PAGINATION_PATTERNS``.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pelican.generators import Generator, PelicanTemplateNotFound

from topicfeed.model import Image, NewsItem
from topicfeed.text import source_slug

logger = logging.getLogger(__name__)


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
        """What a page other than the source's own can show of it (for fast_writer's page keys).

        An article page shows its source's name and link; it must not be re-rendered because
        another story of the same source changed. The source pages list their stories from
        ``articles_page``, which is keyed on its own.
        """
        return (self.slug, self.name, self.domain, self.logo, self.url, self.save_as, self.count)


def _most_used(counter: Counter[Any]) -> Any:
    """The most frequent value; among equals, the smallest (deterministic)."""
    return min(counter, key=lambda value: (-counter[value], value))


def group_sources(articles: Sequence[Any], settings: Mapping[str, Any]) -> list[Source]:
    """Group news articles (newest first, as Pelican orders them) by source slug.

    The slug comes from the provider's domain (``source_slug``), grouped exactly as the source
    feeds are, so a source page and its feeds always hold the same stories. Shown: the name the
    provider uses most often and its most used domain (ties: alphabetical), its newest logo.
    """
    groups: dict[str, list[Any]] = {}
    for article in articles:
        item: NewsItem = article.news
        groups.setdefault(source_slug(item.provider.domain), []).append(article)
    sources = []
    for slug, group in groups.items():
        providers = [a.news.provider for a in group]
        logo = next((p.logo for p in providers if p.logo), None)
        sources.append(
            Source(
                slug=slug,
                name=_most_used(Counter(p.name for p in providers)),
                domain=_most_used(Counter(p.domain for p in providers)),
                logo=logo,
                url=settings["SOURCE_URL"].format(slug=slug),
                save_as=settings["SOURCE_SAVE_AS"].format(slug=slug),
                articles=tuple(group),
            )
        )
    sources.sort(key=lambda s: (s.name.casefold(), s.slug))
    return sources


class SourcesGenerator(Generator):
    """Writes ``sources.html`` and one paginated ``source.html`` per provider.

    The sources themselves are computed by the plugin once all articles are known and put in
    the shared context as ``sources``.
    """

    def generate_context(self) -> None:
        """Nothing to read: the plugin fills ``context["sources"]`` from the articles."""

    def _template(self, name: str) -> Any:
        """The theme's template, or None (with a line in the log) when the theme has none."""
        try:
            return self.get_template(name)
        except PelicanTemplateNotFound:
            logger.info("related_stories: the theme has no %s.html; those source pages are not written", name)
            return None

    def generate_output(self, writer: Any) -> None:
        sources: list[Source] = self.context.get("sources") or []
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        save_as = self.settings.get("SOURCES_SAVE_AS")
        template = self._template("sources") if save_as else None
        if template is not None:
            write(
                save_as,
                template,
                self.context,
                sources=sources,
                template_name="sources",
                page_name=os.path.splitext(save_as)[0],
                url=self.settings.get("SOURCES_URL", save_as),
            )
        template = self._template("source") if self.settings.get("SOURCE_SAVE_AS") and sources else None
        if template is None:
            return
        for source in sources:
            articles = list(source.articles)
            write(
                source.save_as,
                template,
                self.context,
                source=source,
                url=source.url,
                articles=articles,
                dates=articles,
                template_name="source",
                blog=True,
                page_name=source.page_name,
                all_articles=self.context.get("articles", []),
            )
