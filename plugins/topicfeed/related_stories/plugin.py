"""Pelican wiring: compute the related step once all published articles are known.

Runs on ``article_generator_finalized``: by then every published article exists, its URL is
final (the news reader makes URLs unique before the taxonomy pass) and nothing has been
written. Unpublished items never become articles, so they are simply absent from the story
index and stay outside links. The results are plain data hung on each article (its related
links, backlinks and more coverage) and, for the home page, ``top_stories`` in the shared
context; templates only display them.

Needs ``news-items`` (the news reader); provides ``related-links`` and ``top-stories`` (the
context's ``top_stories`` and each item's story cluster, ``Build.clusters``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed.build import Build
from topicfeed.gc_pause import gc_paused
from topicfeed.items import PlainSite, news_articles
from topicfeed.model import NewsItem
from topicfeed.plugin import register_plugin
from topicfeed.ranking import top_stories

from . import memo
from .graph import Related, relate
from .lazy_links import LazyLinks
from .links import Relations
from .settings import SETTINGS, read_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopStory:
    """A home page top story: the article and how many other stories its cluster holds."""

    article: Any
    more_coverage: int


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
    pairs = news_articles(generator.articles)
    articles = [article for article, _ in pairs]
    items = [item for _, item in pairs]
    relations = relate(items, [a.url for a in articles], settings, store_folder(generator.settings))
    for article in generator.articles:
        _attach(article, Relations())
    for article, found in zip(articles, relations, strict=True):
        _attach(article, found)
    clusters = {item.source_path: found.cluster for item, found in zip(items, relations, strict=True)}
    Build.of(generator).clusters = clusters
    top = top_stories(items, settings.rank, [r.cluster for r in relations])
    generator.context["top_stories"] = [TopStory(articles[i], relations[i].cluster_size - 1) for i in top]
    links = sum(len(r.related) for r in relations)
    computed = sum(1 for r in relations for link in r.related if link.computed)
    logger.info(
        "related stories: %d items, %d related links (%d computed), in %.2f s",
        len(items),
        links,
        computed,
        time.perf_counter() - started,
    )


def relate_items(items: Sequence[NewsItem], urls: Sequence[str], settings: Mapping[str, Any]) -> Related:
    """The related step from plain values (derivation of ``related-links`` for the site model):
    each item's :class:`Relations`, by position, for items in the site's order, and each one's
    story keys (:meth:`Related.keys`: what the model records) without making its links."""
    return relate(items, urls, read_settings(settings), store_folder(settings))


def store_folder(settings: Mapping[str, Any]) -> Path | None:
    """Where the related step keeps its decisions between builds (:mod:`.memo`); None: nowhere."""
    if not settings.get("RELATED_STORE", True) or not settings.get("CACHE_PATH"):
        return None
    return Path(settings["CACHE_PATH"]) / memo.FOLDER


def dress_articles(site: PlainSite, shown: Sequence[tuple[int, Any]]) -> None:
    """Each shown article's related links, backlinks and more coverage, from the site's
    relations (``related-links``, by position), as :func:`relate_articles` hangs them; the
    links are made when a template reads them (:mod:`.lazy_links` says why)."""
    relations: Related = site.products["related-links"]
    for position, article in shown:
        article.related_links = LazyLinks(relations, position, "related")
        article.backlinks = LazyLinks(relations, position, "backlinks")
        article.more_coverage = LazyLinks(relations, position, "more_coverage")
        article.more_coverage_total, article.cluster_size = relations.counts(position)


def page_values(site: PlainSite, articles: Any) -> Mapping[str, Any]:
    """The home page's ``top_stories``, as :func:`relate_articles` ranks them: the prediction
    ranked them already for the model (``top-stories``: each one's position and how many other
    stories its cluster holds; 0.7 s at 100,000 items), and only they become articles."""
    chosen: Sequence[tuple[int, int]] = site.products["top-stories"]
    top = [position for position, _ in chosen]
    return {
        "top_stories": [
            TopStory(article, more) for (_, more), article in zip(chosen, articles.at(top), strict=True)
        ]
    }


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        requires={"news-items"},
        provides={"related-links", "top-stories"},
        derives={"related-links": relate_items},
        dresses={"related-links": dress_articles},
        page_values={"top-stories": page_values},
    )
    signals.article_generator_finalized.connect(relate_articles)
