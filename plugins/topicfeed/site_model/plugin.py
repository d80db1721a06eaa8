"""Pelican wiring: the site model written beside the build and kept once the site is complete.

- ``Phase.ARTICLES`` (every article final, no page written): the model is made from
  ``Build.articles`` and the ledger and written to ``<output>.model.pickle.next``, in the
  process forked beside the page writer (:mod:`topicfeed.forked`) when the memory budget allows
  it, else here.
- ``content_written`` (each page, once on disk): the items the page shows are noted.
- ``Phase.RECORD`` (every file of the new site written): waits for that work, appends the
  pages with the names each one's template read (``Build.render.reads``) and moves the file
  over ``<output>.model.pickle`` (:mod:`.store` says why then).
- ``Phase.INSTEAD`` (``initialized``): this run's recipe is taken for the model it will leave,
  and when only news files changed since the last build, the run becomes a rebuild from the
  model (:mod:`.rebuild`), whose ``RECORD`` step leaves the prediction as the next model.

Needs the products whose values it records.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from pelican import signals

from topicfeed import forked
from topicfeed.build import Build, articles_generators, collect_articles
from topicfeed.gc_pause import gc_paused
from topicfeed.memory_budget import fork_fits
from topicfeed.plugin import Phase, register_plugin

from . import store
from .derived import item_products, sitemaps, stories_of
from .rebuild import keep_planned_model, rebuild_instead, recipe_of
from .records import VERSION, SiteModel, home_values, news_positions, page_record, site_records, with_reads
from .settings import SETTINGS

logger = logging.getLogger(__name__)

#: The model's work among those beside the build.
_LABEL = "site model"
#: ``build.private`` key: the model is being written beside the build.
_BESIDE = __name__ + ".beside"


#: ``build.private`` key: the articles generator's context (the home page's values are in it).
_CONTEXT = __name__ + ".context"


def keep_context(generators: list[Any]) -> None:
    """``all_generators_finalized``: every generator has put its values in its context."""
    for generator in articles_generators(generators):
        Build.of(generator).private[_CONTEXT] = generator.context


#: The pages of the build being written (a process runs one build at a time): where its files
#: go, each news article's position in the model, and the records so far.
_PAGES: dict[str, Any] = {}


def make_model(build: Build, positions: dict[int, int]) -> SiteModel:
    """The model of the site this build is making (its folder is ``build.target``; ``positions``:
    :func:`news_positions` of its articles)."""
    items, topics, sources = site_records(build.articles, build.clusters)
    context = build.private.get(_CONTEXT) or {}
    return SiteModel(
        version=VERSION,
        build=build.id,
        items=items,
        pages=(),  # added once every page is written (``keep_model``)
        files=dict(sorted(build.ledger.fates.items())),
        topics=topics,
        sources=sources,
        home=home_values(context, positions),
        feeds=build.feed_files,
        **item_products(stories_of(build.articles), topics, build.settings),
        context_names=tuple(sorted(name for name in context if not name.isupper())),
        recipe=recipe_of(build.settings),
    )


def write_model(build: Build, positions: dict[int, int], beside: bool = False) -> None:
    """Make the model's items and leave them at ``next_path``; logs their size and time."""
    started = time.perf_counter()
    with gc_paused():
        model = make_model(build, positions)
        size = store.write_head(store.next_path(build.output), model)
    logger.info(
        "site model: %d items, %d bytes in %.2f s%s",
        len(model.items),
        size,
        time.perf_counter() - started,
        " (forked process, beside the pages)" if beside else "",
    )


def start_model(pelican: Any, build: Build) -> None:
    """The ARTICLES step: write the model, beside the page writer when a fork fits the budget."""
    store.next_path(build.output).unlink(missing_ok=True)  # an earlier stopped build's
    positions = news_positions(build.articles)
    _PAGES.clear()
    _PAGES.update(root=os.path.join(build.target, ""), positions=positions, records=[])
    if fork_fits(pelican.settings, "site_model"):
        forked.beside(build.private).add(_LABEL, lambda: write_model(build, positions, beside=True))
        build.private[_BESIDE] = True
    else:
        write_model(build, positions)


def keep_model(pelican: Any, build: Build) -> None:
    """The RECORD step: once the work is done, the model written is the model."""
    if build.private.pop(_BESIDE, None):
        started = time.perf_counter()
        forked.beside(build.private).result(_LABEL)
        logger.info(
            "site model: waited %.2f s for the process beside the build", time.perf_counter() - started
        )
    pages, reads = with_reads(_PAGES.pop("records", ()), build.render.reads)
    _PAGES.clear()
    items = store.next_path(build.output)
    try:
        if not items.exists():
            raise FileNotFoundError(items)
        store.add_pages(items, pages, reads, sitemaps(pages, stories_of(build.articles), build.settings))
    except FileNotFoundError:  # a cache, never a reason to fail the build: the next one writes it
        logger.warning("site model: %s is missing; the last model stays", items)
        return
    store.publish(build.output)


def page_written(path: str, context: Any = None) -> None:
    """``content_written``: note which items the page shows (its article or its list page)."""
    root = _PAGES.get("root")
    if root is None or not isinstance(context, dict) or not path.startswith(root):
        return
    relative = path[len(root) :].replace(os.sep, "/")
    _PAGES["records"].append(page_record(relative, context, _PAGES["positions"]))


def register() -> None:
    register_plugin(
        __package__,
        requires={
            "news-items",
            "related-links",
            "source-pages",
            "theme-data",
            "render-stats",
            "top-stories",
            "coverage",
            "feed-format",
            "api",
            "search",
            "sitemaps",
        },
        settings=SETTINGS,
        steps=[(Phase.INSTEAD, rebuild_instead), (Phase.ARTICLES, start_model), (Phase.RECORD, keep_model)],
        planned_steps=[(Phase.RECORD, keep_planned_model)],
    )
    signals.all_generators_finalized.connect(collect_articles)
    signals.all_generators_finalized.connect(keep_context)
    signals.content_written.connect(page_written)
