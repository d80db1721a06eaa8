"""The API's documents as plain values: which files the API has and what each shows, for the
site model.

Each document is ``(path, kind, the files of the items it shows, what else it shows)``:

- an item's document (``item``): its item, and the names of its topic and source collections
  (the names are the ones their items use most, so another item can change them); its related
  stories, backlinks and cluster are the links the model records for the item;
- a page of a collection (``page``): its items, and the collection's name, size and pages;
- the topics' and sources' lists (``list``) and the entry point (``index``): every collection
  of theirs with its name and size.

The JSON Schemas never change with the content and are left out. :func:`derive_api` says this
for plain items without Pelican's articles (the derivation of ``api`` that the site model
calls, in a build and in a prediction alike), through the same functions that lay out the
documents the build writes (:mod:`.documents`); a test holds it to the files written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pelican.urlwrappers import Category

from topicfeed.items import stand_in, topic_tags
from topicfeed.model import NewsItem

from . import documents as docs

#: One document: ``(path, kind, shown items' files, what else it shows)``.
ApiFile = tuple[str, str, tuple[str, ...], tuple[Any, ...]]


def plain_api(articles: Sequence[Any], ctx: docs.Context) -> tuple[ApiFile, ...]:
    """Every document the API writes for ``articles`` (the published news, newest first)."""
    found = docs.collections(articles)
    files: list[ApiFile] = []
    for article in articles:
        keys = docs.item_extras(article).collections
        names = tuple((key, found[key].name) for key in keys if key in found)
        files.append((docs.item_path(article), "item", (docs.item_of(article).source_path,), names))
    for collection in found.values():
        pages = collection.pages(ctx.page_size)
        head = (collection.name, len(collection.articles), pages)
        for number in range(1, pages + 1):
            shown = tuple(docs.item_of(a).source_path for a in docs.page_articles(collection, number, ctx))
            files.append((collection.path(number), "page", shown, head))
    for kind in ("topic", "source"):
        chosen = [c for c in found.values() if c.kind == kind]
        path, _ = docs.list_document(kind, chosen, ctx)
        files.append((path, "list", (), tuple((c.slug, c.name, len(c.articles)) for c in chosen)))
    path, _ = docs.index_document(found, ctx)
    files.append((path, "index", (), tuple((key, c.name, len(c.articles)) for key, c in found.items())))
    return tuple(files)


def derive_api(
    items: Sequence[NewsItem],
    urls: Sequence[str],
    topics: Sequence[Sequence[str]],
    topic_names: Sequence[Sequence[str]],
    settings: Mapping[str, Any],
) -> tuple[ApiFile, ...]:
    """:func:`plain_api` for items in the site's order, with their URLs and their topics' slugs
    and names (as each item names them); nothing when the site has no API (``API`` off)."""
    if not settings["API"]:
        return ()
    return plain_api(api_articles(items, urls, topics, topic_names, settings), docs.context(settings))


def api_articles(
    items: Sequence[NewsItem],
    urls: Sequence[str],
    topics: Sequence[Sequence[str]],
    topic_names: Sequence[Sequence[str]],
    settings: Mapping[str, Any],
) -> list[Any]:
    """Stand-ins of the articles of ``items``: what the API's documents read of an article (its
    item, URL, topics and category), without Pelican's articles."""
    pairs = (list(zip(slugs, names, strict=True)) for slugs, names in zip(topics, topic_names, strict=True))
    named = topic_tags(pairs, settings, by_spelling=True)
    categories: dict[str, Category] = {}
    articles = []
    for item, url, tags in zip(items, urls, named, strict=True):
        article = stand_in(item)
        article.url = url
        article.tags = tags
        category = categories.get(item.category)
        if category is None:
            category = categories[item.category] = Category(item.category, settings)
        article.category = category
        articles.append(article)
    return articles
