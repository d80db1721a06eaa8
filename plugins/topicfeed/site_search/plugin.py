"""The search page and its index: Pagefind (the ``pagefind[bin]`` pin) run on a search document per story.

The search page is Pelican's direct template ``search`` (``SEARCH_URL``, ``SEARCH_SAVE_AS``),
added to ``DIRECT_TEMPLATES`` only when the theme has a ``search.html``, so a theme without one
(Pelican's ``simple``) still builds, without a search page and without an index.

Pagefind indexes a small HTML document per published article (``documents.py``: its words,
filters, sort key and the fields shown beside a result), made when the articles are final, so
it indexes exactly what is published: unpublished and rejected items have no article, and pages
that are not articles (home, topics, archives, search) are not in the index. The bundle goes to
``SEARCH_BUNDLE_DIR`` (``pagefind/``); the search page loads it from there, and Pagefind derives
the result URLs' base from where its script was loaded, so results work under a sub-path
(``https://user.github.io/repo/``) too.

The index is split into bundles of consecutive months (``shards.py``, ``SEARCH_SHARDS``), each a
Pagefind bundle in ``<SEARCH_BUNDLE_DIR>/<first month>/``, listed newest first in
``<SEARCH_BUNDLE_DIR>/shards.json``; the search page searches them all and merges the results.
A rebuild runs Pagefind only for the bundles whose documents changed and links the others from
the previous site (``indexer.py``): editing one item re-indexes one bundle, not the whole site,
and no Pagefind process holds more than one bundle's pages in memory.

Indexing starts when the articles are final, before any page is written (phase ``LAUNCHED``,
right after the process beside the build is forked, so that process never waits for it),
and is waited for in phase ``INDEX``: Pagefind works beside the page writer, the feeds and the
API instead of after them. It writes into ``build.target`` (where this run writes); a build that
stops before ``INDEX`` stops Pagefind too. ``SEARCH_INDEX = False`` skips it.
A missing binary or a failed run is logged as an error (so ``--fatal errors`` fails the build);
the site is still written, without an index, and its search page says that search is unavailable.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import subprocess
import tempfile
import time
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pelican import signals
from pelican.generators import PelicanTemplateNotFound

from topicfeed.build import Build
from topicfeed.items import ARTICLE_LISTS
from topicfeed.memory_budget import extra_processes
from topicfeed.plugin import Phase, register_plugin

from .documents import search_pages
from .files import derive_search
from .from_model import write_search_from_model
from .indexer import IndexWork, ShardedIndexing, remove_partial
from .settings import SETTINGS
from .shards import Shard, plan_shards

logger = logging.getLogger(__name__)

SEARCH_TEMPLATE = "search"
TIMEOUT_SECONDS = 1800


def pagefind_executable() -> Path:
    """The Pagefind binary inside the ``pagefind_bin`` package (raises FileNotFoundError)."""
    try:
        import pagefind_bin  # here, not at the top: a missing package is a logged error
    except ImportError as error:
        raise FileNotFoundError("the pagefind_bin package is not installed") from error
    return pagefind_bin.get_executable()


def indexed_pages(bundle: Path) -> int:
    """Pages in the index, from the bundle's ``pagefind-entry.json`` (every language)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(language.get("page_count", 0)) for language in entry.get("languages", {}).values())


#: The allocator settings of the Pagefind binary (jemalloc, which reads them from this variable).
#: Pagefind keeps every page's words in memory until it writes the index, so it is the largest
#: process of a build (715 MB at 10,000 items, twice the build's own). One arena instead of one
#: per thread, and freed pages handed back within a second, take 16 % off its peak (715 -> 600
#: MB) for no CPU time that could be measured (handing them back at once: 591 MB, more system
#: time). Its memory in huge pages (``thp:always``: jemalloc asks for them with ``madvise``, which
#: Linux's default THP mode honours) takes a bundle of 1,461 pages from about 76,000 page faults
#: to 3,500 and from 0.28 to 0.12 s of system time, for 7 % more peak memory; where a page fault
#: is costly (a busy virtual machine), that was most of a cold build's system time. The index
#: is byte for byte the same. A value already in the environment is kept.
PAGEFIND_MALLOC_CONF = (
    "_RJEM_MALLOC_CONF",
    "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0,thp:always,metadata_thp:always",
)


def pagefind_environment() -> dict[str, str]:
    """This process's environment, with Pagefind's allocator settings unless already given."""
    name, value = PAGEFIND_MALLOC_CONF
    return {name: value, **os.environ}


def release_free_memory() -> bool:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``); False without it.

    The build has freed large buffers by the time Pagefind starts, but the C allocator keeps
    their pages; Pagefind, the largest process of the build, would then run beside a build
    bigger than it needs to be. Nothing the build holds is touched, only memory it has freed.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows)
        return False
    trim(0)
    return True


def pagefind_command(site: Path, bundle: Path) -> list[str]:
    """Index every HTML file under ``site`` into the bundle folder ``bundle`` (absolute)."""
    return [str(pagefind_executable()), "--site", str(site), "--output-path", str(bundle.resolve())]


def run_pagefind(site: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    """Run Pagefind to the end, the build's way (:func:`start_pagefind`), and return its result."""
    return start_pagefind(site, bundle).wait()


@dataclass
class Indexing:
    """A Pagefind run under way: started in ``LAUNCHED``, finished in ``INDEX``."""

    process: subprocess.Popen[str]
    site: Path
    bundle: Path
    started: float
    #: Pagefind's output goes to files, not pipes: a full pipe would stall it until ``INDEX``.
    stdout: IO[str]
    stderr: IO[str]

    def wait(self) -> subprocess.CompletedProcess[str]:
        """Pagefind's result (raises TimeoutExpired after ``TIMEOUT_SECONDS`` in all, killing it)."""
        remaining = TIMEOUT_SECONDS - (time.perf_counter() - self.started)
        try:
            returncode = self.process.wait(timeout=max(remaining, 0.0))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self.stdout.seek(0)
        self.stderr.seek(0)
        result = subprocess.CompletedProcess(
            self.process.args, returncode, self.stdout.read(), self.stderr.read()
        )
        self.stdout.close()
        self.stderr.close()
        return result


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop a Pagefind run nobody waits for any more (the build failed between its two steps)."""
    if process.poll() is None:
        process.kill()
        process.wait()


def start_pagefind(site: Path, bundle: Path) -> Indexing:
    """Start Pagefind on the documents in ``site`` and return at once (raises FileNotFoundError
    without it)."""
    command = pagefind_command(site, bundle)
    started = time.perf_counter()
    stdout = tempfile.TemporaryFile("w+", encoding="utf-8")
    stderr = tempfile.TemporaryFile("w+", encoding="utf-8")
    try:
        # cwd=site: Pagefind also reads a pagefind.yml/.toml/.json from its working directory;
        # running inside its own folder keeps a stray config file in the project from changing the index.
        process = subprocess.Popen(
            command,
            cwd=site,
            env=pagefind_environment(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    except OSError:
        stdout.close()
        stderr.close()
        raise
    indexing = Indexing(process, site, bundle, started, stdout, stderr)
    weakref.finalize(indexing, _stop, indexing.process)
    return indexing


def note_articles(generator: Any) -> None:
    """``article_generator_finalized``: the articles whose pages the index covers (documents are
    made in ``LAUNCHED``, once related stories and sources are attached)."""
    articles = [a for name in ARTICLE_LISTS for a in getattr(generator, name, ()) if a.save_as]
    Build.of(generator).private[__package__ or __name__] = articles


def add_search_page(generator: Any) -> None:
    """Let Pelican write the search page as a direct template, if the theme has one."""
    settings = generator.settings
    templates = list(settings["DIRECT_TEMPLATES"])
    if not settings["SEARCH_SAVE_AS"] or SEARCH_TEMPLATE in templates:
        return
    try:
        generator.get_template(SEARCH_TEMPLATE)
    except PelicanTemplateNotFound:
        logger.info("search: the theme has no %s.html, so the site has no search page", SEARCH_TEMPLATE)
        return
    settings["DIRECT_TEMPLATES"] = [*templates, SEARCH_TEMPLATE]


#: What one Pagefind run holds per page of its bundle, in MB, for ``MEMORY_BUDGET_MB``: its
#: maximum resident set was 647 MB for the 8,004 article pages of the 10,000-item benchmark set,
#: one run over all of them, and 362 MB for a bundle of 4,386 pages of the 100,000-item set
#: (260 to 270 MB by proportional set size, sampled each second, when bundles held 8,192 pages
#: there); the larger figure, as a plan should.
PAGEFIND_MB_PER_PAGE = 0.08


def parallel_runs(settings: dict[str, Any], shards: list[Shard]) -> int:
    """``SEARCH_PARALLEL_RUNS``, fewer when that many runs of the largest bundle would not fit
    the memory budget (one run at least)."""
    wanted = settings["SEARCH_PARALLEL_RUNS"]
    if wanted <= 1 or len(shards) <= 1:
        return wanted
    largest = max(len(shard.pages) for shard in shards)
    return extra_processes(settings, wanted, largest * PAGEFIND_MB_PER_PAGE, at_least=1, step="search")


#: Where ``start_index`` leaves the run for ``finish_index`` (``Build.private``).
INDEXING = f"{__package__ or __name__}.indexing"
#: How long making the search documents took, for ``finish_index``'s log line.
DOCUMENTS_SECONDS = f"{__package__ or __name__}.documents"


def start_index(pelican: Any, build: Build) -> None:
    """Phase LAUNCHED: every article is final; start the bundles (or keep the previous ones)."""
    settings = pelican.settings
    if not settings["SEARCH_INDEX"] or SEARCH_TEMPLATE not in settings["DIRECT_TEMPLATES"]:
        return  # indexing off, or no search page to use an index
    bundle_dir = settings["SEARCH_BUNDLE_DIR"].strip("/")
    articles = build.private.pop(__package__ or __name__, [])
    started = time.perf_counter()
    pages = search_pages(articles, settings)
    build.private[DOCUMENTS_SECONDS] = time.perf_counter() - started
    shards = plan_shards(pages, settings["SEARCH_SHARDS"], settings["SEARCH_SHARD_MIN_PAGES"])
    previous = build.output / bundle_dir if build.output != build.target else None
    release_free_memory()
    work = IndexWork(
        build.target,
        bundle_dir,
        shards,
        previous,
        start_pagefind,
        parallel=parallel_runs(settings, shards),
    )
    build.private[INDEXING] = ShardedIndexing(work, TIMEOUT_SECONDS)


def finish_index(pelican: Any, build: Build) -> None:
    """Phase INDEX: wait for the bundles, log what happened, and list them (or remove them)."""
    indexing: ShardedIndexing | None = build.private.pop(INDEXING, None)
    if indexing is None:
        return
    outcome = indexing.finish()
    for level, message in outcome.messages:
        logger.log(level, "%s", message)
    root = build.target / pelican.settings["SEARCH_BUNDLE_DIR"].strip("/")
    if not outcome.complete:
        remove_partial(root)
        return
    seconds = time.perf_counter() - indexing.started
    pages = sum(indexed_pages(root / name) for name in outcome.indexed)
    logger.info(
        "Search index: %d of %d bundles indexed (%d pages), %d kept, in %.2f s (Pagefind, %s/; "
        "search documents made in %.2f s)",
        len(outcome.indexed),
        len(outcome.indexed) + len(outcome.kept),
        pages,
        len(outcome.kept),
        seconds,
        root.name,
        build.private.pop(DOCUMENTS_SECONDS, 0.0),
    )


def write_from_model(site: Any, paths: Collection[str], folder: Callable[[], Path]) -> set[str]:
    """The search bundles and listing among ``paths``, from the site model (:mod:`.from_model`),
    indexed by Pagefind as in a build: from the site alone (a search document reads the stories,
    not the pages), so a rebuild indexes while it plans and renders."""
    return write_search_from_model(site, paths, folder, start_pagefind, parallel_runs)


def register() -> None:
    register_plugin(
        __package__ or __name__,
        settings=SETTINGS,
        provides={"search"},
        steps=[(Phase.LAUNCHED, start_index), (Phase.INDEX, finish_index)],
        derives={"search": derive_search},
        site_writes={"search": write_from_model},
    )
    signals.article_generator_init.connect(add_search_page)
    signals.article_generator_finalized.connect(note_articles)
