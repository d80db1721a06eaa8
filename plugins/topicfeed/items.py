"""The news item of a Pelican article: the one way every plugin asks for it.

The news reader puts the :class:`~topicfeed.model.NewsItem` it read into the article's metadata
under :data:`ITEM_KEY` (templates see it as ``article.news``) and the file's problems under
:data:`PROBLEMS_KEY`. Code never reads those keys itself: it calls :func:`item_of`, which also
answers ``None`` for an ordinary Markdown article, for a page, and for anything a third-party
plugin may have put under the same key, so no caller needs its own ``isinstance`` check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple

from pelican.urlwrappers import Tag

from topicfeed.model import NewsItem, Problem

#: The ArticlesGenerator lists that hold articles, of any status (each written with ``article.html``).
ARTICLE_LISTS = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
)

#: Metadata key of the item (``article.news`` in templates).
ITEM_KEY = "news"
#: Metadata key of the problems the reader found in the file (the news reader logs them).
PROBLEMS_KEY = "news_problems"


def item_of(content: Any) -> NewsItem | None:
    """The news item ``content`` was read from, or None (Markdown article, page, anything else).

    ``content`` is a Pelican content object (article, page) or its metadata mapping, as the
    ``article_generator_context`` signal hands it over before the article exists.
    """
    # A plain dict and a content object are recognised before ``isinstance(x, Mapping)``, which
    # goes through the ABC machinery: every plugin that walks the articles asks this of each
    # one (144,000 calls in a 10,000-item build, 0.25 s with the test first, 0.17 s now).
    if type(content) is dict:
        metadata = content
    else:
        # Pelican sets every metadata field as an attribute of the content: the item is its
        # ``news``, and a rebuild's list pages show stand-ins that carry that attribute only.
        item = getattr(content, ITEM_KEY, None)
        if isinstance(item, NewsItem):
            return item
        metadata = getattr(content, "metadata", None)
        if metadata is None and isinstance(content, Mapping):
            metadata = content
    if type(metadata) is not dict and not isinstance(metadata, Mapping):
        return None
    item = metadata.get(ITEM_KEY)
    return item if isinstance(item, NewsItem) else None


def problems_of(metadata: Mapping[str, Any]) -> list[Problem]:
    """The problems the reader recorded for one file (empty for files it did not read)."""
    return list(metadata.get(PROBLEMS_KEY) or ())


def news_articles(articles: Iterable[Any]) -> list[tuple[Any, NewsItem]]:
    """The articles read from news items, each with its item, in the given order."""
    pairs = []
    for article in articles:
        item = item_of(article)
        if item is not None:
            pairs.append((article, item))
    return pairs


def stand_in(item: NewsItem) -> Any:
    """An object :func:`item_of` finds ``item`` in, with nothing else: for shared code that
    takes articles (:func:`topicfeed.sources.group_sources`) run on plain items, without
    Pelican's articles (the site model's prediction)."""
    return SimpleNamespace(metadata={ITEM_KEY: item})


def topic_tags(
    topics: Iterable[Sequence[tuple[str, str]]], settings: Mapping[str, Any], *, by_spelling: bool
) -> list[list[Tag]]:
    """Pelican ``Tag`` objects for each item's topics (given as ``(slug, name)`` pairs), for
    stand-ins of articles: one object per slug, named as the first item names it (Pelican's
    grouping by tag keeps the first), or with ``by_spelling`` one per way the items spell it
    (each article's own tags, as the reader makes them)."""
    made: dict[Any, Tag] = {}
    found = []
    for pairs in topics:
        tags = []
        for slug, name in pairs:
            key = (slug, name) if by_spelling else slug
            tag = made.get(key)
            if tag is None:
                tag = made[key] = Tag(name, settings)
                tag.slug = slug
            tags.append(tag)
        found.append(tags)
    return found


def story_topics(story: Story) -> list[tuple[str, str]]:
    """A story's topics as ``(slug, name)`` pairs, for :func:`topic_tags`."""
    return list(zip(story.topics, story.topic_names, strict=True))


class Story(NamedTuple):
    """A published news item as the site shows it, in plain values: what the plugins'
    derivations take (:func:`topicfeed.plugin.derivation`), from a build's articles or from the
    news reader's derivation (which leaves ``source`` empty: sources are not its product)."""

    item: NewsItem
    url: str
    save_as: str
    #: Its date as a POSIX timestamp.
    timestamp: float
    #: Its topics' slugs and names (as the item names them), first topic first.
    topics: tuple[str, ...]
    topic_names: tuple[str, ...]
    #: Its source's slug.
    source: str = ""


class PlainSite(NamedTuple):
    """A whole site in plain values, as the site model's prediction made it: what the plugins'
    dressers (:data:`topicfeed.plugin.Dress`) put on pages rendered without Pelican's article
    step."""

    settings: Mapping[str, Any]
    #: Every published story, in the site's order.
    stories: Sequence[Story]
    #: What was derived for the whole site, by product name (``related-links``: each story's
    #: relations, by position; ``theme-data``: each story's neighbours' URLs; ``source-pages``:
    #: the sources, grouped as a build groups them; ``feed-format``: the feed files and the
    #: stories each shows, as the site model records them; ``top-stories``: the home page's,
    #: as positions with how many other stories each one's cluster holds).
    products: Mapping[str, Any]
    #: Every page of the site (files relative to it).
    pages: Sequence[str] = ()
