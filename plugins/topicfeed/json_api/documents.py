"""The JSON API's documents as plain data: what each file holds, computed from the articles.

Shapes follow the exporter's Jekyll theme (``_includes/news_collection.json``), so its app reads
a Topicfeed site unchanged: a page is ``{"title", "path", "page", "value": [...], "nextPage"}``
and each entry carries the exporter's field names. Everything Topicfeed adds (absolute links
between documents, counts, our page URL, related stories) is an extra field that an old client
ignores. Every value comes from the normalised :class:`~topicfeed.model.NewsItem` (never from
the raw file), so ``secured`` and unknown fields cannot appear; nothing is evaluated.

Paths (site-relative; URLs are ``SITEURL`` + ``/`` + path):

- ``api/index.json``: the entry point;
- ``api/news/index.json`` and ``api/news/page/{N}/index.json``: every item, newest first;
- ``api/news/{topic}/index.json`` (``.../page/{N}/...``): one topic (the exporter's layout);
- ``api/sources/{source}/index.json`` (``.../page/{N}/...``): one source (provider);
- ``api/topics/index.json``, ``api/sources/index.json``: the lists, with counts;
- ``api/{category}/{yyyy}/{mm}/{dd}/{slug}/index.json``: one item (its page's path under
  ``api/{category}/``, as the exporter's ``/api/:categories/:year/:month/:day/:title/``).
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from topicfeed import items
from topicfeed.model import Image, NewsItem
from topicfeed.text import source_slug

#: The version of the document shapes; a client can check it in ``api/index.json``.
API_VERSION = "1.0"
ROOT = "api"
SCHEMAS = ("index", "item", "page", "list")


@dataclass(frozen=True)
class Context:
    """What every document needs from the settings."""

    siteurl: str
    page_size: int
    locale: str
    site_name: str

    def url(self, path: str) -> str:
        """Absolute URL of a site-relative path (root-relative when ``SITEURL`` is empty)."""
        return f"{self.siteurl}/{path}"


def context(settings: Mapping[str, Any]) -> Context:
    """The documents' context from a site's settings."""
    return Context(
        siteurl=str(settings.get("SITEURL") or "").rstrip("/"),
        page_size=settings["API_PAGE_SIZE"],
        locale=settings["API_LOCALE"],
        site_name=str(settings.get("SITENAME") or ""),
    )


@dataclass
class Collection:
    """One paged list of items: all news, a topic or a source."""

    kind: str  # "news", "topic" or "source"
    slug: str
    name: str
    base: str  # folder of page 1, e.g. "api/news/canvas-apps"
    articles: Sequence[Any] = field(default_factory=list)

    def pages(self, size: int) -> int:
        return max(1, -(-len(self.articles) // size))

    def path(self, page: int) -> str:
        return f"{self.base}/index.json" if page == 1 else f"{self.base}/page/{page}/index.json"

    def link(self, ctx: Context) -> dict[str, Any]:
        """The collection as an item's document names it: what it is and where, no counts.

        A count would change every document of a topic or source each time one of its items is
        added or withdrawn: one unpublished item re-encoded and rewrote 3,093 of 8,005 item
        documents at 10,000 items. The counts are in ``api/index.json`` and on the collection's
        own pages.
        """
        return {"kind": self.kind, "name": self.name, "slug": self.slug, "url": ctx.url(self.path(1))}

    def summary(self, ctx: Context) -> dict[str, Any]:
        """The collection as the index and the lists show it: its link and its counts."""
        return {**self.link(ctx), "items": len(self.articles), "pages": self.pages(ctx.page_size)}


def item_of(article: Any) -> NewsItem:
    """The item of an article of ``Build.articles`` (which holds news articles only)."""
    item = items.item_of(article)
    assert item is not None
    return item


def page_path(article: Any) -> str:
    """Site-relative path of the article's HTML page (its URL without a trailing index)."""
    return _page_path(str(article.url))


def _page_path(url: str) -> str:
    url = url.split("#")[0].split("?")[0].strip("/")
    return posixpath.splitext(url)[0] if url.endswith((".html", ".htm")) else url


def item_path(article: Any) -> str:
    return item_path_of(str(article.url), getattr(getattr(article, "category", None), "slug", ""))


def item_path_of(url: str, category: str) -> str:
    """:func:`item_path` of an article at ``url`` in the category whose slug is ``category``."""
    return f"{ROOT}/{category or 'news'}/{_page_path(url)}/index.json"


def _image(image: Image, with_title: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"url": image.url, "width": image.width or 0, "height": image.height or 0}
    if with_title:
        out["title"] = image.title or None
    return out


def entry(article: Any, ctx: Context) -> dict[str, Any]:
    """One item as an entry of a page (and the core of its own document)."""
    item = item_of(article)
    provider: dict[str, Any] = {"name": item.provider.name, "domain": item.provider.domain}
    provider["images"] = [_image(item.provider.logo, False)] if item.provider.logo else []
    api_url = ctx.url(item_path(article))
    return {
        # The exporter's fields.
        "path": item.source_path,
        "title": item.title,
        "type": item.kind,
        "heat": item.heat if item.heat is not None else 0,
        "sourceUrl": api_url,
        "webUrl": item.url,
        "ampWebUrl": item.amp_url,
        "cdnAmpWebUrl": item.cdn_amp_url,
        "excerpt": item.excerpt,
        "publishedDateTime": item.published_at.isoformat(),
        "updatedDateTime": None,
        "provider": provider,
        "images": [_image(image, True) for image in item.images],
        "locale": ctx.locale,
        "categories": [item.category],
        "topics": list(item.topics),
        # Topicfeed's additions.
        "id": item.key,
        "url": ctx.url(page_path(article) + "/"),
        "apiUrl": api_url,
        "originalUrl": item.original_url,
        "quality": item.quality,
    }


def link(story: Any, ctx: Context, api_paths: dict[str, str]) -> dict[str, Any]:
    """A related story (related_stories' ``StoryLink``): ours get our page and API URLs."""
    internal = bool(story.internal)
    return {
        "title": story.title,
        "provider": story.provider,
        "domain": story.domain,
        "publishedDateTime": story.date.isoformat(),
        "id": story.key,
        "url": ctx.url(story.url.strip("/") + "/") if internal else None,
        "apiUrl": ctx.url(api_paths[story.url]) if internal and story.url in api_paths else None,
        "webUrl": None if internal else story.url,
        "computed": bool(story.computed),
    }


#: The members an item's document adds to its entry (the encoder splices them in by name).
ITEM_EXTRAS = ("backlinks", "cluster", "collections", "related")


def item_document(
    article: Any,
    ctx: Context,
    api_paths: dict[str, str],
    collections: dict[str, Collection],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An item's own document: its entry plus links to its collections and related stories.

    The build writes the same bytes without building this dict (:mod:`.encoding` splices
    parts serialised once); this composition is the reference the tests hold the splicing to.
    """
    doc = dict(base) if base is not None else entry(article, ctx)
    extras = item_extras(article)
    doc["collections"] = [collections[key].link(ctx) for key in extras.collections if key in collections]
    doc["related"] = [link(story, ctx, api_paths) for story in extras.related]
    doc["backlinks"] = [link(story, ctx, api_paths) for story in extras.backlinks]
    doc["cluster"] = {
        "size": extras.cluster_size,
        "moreCoverage": [link(story, ctx, api_paths) for story in extras.more_coverage],
    }
    return doc


@dataclass(frozen=True)
class ItemExtras:
    """What an item's document holds beyond its entry, as found on the article.

    ``related``/``backlinks``/``more_coverage`` come from the related step when it ran (the data
    it hangs on articles for the templates); without it they are empty.
    """

    collections: list[str]
    related: Sequence[Any]
    backlinks: Sequence[Any]
    more_coverage: Sequence[Any]
    cluster_size: int


def item_extras(article: Any) -> ItemExtras:
    return ItemExtras(
        collections=_collection_keys(article),
        related=getattr(article, "related_links", ()),
        backlinks=getattr(article, "backlinks", ()),
        more_coverage=getattr(article, "more_coverage", ()),
        cluster_size=int(getattr(article, "cluster_size", 1) or 1),
    )


def _collection_keys(article: Any) -> list[str]:
    keys = [f"topic:{tag.slug}" for tag in getattr(article, "tags", None) or ()]
    keys.append(_source_key(item_of(article).provider.domain))
    return keys


@functools.lru_cache(maxsize=4096)
def _source_key(domain: str) -> str:
    """A source's collection key (a few hundred domains, slugified once each, not once per item)."""
    return f"source:{source_slug(domain)}"


def _most_used(counter: Counter[str]) -> str:
    return min(counter, key=lambda value: (-counter[value], value))


def collections(articles: Sequence[Any]) -> dict[str, Collection]:
    """All news, each topic (by the site's topic slug) and each source, newest first."""
    topics: dict[str, tuple[list[Any], Counter[str]]] = {}
    sources: dict[str, tuple[list[Any], Counter[str]]] = {}
    for article in articles:
        for tag in getattr(article, "tags", None) or ():
            listed, names = topics.setdefault(tag.slug, ([], Counter()))
            listed.append(article)
            names[tag.name] += 1
        provider = item_of(article).provider
        listed, names = sources.setdefault(source_slug(provider.domain), ([], Counter()))
        listed.append(article)
        names[provider.name] += 1
    return collections_of(list(articles), topics, sources)


def collections_of(
    news: Sequence[Any],
    topics: Mapping[str, tuple[Sequence[Any], Counter[str]]],
    sources: Mapping[str, tuple[Sequence[Any], Counter[str]]],
) -> dict[str, Collection]:
    """:func:`collections` from the articles grouped: each topic's and source's (by slug), with
    the names their items give it (the one used most names the collection)."""
    found: dict[str, Collection] = {"news": Collection("news", "news", "News", f"{ROOT}/news", news)}
    for slug in sorted(topics):
        listed, names = topics[slug]
        found[f"topic:{slug}"] = Collection("topic", slug, _most_used(names), f"{ROOT}/news/{slug}", listed)
    for slug in sorted(sources):
        listed, names = sources[slug]
        found[f"source:{slug}"] = Collection(
            "source", slug, _most_used(names), f"{ROOT}/sources/{slug}", listed
        )
    return found


def page_head(collection: Collection, number: int, ctx: Context) -> dict[str, Any]:
    """Page ``number`` of a collection without its ``value`` (the entries)."""
    size = ctx.page_size
    count = collection.pages(size)
    path = collection.path(number)
    return {
        "title": collection.name,
        "path": path,
        "page": number,
        "nextPage": str(number + 1) if number < count else None,
        "kind": collection.kind,
        "slug": collection.slug,
        "url": ctx.url(path),
        "first": ctx.url(collection.path(1)),
        "last": ctx.url(collection.path(count)),
        "next": ctx.url(collection.path(number + 1)) if number < count else None,
        "prev": ctx.url(collection.path(number - 1)) if number > 1 else None,
        "pages": count,
        "count": len(collection.articles),
        "pageSize": size,
    }


def page_articles(collection: Collection, number: int, ctx: Context) -> list[Any]:
    """The articles page ``number`` of a collection lists, in its order."""
    size = ctx.page_size
    return collection.articles[(number - 1) * size : number * size]


def pages(collection: Collection, ctx: Context) -> Iterable[tuple[str, dict[str, Any]]]:
    """Every page of a collection as (path, document); page 1 is ``.../index.json`` only.

    The reference composition, as :func:`item_document` is: the build splices the same bytes.
    """
    for number in range(1, collection.pages(ctx.page_size) + 1):
        doc = page_head(collection, number, ctx)
        doc["value"] = [entry(a, ctx) for a in page_articles(collection, number, ctx)]
        yield doc["path"], doc


def list_document(kind: str, found: Iterable[Collection], ctx: Context) -> tuple[str, dict[str, Any]]:
    """``api/topics/index.json`` or ``api/sources/index.json``: every collection of a kind."""
    path = f"{ROOT}/{kind}s/index.json"
    value = sorted((c.summary(ctx) for c in found), key=lambda s: (s["name"].casefold(), s["slug"]))
    title = "Topics" if kind == "topic" else "Sources"
    return path, {
        "title": title,
        "path": path,
        "kind": kind + "s",
        "url": ctx.url(path),
        "count": len(value),
        "value": value,
    }


def index_document(found: dict[str, Collection], ctx: Context) -> tuple[str, dict[str, Any]]:
    """``api/index.json``: the entry point, listing every collection with its counts."""
    path = f"{ROOT}/index.json"
    ordered = [found["news"]] + [c for c in found.values() if c.kind == "topic"]
    ordered += [c for c in found.values() if c.kind == "source"]
    topics = sum(1 for c in found.values() if c.kind == "topic")
    return path, {
        "version": API_VERSION,
        "title": ctx.site_name,
        "path": path,
        "url": ctx.url(path),
        "site": ctx.url(""),
        "pageSize": ctx.page_size,
        "items": len(found["news"].articles),
        "news": found["news"].summary(ctx),
        "topics": {"url": ctx.url(f"{ROOT}/topics/index.json"), "count": topics},
        "sources": {"url": ctx.url(f"{ROOT}/sources/index.json"), "count": len(found) - 1 - topics},
        "collections": [c.summary(ctx) for c in ordered],
        "schemas": {name: ctx.url(f"{ROOT}/schema/{name}.schema.json") for name in SCHEMAS},
    }


#: The one encoder of every document: sorted keys, no spaces, UTF-8 text rather than ``\\u``
#: escapes, no NaN. Made once, as ``json.dumps`` with options makes a new one per call.
ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(document: dict[str, Any]) -> bytes:
    """Byte-stable JSON: sorted keys, UTF-8, no spaces, one trailing newline."""
    return (ENCODER.encode(document) + "\n").encode("utf-8")
