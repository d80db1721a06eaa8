"""Source (provider) indexes: ``/sources/`` and one paginated page per provider domain.

Pelican has no taxonomy for providers, so a small generator writes the pages through Pelican's
own writer, template lookup and paginator, exactly as ``ArticlesGenerator.generate_tags`` does
for topics: themes get ``articles_page``, ``articles_paginator`` and the same
``PAGINATION_PATTERNS``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from news_reader.model import Image, NewsItem
from news_reader.text import short_hash, source_slug
from pelican.generators import Generator


@dataclass(frozen=True, slots=True)
class Source:
    """One provider and its published articles, newest first."""

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


def source_slugs(domains: Sequence[str]) -> dict[str, str]:
    """A distinct slug per domain: of domains sharing a slug, later ones (sorted) get a hash."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for domain in sorted(set(domains)):
        slug = source_slug(domain)
        if slug in taken:
            slug = f"{slug}-{short_hash(domain)}"
        taken.add(slug)
        slugs[domain] = slug
    return slugs


def group_sources(articles: Sequence[Any], settings: Mapping[str, Any]) -> list[Source]:
    """Group news articles (newest first, as Pelican orders them) by provider domain.

    The name shown is the one the provider uses most often (ties: alphabetical); the logo is
    the newest one given.
    """
    by_domain: dict[str, list[Any]] = {}
    for article in articles:
        item: NewsItem = article.news
        by_domain.setdefault(item.provider.domain, []).append(article)
    slugs = source_slugs(list(by_domain))
    sources = []
    for domain, group in by_domain.items():
        names = Counter(a.news.provider.name for a in group)
        name = min(names, key=lambda n: (-names[n], n))
        logo = next((a.news.provider.logo for a in group if a.news.provider.logo), None)
        slug = slugs[domain]
        sources.append(
            Source(
                slug=slug,
                name=name,
                domain=domain,
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

    def generate_output(self, writer: Any) -> None:
        sources: list[Source] = self.context.get("sources") or []
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        if self.settings.get("SOURCES_SAVE_AS"):
            save_as = self.settings["SOURCES_SAVE_AS"]
            write(
                save_as,
                self.get_template("sources"),
                self.context,
                sources=sources,
                template_name="sources",
                page_name=os.path.splitext(save_as)[0],
                url=self.settings.get("SOURCES_URL", save_as),
            )
        if not self.settings.get("SOURCE_SAVE_AS"):
            return
        template = self.get_template("source")
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
