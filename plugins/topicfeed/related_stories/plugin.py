"""Pelican wiring: compute the related step once all published articles are known.

Runs on ``article_generator_finalized``: by then every published article exists, its URL is
final (the news reader makes URLs unique before the taxonomy pass) and nothing has been
written. Unpublished items never become articles, so they are simply absent from the story
index and stay outside links. The results are plain data hung on each article and put in the
shared context; templates only display them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pelican import signals

from topicfeed.model import NewsItem

from .graph import gc_paused, relate
from .links import Relations
from .ranking import top_stories
from .settings import DEFAULTS, read_settings
from .sources import SourcesGenerator, group_sources

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopStory:
    """A home page top story: the article and how many other stories its cluster holds."""

    article: Any
    more_coverage: int


def apply_defaults(pelican: Any) -> None:
    """Fill in missing settings and paginate ``source.html`` like ``tag.html``."""
    settings = pelican.settings
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    settings["PAGINATED_TEMPLATES"] = {"source": None, **settings.get("PAGINATED_TEMPLATES", {})}


def _attach(article: Any, relations: Relations) -> None:
    article.related_links = relations.related
    article.backlinks = relations.backlinks
    article.more_coverage = relations.more_coverage
    article.more_coverage_total = relations.more_coverage_total
    article.cluster_size = relations.cluster_size


def relate_articles(generator: Any) -> None:
    """The related step for one build; logs its size and time."""
    with gc_paused():
        _relate_articles(generator)


def _relate_articles(generator: Any) -> None:
    started = time.perf_counter()
    settings = read_settings(generator.settings)
    articles = [a for a in generator.articles if isinstance(a.metadata.get("news"), NewsItem)]
    items: list[NewsItem] = [a.metadata["news"] for a in articles]
    relations = relate(items, [a.url for a in articles], settings)
    for article in generator.articles:
        _attach(article, Relations())
        article.source = None
        article.day = article.date.date()
    for article, found in zip(articles, relations, strict=True):
        _attach(article, found)
    sources = group_sources(articles, generator.settings)
    for source in sources:
        for article in source.articles:
            article.source = source
    top = top_stories(items, settings, [r.cluster for r in relations])
    generator.context["top_stories"] = [TopStory(articles[i], relations[i].cluster_size - 1) for i in top]
    generator.context["sources"] = sources
    links = sum(len(r.related) for r in relations)
    computed = sum(1 for r in relations for link in r.related if link.computed)
    logger.info(
        "related stories: %d items, %d related links (%d computed), %d sources, in %.2f s",
        len(items),
        links,
        computed,
        len(sources),
        time.perf_counter() - started,
    )


def add_generator(pelican: Any) -> type[SourcesGenerator]:
    return SourcesGenerator


def register() -> None:
    signals.initialized.connect(apply_defaults)
    signals.article_generator_finalized.connect(relate_articles)
    signals.get_generators.connect(add_generator)
