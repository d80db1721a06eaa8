"""The next site model computed from the last one and the content folder, without a build
(step 2 of docs/rebuild-plan.md): what a rebuild plans from.

Each product the model records is computed by the plugin that provides it, from plain values
(:func:`topicfeed.plugin.derivation`; this module names data, never a plugin): the published
items with their URLs and topic slugs (``news-items``: only new and changed files become Pelican
articles), their related stories, backlinks and clusters (``related-links``: the related step
over every item, as in a build), their neighbours in their first topic (``theme-data``), the
feed files and what each shows (``feed-format``), the API's documents (``api``), the search
bundles (``search``), the coverage charts (``coverage``) and the sitemaps (``sitemaps``, from
the predicted pages); the sources come from the shared grouping (:mod:`topicfeed.sources`) and
the home page's values from the records (:mod:`.home`). The pages are placed from the new items
and the last model's pages (:mod:`.pages`). Held equal to the model a full build makes of the
same folder (``tests/site_model/test_predict.py``), so :func:`.reach.reach` names the files a
change reaches before anything is built.

The feeds, API documents, search bundles and coverage charts need the stories but not their
related stories: they are derived in a process forked beside the related step (each half of the
plan's work, on a core each), when the memory budget has room for it. When every story is
where the last model has it and listed alike (:func:`.records.listing`: an excerpt, an image or
a title edited), they are the last model's and nothing derives them; when the item records are
the last model's but for their files' digests, so are the home page's values.

Anything a derivation does not cover raises :class:`~topicfeed.plugin.Underivable`: build
instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from topicfeed import forked
from topicfeed.gc_pause import gc_paused
from topicfeed.items import PlainSite, news_articles, stand_in
from topicfeed.memory_budget import extra_processes, resident_mb
from topicfeed.plugin import derivation
from topicfeed.sources import group_sources

from .derived import item_products, search_files, sitemaps
from .home import derive_home
from .pages import predict_pages
from .reach import search_reach
from .records import VERSION, ItemRecord, SiteModel, listing

logger = logging.getLogger(__name__)

#: Told once the stories are known, before the related step: the site as far as it is made
#: (its stories and the sources' grouping, no page yet), and a function giving the search
#: index's files the change will reach (:func:`.reach.search_reach`).
StoriesKnown = Callable[[PlainSite, Callable[[], frozenset[str]]], None]


#: Where :func:`_listed_as_before` finds each field in a stored record.
_FINGERPRINT = ItemRecord._fields.index("fingerprint")
_place_of = itemgetter(
    *(
        ItemRecord._fields.index(name)
        for name in ("key", "source_path", "timestamp", "url", "save_as", "topics", "source", "listing")
    )
)


def _known(model: SiteModel) -> dict[str, Any]:
    """The last model's items by file, as the ``news-items`` derivation takes them."""
    return {r[1]: (r[2], r[4], r[5], r[3]) for r in model.items}  # fingerprint, url, save_as, timestamp


class Prediction(NamedTuple):
    """The next model, and the site in plain values it was made from (what pages rendered from
    the model are dressed with: :mod:`.render`)."""

    model: SiteModel
    site: PlainSite
    #: Every news file's problems, in the files' order (what a build logs as it reads them).
    problems: tuple[Any, ...] = ()


def predict(last: SiteModel, files: Sequence[str], settings: dict[str, Any]) -> SiteModel:
    """The model a full build of ``files`` (absolute paths of every news file of the content
    folder now) would make, from ``last`` (the model of the site as it is). The ``build`` is
    the last model's: the plan builds into a copy of that site."""
    return prediction(last, files, settings).model


def prediction(
    last: SiteModel, files: Sequence[str], settings: dict[str, Any], stories_known: StoriesKnown | None = None
) -> Prediction:
    """:func:`predict`, with the plain site it made on the way; ``stories_known`` is told as
    soon as the stories are (a rebuild starts its search bundles then: :mod:`.site_writes`).

    With the cyclic collector paused, as the build's steps run: every item is read and lives
    to the end, and the collections would scan them again and again for no garbage."""
    with gc_paused():
        return _predict(last, files, settings, stories_known)


def _products(stories: Sequence[Any], topics: dict[str, str], settings: dict[str, Any]) -> dict[str, Any]:
    """The feeds and the products derived from every story (:func:`.derived.item_products`):
    what needs the stories but not their related stories."""
    feeds = derivation(settings, "feed-format")(
        [story.item for story in stories],
        [story.url for story in stories],
        [story.timestamp for story in stories],
        [story.topics for story in stories],
        topics,
        settings,
    )
    return {"feeds": feeds, **item_products(stories, topics, settings)}


def _beside_the_related_step(
    stories: Sequence[Any], topics: dict[str, str], settings: dict[str, Any]
) -> Callable[[], dict[str, Any]]:
    """:func:`_products`, in a process forked to run beside the related step (each takes about
    half a second at 10,000 items, and the plan had the second core to itself), unless the
    memory budget has no room for it; the function that waits for them."""
    fork = extra_processes(settings, 1, resident_mb(), step="site model products") == 1
    return forked.ahead("products", lambda: _products(stories, topics, settings), fork)


def _listings(last: SiteModel, stories: Sequence[Any]) -> list[str]:
    """Each story's :func:`.records.listing`: the last model's for an item read from the same
    file as it recorded (same fingerprint), made anew for the others."""
    recorded = {r[1]: (r[_FINGERPRINT], r[-1]) for r in last.items}
    found = []
    for story in stories:
        item = story.item
        known = recorded.get(item.source_path)
        found.append(known[1] if known is not None and known[0] == item.fingerprint else listing(item))
    return found


def _listed_as_before(last: SiteModel, stories: Sequence[Any], listings: Sequence[str]) -> bool:
    """Whether every story is the last model's item at the same place (key, file, date, URL,
    topics, source) and listed alike (:func:`.records.listing`): then the feeds, the API, the
    search bundles and the charts are the last model's, whatever else of an item changed."""
    if len(stories) != len(last.items):
        return False
    for story, listed, place in zip(stories, listings, map(_place_of, last.items), strict=True):
        item = story.item
        now = (item.key, item.source_path, story.timestamp, story.url, story.save_as, story.topics)
        if (*now, story.source, listed) != place:
            return False
    return True


def _last_products(last: SiteModel) -> dict[str, Any]:
    return {"feeds": last.feeds, "api": last.api, "search": last.search, "charts": last.charts}


def _same_but_fingerprints(records: Sequence[tuple[Any, ...]], last: SiteModel) -> bool:
    """Whether the new item records are the last model's, but for their files' digests."""
    if len(records) != len(last.items):
        return False
    f = _FINGERPRINT
    # Most records are equal whole (same digest too): one comparison each.
    return all(
        a == b or (a[:f] == b[:f] and a[f + 1 :] == b[f + 1 :])
        for a, b in zip(records, last.items, strict=True)
    )


def _search_reached(
    last: SiteModel,
    stories: Sequence[Any],
    topics: dict[str, str],
    sources: dict[str, str],
    settings: dict[str, Any],
) -> frozenset[str]:
    """The search index's files of the new site that the change reaches (what the reach will
    name: :func:`.reach.search_reach`)."""
    search = search_files(stories, settings)
    return search_reach(last, search, stories, topics, sources) & {entry[0] for entry in search}


def _predict(
    last: SiteModel, files: Sequence[str], settings: dict[str, Any], stories_known: StoriesKnown | None
) -> Prediction:
    read = derivation(settings, "news-items")(settings, files, _known(last))
    items = [found.item for found in read.items]
    urls = [found.url for found in read.items]
    source_of: dict[str, str] = {}
    sources: dict[str, str] = {}
    grouped = group_sources([stand_in(item) for item in items], settings)
    for source in grouped:
        for _, item in news_articles(source.articles):
            source_of[item.source_path] = source.slug
        sources[source.slug] = source.name
    named: dict[str, str] = {}
    for found in read.items:
        for slug, name in zip(found.topics, found.topic_names, strict=True):
            named.setdefault(slug, name)
    topics = dict(sorted(named.items()))
    stories = [found._replace(source=source_of.get(found.item.source_path, "")) for found in read.items]
    if stories_known is not None:
        stories_known(
            PlainSite(settings, stories, {"source-pages": grouped}),
            partial(_search_reached, last, stories, topics, sources, settings),
        )
    listings = _listings(last, stories)
    if _listed_as_before(last, stories, listings):
        # Only what the stories' own pages show changed (an excerpt, an image, a title): a
        # process of its own not forked, a sixth of an edited story's instructions at 10,000 items.
        logger.info("site model: every story is listed as before; the feeds, API, search and charts are kept")
        products: Callable[[], dict[str, Any]] = partial(_last_products, last)
    else:
        products = _beside_the_related_step(stories, topics, settings)
    relations = derivation(settings, "related-links")(items, urls, settings)
    neighbours = derivation(settings, "theme-data")(
        [(found.topics, found.timestamp, found.item.source_path, found.url) for found in read.items]
    )
    key_of_url = {found.url: found.item.key for found in read.items}
    first_of_cluster: dict[int, str] = {}
    records = []
    for position, (found, (older, newer)) in enumerate(zip(read.items, neighbours, strict=True)):
        item = found.item
        related = relations.keys(position)
        records.append(
            (
                item.key,
                item.source_path,
                item.fingerprint,
                found.timestamp,
                found.url,
                found.save_as,
                found.topics,
                source_of.get(item.source_path, ""),
                related.related,
                related.backlinks,
                related.more_coverage,
                related.more_coverage_total,
                related.cluster_size,
                key_of_url.get(older, ""),
                key_of_url.get(newer, ""),
                item.heat,
                item.quality,
                first_of_cluster.setdefault(related.cluster, item.key),
                listings[position],
            )
        )
    model = SiteModel(
        version=VERSION,
        build=last.build,
        items=tuple(records),
        files=dict(sorted(read.fates.items())),
        topics=topics,
        sources=dict(sorted(sources.items())),
        home={},
        context_names=last.context_names,
        recipe=last.recipe,
    )
    same = topics == last.topics and _same_but_fingerprints(records, last)
    model = model._replace(home=last.home if same else derive_home(model, settings))
    pages = predict_pages(last, model, settings)
    model = model._replace(pages=pages, reads=last.reads, sitemaps=sitemaps(pages, stories, settings))
    # The pages need the items but none of the products: placed while the products are made
    # beside (about 0.2 s of waiting for them went before the pages at 10,000 items, one edited).
    model = model._replace(**products())
    shown = {
        "related-links": relations,
        "theme-data": neighbours,
        "source-pages": grouped,
        "feed-format": model.feeds,
        "top-stories": model.home["top_stories"],
    }
    site = PlainSite(settings, stories, shown, tuple(page[0] for page in pages))
    return Prediction(model, site, read.problems)
