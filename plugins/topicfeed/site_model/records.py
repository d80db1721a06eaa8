"""What the site model holds: plain values only (tuples, strings, numbers), made from the final articles.

A model kept between builds is only worth having if opening it is cheap: at 10,000 items the
same records took 0.66 s to load as ``NewsItem`` objects and 0.12 s as nested tuples of plain
values (docs/performance.md, "How low a one-item rebuild can go"). So every record here is a
plain tuple; :class:`ItemRecord` names its fields for the code that reads one (a named tuple
would pickle as a reference to this module's class).

Stories are named by their key (``NewsItem.key``), never by an object: a related story, a
backlink, a neighbour is the key of the item it points at (or of an outside story). A key is
not unique among the items (two files may carry one story; the corpus has three such pairs):
an item is known by its file, ``source_path``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from topicfeed.items import item_of
from topicfeed.model import NewsItem

#: Bumped whenever a record's shape changes: a model of another version is not read.
VERSION = 14


class ItemRecord(NamedTuple):
    """One published news item as the site shows it (stored as a plain tuple, in this order)."""

    #: The story's key (``NewsItem.key``).
    key: str
    #: The file it was read from, relative to the content folder.
    source_path: str
    #: The reader's digest of the file, its path and the settings it was read with: when it is
    #: the same, whatever the item shows is the same.
    fingerprint: str
    #: The article's date as a POSIX timestamp (the site's lists are ordered by it).
    timestamp: float
    #: The page's site-relative URL and the file it is written to.
    url: str
    save_as: str
    #: Its topics' slugs, first topic first, and its source's slug ("" when it has none).
    topics: tuple[str, ...]
    source: str
    #: Keys of the stories its page links to: related stories, backlinks, more coverage.
    related: tuple[str, ...]
    backlinks: tuple[str, ...]
    more_coverage: tuple[str, ...]
    more_coverage_total: int
    cluster_size: int
    #: Keys of its older and newer story in its first topic ("" where there is none).
    older: str
    newer: str
    #: Its heat and quality scores (None: unknown), and its story cluster: the key of the
    #: cluster's newest item, so items of one story share it (a key, not a position: an added
    #: item would shift every position, and the record would seem changed). What the home
    #: page's ranking is computed from, with the date and key (:mod:`.home`).
    heat: int | None
    quality: int | None
    cluster: str
    #: What the site's lists and products read of the item besides the fields above
    #: (:func:`listing`): when it and the item's place are as they were, no product changes.
    listing: str


class PageRecord(NamedTuple):
    """One page the writer wrote, and the items it shows (stored as a plain tuple, in this order).

    ``items`` is what the page's own values name: its article, the stories of its page of a
    list, or a period archive's stories. Values the whole site shares (the home page's ranking,
    the topics' counts and charts) are known by the names its template read (``reads``).
    """

    #: The file, relative to the output folder, with ``/``.
    path: str
    #: "article" for an article page, else the ``page_name`` Pelican gives a list or other page
    #: (``index``, ``tag/ai``, ``archives``).
    page_name: str
    #: Positions in ``SiteModel.items`` of the items it shows, in the page's order.
    items: tuple[int, ...]
    #: The list it is a page of (the paginator's name, "" when it is none), which page, how
    #: many stories a page holds and how many the whole list holds.
    list_name: str
    number: int
    per_page: int
    count: int
    #: Position in ``SiteModel.reads`` of the names its template read (-1: not known).
    reads: int = -1


def listing(item: NewsItem) -> str:
    """A digest of what the feeds, the API, the search index and the coverage charts read of an
    item besides what its record holds (its key, file, date, URL, topics' slugs and source): its
    category, its provider's name and domain, and its topics as the item spells them.

    An edit that leaves this digest and the item's place as they were (a new excerpt, image,
    embed or title) changes none of those products, so a rebuild takes them from the last model
    instead of deriving them again (:mod:`.predict`: a sixth of an edited story's instructions
    at 10,000 items). Held complete by ``tests/site_model/test_listing.py``, which changes every field of
    a news file in turn and derives the products in full: whenever the digest and the places are
    unchanged, so are the products.
    """
    text = "\0".join((item.category, item.provider.name, item.provider.domain, *item.topics))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


#: The named records of the last two models' items (by the items themselves, which models made
#: with ``_replace`` share): a rebuild asks for the last and the next model's six times (the
#: pages, the home values, the reach, the renderer), 0.25 s each at 100,000 items.
_NAMED: list[tuple[tuple[Any, ...], tuple[ItemRecord, ...]]] = []


class SiteModel(NamedTuple):
    """A whole model: what :func:`topicfeed.site_model.store.load` returns."""

    version: int
    #: The build that made the site (``Build.id``). The record of the site's files (the
    #: ``site-listing`` derivation) names its build too: a model whose build is not the one
    #: the record names describes some other site (a build stopped between the two writes).
    build: str
    #: Published items, newest first as the site lists them (:class:`ItemRecord` tuples).
    items: tuple[tuple[Any, ...], ...]
    #: Every news file read, relative path -> its fate (``published``, ``unpublished``,
    #: ``rejected``), so a file that was read and shown nowhere is known too.
    files: Mapping[str, str]
    #: Topic slug -> name; source slug -> name.
    topics: Mapping[str, str]
    sources: Mapping[str, str]
    #: What the home page shows besides its list, as this build computed it (:func:`home_values`):
    #: ``top_stories``, ``trending_topics``, ``trending_window``.
    home: Mapping[str, Any]
    #: Every feed file (and the OPML list) and what it shows: ``(path, kind, slug, channel name,
    #: the shown items' files, their entry ids)``; the OPML file's "ids" name every channel.
    feeds: tuple[tuple[Any, ...], ...] = ()
    #: Every document of the JSON API and what it shows: ``(path, kind, the shown items' files,
    #: what else it shows)`` (the API's derivation; the schemas, which never change, left out).
    api: tuple[tuple[Any, ...], ...] = ()
    #: The search index: each bundle (a folder: its path ends with ``/``) and the stories it
    #: indexes, and the listing of the bundles (the search's derivation).
    search: tuple[tuple[Any, ...], ...] = ()
    #: Every coverage chart and sparkline by what it is drawn from (a chart's title, unit, first
    #: and last buckets and counts; a sparkline's counts and label), keyed
    #: ``chart:topic:<slug>``, ``chart:source:<slug>``, ``sparkline:<slug>`` (the coverage's
    #: derivation): pages that show one change exactly when it does.
    charts: Mapping[str, Any] = {}
    #: The names of the context every page got besides the settings (Pelican's lists, the
    #: plugins' values): a page rendered from the model is refused when its template reads one
    #: of these that the renderer does not give (:mod:`.render`).
    context_names: tuple[str, ...] = ()
    #: The digest of every input of the build but the content (settings, Python and packages,
    #: theme, plugins: ``topicfeed.build_inputs.recipe_digest``), "" when it has none: a rebuild
    #: from the model is only for the same recipe.
    recipe: str = ""
    #: Every page written, in the order Pelican wrote them (:class:`PageRecord` tuples).
    pages: tuple[tuple[Any, ...], ...] = ()
    #: Each distinct list of names a page's template read (``fast_writer``'s read-tracking:
    #: ``articles[:5]``, ``coverage_topics["ai"]``, ...), once.
    reads: tuple[tuple[str, ...], ...] = ()
    #: The sitemaps and what each shows (the sitemaps' derivation, once every page is known).
    sitemaps: tuple[tuple[Any, ...], ...] = ()

    def records(self) -> Sequence[ItemRecord]:
        """The items with their fields named (made on demand: the stored tuples stay plain), made
        once for the last two models' items (:data:`_NAMED`)."""
        for items, named in _NAMED:
            if items is self.items:
                return named
        named = tuple(map(ItemRecord._make, self.items))
        _NAMED[:] = [(self.items, named), *_NAMED[:1]]
        return named

    def page_records(self) -> list[PageRecord]:
        return [PageRecord._make(page) for page in self.pages]


def site_records(
    articles: Iterable[Any], clusters: Mapping[str, int]
) -> tuple[tuple[tuple[Any, ...], ...], dict[str, str], dict[str, str]]:
    """One plain record per news article, in the order given (the site's: newest first), and the
    site's topics and sources (slug -> name). ``clusters``: each item's story cluster by its file
    (``Build.clusters``: any value naming a story), stored as the key of its first item here.

    Reads the values the steps before the writer hung on each article (``related-links``,
    ``source-pages``, ``theme-data``, which the plugin declares it needs); a neighbour is found
    by its URL among the same articles. Written as one loop of attribute reads and plain tuples:
    it runs over every article of every build (about 10 us an article; with ``ItemRecord`` and
    ``getattr`` per field it took 2.4 times as long).
    """
    news = []
    key_of_url: dict[str, str] = {}
    for article in articles:
        item = item_of(article)
        if item is not None:
            url = str(article.url)
            news.append((article, item, url))
            key_of_url[url] = item.key
    records = []
    first_of_cluster: dict[int, str] = {}
    topics: dict[str, str] = {}
    sources: dict[str, str] = {}
    for article, item, url in news:
        neighbours = article.topic_neighbours
        older = newer = ""
        if neighbours is not None:
            older = "" if neighbours.older is None else key_of_url.get(str(neighbours.older.url), "")
            newer = "" if neighbours.newer is None else key_of_url.get(str(neighbours.newer.url), "")
        tags = article.tags if hasattr(article, "tags") else ()
        for tag in tags:
            topics.setdefault(str(tag.slug), str(tag.name))
        cluster = clusters.get(item.source_path)
        cluster = item.key if cluster is None else first_of_cluster.setdefault(cluster, item.key)
        source = article.source
        if source is not None:
            sources.setdefault(str(source.slug), str(source.name))
        records.append(
            (  # the fields of ItemRecord, in its order
                item.key,
                item.source_path,
                item.fingerprint,
                article.date.timestamp(),
                url,
                str(article.save_as),
                tuple([str(tag.slug) for tag in tags]),
                "" if source is None else str(source.slug),
                tuple([link.key for link in article.related_links]),
                tuple([link.key for link in article.backlinks]),
                tuple([link.key for link in article.more_coverage]),
                article.more_coverage_total,
                article.cluster_size,
                older,
                newer,
                item.heat,
                item.quality,
                cluster,
                listing(item),
            )
        )
    return tuple(records), dict(sorted(topics.items())), dict(sorted(sources.items()))


def news_positions(articles: Iterable[Any]) -> dict[int, int]:
    """``id`` of each news article -> its position among them (``SiteModel.items``'s order)."""
    positions: dict[int, int] = {}
    for article in articles:
        if item_of(article) is not None:
            positions[id(article)] = len(positions)
    return positions


def page_record(relative: str, context: Mapping[str, Any], positions: Mapping[int, int]) -> tuple[Any, ...]:
    """The plain record of one page written with ``context`` (its article, its page of a list, or
    the stories of its period for one of Pelican's period archives), without its reads."""
    article = context.get("article")
    name = "article" if article is not None else str(context.get("page_name") or "")
    page = context.get("articles_page")
    if article is not None:
        shown: Iterable[Any] = (article,)
    elif page is not None:
        shown = page.object_list
    elif context.get("period") is not None:  # a year's, month's or day's archive: its stories
        shown = context.get("dates") or ()
    else:
        shown = ()
    items = tuple([positions[id(a)] for a in shown if id(a) in positions])
    if page is None or article is not None:
        return (relative, name, items, "", 0, 0, 0)
    paginator = page.paginator
    return (relative, name, items, str(paginator.name), page.number, paginator.per_page, paginator.count)


def home_values(context: Mapping[str, Any], positions: Mapping[int, int]) -> dict[str, Any]:
    """The home page's own site-wide values as plain data: the top stories (positions in
    ``SiteModel.items`` and how much more coverage each has), the trending topics (what each
    shows but its sparkline, which its topic's stories give) and their window."""
    top = tuple(
        (positions[id(story.article)], int(story.more_coverage))
        for story in context.get("top_stories") or ()
        if id(story.article) in positions
    )
    trends = tuple(
        (str(t.name), str(t.url), t.recent, t.baseline, t.recent_percent, t.baseline_percent)
        for t in context.get("trending_topics") or ()
    )
    window = context.get("trending_window")
    return {
        "top_stories": top,
        "trending_topics": trends,
        "trending_window": ()
        if window is None
        else (window.first.isoformat(), window.last.isoformat(), window.days),
    }


def with_reads(
    pages: list[tuple[Any, ...]], reads: dict[str, tuple[str, ...]]
) -> tuple[tuple[tuple[Any, ...], ...], tuple[tuple[str, ...], ...]]:
    """Each page record with the place of its reads in a table of each distinct list once."""
    table: dict[tuple[str, ...], int] = {}
    done = []
    for page in pages:
        names = reads.get(page[0])
        done.append((*page, -1 if names is None else table.setdefault(names, len(table))))
    return tuple(done), tuple(table)
