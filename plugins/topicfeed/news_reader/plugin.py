"""Wiring of the news reader into Pelican's signals.

- ``readers_init``: the reader takes the news extensions (``NEWS_FILE_EXTENSIONS``).
- ``article_generator_init``: reading starts. Pelican's content cache stops stamping files it
  does not keep (:func:`topicfeed.pelican_adapter.skip_unkept_file_stamps`). Forked readers
  (:mod:`.prefetch`) start preparing every news file of the article paths, and the cyclic
  garbage collector pauses until the articles are final (phase ``ARTICLES``): what reading made
  is frozen when reading is done (:func:`end_reading`), what the steps on the articles made when
  they are (:func:`resume_collector`); it stays until the build ends, and the collector would
  scan it again and again.
- ``article_generator_context``: each file's problems are logged, one line each, and its fate
  (published, unpublished, rejected) recorded in the build's ledger (``Build.ledger``, read by
  the build report), on every build.
- ``article_generator_pretaxonomy``: the forked readers stop; article
  URLs and topic slugs are made unique before Pelican groups articles by tag, so nothing is
  overwritten and no two topics share a page.
- ``article_generator_finalized``: in strict mode, any rejected file fails the build.
- ``all_generators_finalized``: once every file is read, the item store drops the records no
  file used, and one line says how many files were parsed and how many came from the store.
- phase ``ARTICLES`` (Pelican asks for its writer): the collector runs again.

The plugin provides ``news-items``: articles whose item :func:`topicfeed.items.item_of` returns.
"""

from __future__ import annotations

import gc
import logging
import os
from collections import defaultdict
from typing import Any

from pelican import signals
from pelican.utils import order_content

from topicfeed import pelican_adapter, permalinks
from topicfeed.build import Build
from topicfeed.items import ARTICLE_LISTS, item_of, problems_of
from topicfeed.ledger import Ledger
from topicfeed.model import Problem, log_problem
from topicfeed.plugin import Phase, register_plugin
from topicfeed.text import short_hash, topic_key, unique_topic_slugs

from . import prefetch
from .derive import listed_articles, make_articles, read_news
from .duplicates import duplicate_stories
from .reader import FileParser, NewsReader, close_store, end_sharing, open_store
from .settings import SETTINGS
from .source import extension_variants

logger = logging.getLogger(__name__)


def _ledger(generator: Any) -> Ledger:
    return Build.of(generator).ledger


def add_reader(readers: Any) -> None:
    for extension in readers.settings["NEWS_FILE_EXTENSIONS"]:
        for spelling in extension_variants(extension):  # .txt, .TXT, .Txt...: Pelican's match is exact
            readers.reader_classes[spelling] = NewsReader


def news_files(generator: Any) -> list[str]:
    """The news files the generator is about to read, as the reader gets them, in its order."""
    settings = generator.settings
    extensions = settings["NEWS_FILE_EXTENSIONS"]
    spellings = {spelling for extension in extensions for spelling in extension_variants(extension)}
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    return [
        os.path.abspath(os.path.join(generator.path, name))
        for name in files
        if name.rpartition(".")[2] in spellings
    ]


#: Whether this module paused the collector for the reading in progress (it was on before).
_PAUSED: list[bool] = []


def start_reading(generator: Any) -> None:
    """Pause the collector and start the forked readers (``NEWS_READ_PROCESSES``).

    With Pelican's content cache off, the generator and its readers no longer stamp (``stat``)
    each file four times for a cache that keeps nothing (0.1 s at 10,000 items).
    """
    pelican_adapter.skip_unkept_file_stamps(generator)
    if _PAUSED or gc.isenabled():  # paused already: an earlier run stopped before its articles were final
        gc.unfreeze()  # an earlier run's objects (autoreload) may be garbage now: collectable again
        gc.disable()
        _PAUSED[:] = [True]
    settings = generator.settings
    processes = settings["NEWS_READ_PROCESSES"] or os.cpu_count() or 1
    if processes < 2:
        return
    store, _ledger = open_store(settings)
    prefetch.start(settings, FileParser(settings), store, news_files(generator), processes)


def end_reading(settings: dict[str, Any]) -> None:
    """Every article file is read: stop the forked readers and freeze what reading made.

    What reading made (articles, items, metadata; millions of objects at 100,000 items) lives
    until the build ends, and reading leaves almost no cyclic garbage (10 objects at 10,000
    items), so it is frozen (``gc.freeze``) rather than scanned: otherwise the first collection
    after reading scans all of it as young objects (0.45 s at 10,000 items), and every full
    collection of the later steps scans it again (4.4 s of collections in a 10,000-item build).
    The next run in the same process (autoreload) unfreezes it when its reading starts. The
    collector stays paused until the articles are final (:func:`resume_collector`).
    """
    prefetch.stop(settings)
    if _PAUSED:
        gc.freeze()


def resume_collector(pelican: Any, build: Build) -> None:
    """Phase ``ARTICLES``: every article is final; freeze what the steps since reading made and
    let the collector run again.

    Between reading and this point the steps on the articles (URLs, related stories, sources,
    feed plans, neighbours, charts) make millions of objects at 100,000 items that live to the
    end of the build, and no cyclic garbage: with the collector on, a full collection came each
    time those objects grew by a quarter (a frozen heap counts as none), nine of them in a
    one-item rebuild, 7.7 s, and every one of them found nothing.
    """
    if _PAUSED:
        _PAUSED.clear()
        gc.freeze()
        gc.enable()


def report(ledger: Ledger, problem: Problem) -> None:
    """Log one problem as one line and keep it for the build report."""
    ledger.problems.append(problem)
    try:
        log_problem(logger, problem)
    except RuntimeError:
        pass  # --fatal: the line is out; strict mode fails the build once all are read


def record_file(generator: Any, metadata: dict[str, Any]) -> None:
    """Log a file's problems and record its fate; runs for cached files too."""
    problems = problems_of(metadata)
    item = item_of(metadata)
    if item is None and not problems:
        return  # an ordinary Markdown article
    ledger = _ledger(generator)
    for problem in problems:
        report(ledger, problem)
    if item is None:
        path = problems[0].path
        ledger.fates[path] = "rejected"
    else:
        ledger.fates[item.source_path] = "published" if item.published else "unpublished"


def _all_articles(generator: Any) -> list[Any]:
    return [article for name in ARTICLE_LISTS for article in getattr(generator, name)]


def _identity(article: Any) -> str:
    item = item_of(article)
    return item.key if item is not None else article.relative_source_path


def make_urls_unique(generator: Any) -> None:
    """Give every article its own output file, deterministically.

    Of the articles that would share a file, the earliest (then the smallest story key) keeps
    the plain slug; each other gets a short hash of its story key appended, so its URL does
    not depend on which other items happen to be in the feed.
    """
    articles = _all_articles(generator)
    groups: dict[str, list[Any]] = defaultdict(list)
    for article in articles:
        groups[article.save_as].append(article)
    taken = set(groups)
    for save_as, group in sorted(groups.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda a: (a.date, _identity(a), a.relative_source_path))
        for article in group[1:]:
            base_slug = article.slug
            seed = _identity(article)
            length = 6
            while article.save_as in taken:
                if length > 40:
                    seed, length = article.relative_source_path, 6
                article.slug = f"{base_slug}-{short_hash(seed, length)}"
                permalinks.apply(article)  # api: a file-name URL follows the new slug
                length += 2
            taken.add(article.save_as)
            logger.info(
                "%s: slug: %s is also used by %s; this one is at %s",
                article.relative_source_path,
                save_as,
                group[0].relative_source_path,
                article.url,
            )


def make_topic_slugs_unique(generator: Any) -> None:
    """Distinct topics never share a slug: later keys (in sorted order) get a hash suffix.

    Every slug is recomputed from the topic's key, never taken from ``tag.slug``: with
    Pelican's content cache, the Tag objects of unchanged files come back from the cache with
    the slug a previous build gave them (suffix included), beside fresh ones from new files.
    """
    tags_by_key: dict[str, list[Any]] = defaultdict(list)
    for article in _all_articles(generator):
        for tag in getattr(article, "tags", []) or []:
            tags_by_key[topic_key(tag.name)].append(tag)
    for key, slug in unique_topic_slugs(tags_by_key).items():
        for tag in tags_by_key[key]:
            tag.slug = slug


def warn_duplicate_stories(generator: Any) -> None:
    """Two files carrying one story both get pages, but the editor should know (:mod:`.duplicates`)."""
    items = [item for item in map(item_of, generator.articles) if item is not None]
    for problem in duplicate_stories(items):
        report(_ledger(generator), problem)


def order_deterministically(generator: Any) -> None:
    """Break ties in ``ARTICLE_ORDER_BY`` by source path, not by the file system's walk order.

    Items published in the same second are common; without this, two builds of the same
    content could list them in different orders.
    """
    for name in ARTICLE_LISTS:
        articles = getattr(generator, name)
        articles.sort(key=lambda a: a.relative_source_path)
        order_content(articles, generator.settings["ARTICLE_ORDER_BY"])


def freeze_urls(generator: Any) -> None:
    """Store each article's final URL and file so Pelican stops re-formatting them.

    Pelican recomputes ``url`` and ``save_as`` from the URL settings on every access (a copy of
    the metadata each time); templates, feeds and sitemaps ask tens of times per article.
    """
    for article in _all_articles(generator):
        article.override_url = article.url
        article.override_save_as = article.save_as


def assign_urls(generator: Any) -> None:
    end_reading(generator.settings)
    for article in _all_articles(generator):
        permalinks.apply(article)  # api: date and slug from an exporter file name
    order_deterministically(generator)
    warn_duplicate_stories(generator)
    make_urls_unique(generator)
    make_topic_slugs_unique(generator)
    freeze_urls(generator)


def enforce_strict(generator: Any) -> None:
    ledger = _ledger(generator)
    strict = generator.settings["NEWS_STRICT"] or pelican_adapter.fatal_level() <= logging.ERROR
    if strict and ledger.rejected:
        # SystemExit, not an exception: Pelican would print a traceback for a data problem.
        logger.critical(
            "strict mode: %d news file(s) rejected: %s", len(ledger.rejected), ", ".join(ledger.rejected)
        )
        raise SystemExit(1)


def finish_reading(generators: list[Any]) -> None:
    """Save the item store once every file is read, and say what reading cost."""
    if not generators:
        return
    settings = generators[0].settings
    end_reading(settings)  # when reading stopped before the taxonomy step
    end_sharing(settings)
    _store, ledger = open_store(settings)
    if ledger is None:
        return
    saved = close_store(settings)
    logger.info(
        "news items: %d parsed, %d from the item store (store: %s)", ledger.parsed, ledger.reused, saved
    )


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"news-items", "news-articles", "news-listed-articles"},
        steps=[(Phase.ARTICLES, resume_collector)],
        derives={
            "news-items": read_news,
            "news-articles": make_articles,
            "news-listed-articles": listed_articles,
        },
    )
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(start_reading)
    signals.article_generator_context.connect(record_file)
    signals.article_generator_pretaxonomy.connect(assign_urls)
    signals.article_generator_finalized.connect(enforce_strict)
    signals.all_generators_finalized.connect(finish_reading)
