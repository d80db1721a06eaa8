"""The model's parts that the plugins derive from plain stories, made the same way in a build
and in a prediction: one list of :class:`topicfeed.items.Story` values, from Pelican's articles
(:func:`stories_of`) or from the predicted items, handed to each product's derivation
(:func:`topicfeed.plugin.derivation`) by the one function that knows its arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from topicfeed.items import Story, item_of
from topicfeed.plugin import derivation
from topicfeed.text import source_slug


def stories_of(articles: Iterable[Any]) -> list[Story]:
    """The stories of a build's published news articles (``Build.articles``)."""
    stories = []
    for article in articles:
        item = item_of(article)
        if item is None:
            continue
        tags = getattr(article, "tags", None) or ()
        stories.append(
            Story(
                item,
                str(article.url),
                str(article.save_as),
                article.date.timestamp(),
                tuple([str(tag.slug) for tag in tags]),
                tuple([str(tag.name) for tag in tags]),
                source_slug(item.provider.domain),
            )
        )
    return stories


def item_products(
    stories: Sequence[Story], topics: Mapping[str, str], settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The API's documents, the search bundles and the coverage charts (``SiteModel`` fields)
    of a site with these stories (``topics``: slug -> the name the site shows)."""
    items = [story.item for story in stories]
    urls = [story.url for story in stories]
    return {
        "api": derivation(settings, "api")(
            items, urls, [s.topics for s in stories], [s.topic_names for s in stories], settings
        ),
        "search": search_files(stories, settings),
        "charts": derivation(settings, "coverage")(
            [(s.timestamp, s.topics, s.source, s.item.provider.name) for s in stories], topics, settings
        ),
    }


def search_files(stories: Sequence[Story], settings: Mapping[str, Any]) -> tuple[Any, ...]:
    """The search index's files (``SiteModel.search``) of a site with these stories."""
    return derivation(settings, "search")(
        [(s.item.source_path, s.url, s.save_as, s.timestamp) for s in stories], settings
    )


def sitemaps(
    pages: Sequence[Sequence[Any]], stories: Sequence[Story], settings: Mapping[str, Any]
) -> tuple[Any, ...]:
    """The sitemaps of a site with these pages (page records) and stories."""
    listed = [(s.item.source_path, s.url, s.timestamp) for s in stories]
    return derivation(settings, "sitemaps")([page[0] for page in pages], listed, settings)
