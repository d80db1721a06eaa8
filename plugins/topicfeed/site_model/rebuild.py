"""A rebuild from the site model (step 5 of docs/rebuild-plan.md): after a change to news files
only, write only the files the change reaches, into a copy of the last site made of hard links.

Decided at ``initialized`` (phase ``INSTEAD``: no ``CHECK`` step found the run has nothing to
do), by :func:`plan_rebuild`; any doubt means a full build, logged with the reason:

- ``REBUILD_FROM_MODEL`` is on and no ``--fatal`` level is set;
- the model beside the output loads, names the build the record of the last site's files
  names (the ``site-listing`` derivation), and was made with this run's recipe (the settings,
  Python and packages, theme and plugins: :func:`topicfeed.build_inputs.recipe_digest`, taken
  here for every run and kept in the model);
- the content folder holds news files only (a page, a static file: a full build);
- the prediction covers the change (:mod:`.predict`); a rejected news file is logged as a
  build logs it and shown nowhere, as in a build (in strict mode the ``news-items``
  derivation refuses it, and the full build fails on it);
- no redirect page is there or due (the ``redirects`` derivation, before and after the change);
- each file of the last site must still be the one the last build recorded (size and
  modification time: what a cache restored on another machine keeps), and every one recorded
  still there, or the run turns into a full build at its start: the output step links them all
  into the building folder while the run plans (``topicfeed.atomic_output.ahead``).

Then :func:`topicfeed.plugin.run_planned` replaces Pelican's run: the plugins' planned steps
(the output lock and building folder, the unchanged-build record, the redirects' state, the
swap) around :func:`write_planned`, which removes from the building folder the last site's
files that the change reaches (:func:`.reach.reach`, found in a process forked beside the
renderer's set-up: :func:`reaching`) or removes, then renders and writes those
(:class:`.render.PageRenderer`; the search bundles in a process started while the run
planned, which writes them once the building folder is ready: :class:`.site_writes.SiteWrites`),
and logs the news files' problems as a build logs them. The next model is the prediction with
what the rendered pages read: its items are written as the reach is found
(:func:`write_next_model_head`), its pages once they are rendered (:func:`write_next_model`),
and :func:`keep_planned_model` (phase ``RECORD``) publishes it once the site is whole. A file
linked is never written through: each file the change reaches is removed before anything
writes and written anew, so the last site stays as it was until the swap. A run whose linking
finds the output is not the site it planned from (a build stopped before its swap left the
record and model of a site never swapped in, a file was changed by hand) builds in full
(:func:`topicfeed.pelican_adapter.run_in_full`).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import os
import shutil
import time
from collections.abc import Callable, Collection, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from pelican.log import console

from topicfeed import build_inputs, forked, pelican_adapter, teardown
from topicfeed.build import Build, KnownFiles, RenderStats
from topicfeed.gc_pause import gc_paused, young_collections_only
from topicfeed.memory_budget import extra_processes, resident_mb
from topicfeed.model import log_problem
from topicfeed.plugin import Underivable, derivation, run_planned, start_planning, workings

from . import store
from .predict import Prediction, prediction
from .reach import reach
from .records import ItemRecord, SiteModel, with_reads
from .render import PageRenderer
from .site_writes import SiteWrites

logger = logging.getLogger(__name__)

#: Each run's recipe (by settings dict), taken at ``INSTEAD`` for the model the run leaves.
_RECIPES: dict[int, str] = {}
#: ``build.private`` key: the planned run wrote its next model (:func:`write_next_model`).
_MODEL_WRITTEN = __name__ + ".model-written"


class Reached(NamedTuple):
    """What the change reaches: the pages and other files to write (in the new site), the
    files of the last site that go, and how many news files changed."""

    pages: list[str]
    files: list[str]
    gone: frozenset[str]
    changed: int
    #: Those of ``files`` written from the site alone (the search index's: :mod:`.site_writes`).
    site_files: frozenset[str] = frozenset()


class Plan(NamedTuple):
    """What a rebuild from the model writes: the prediction it renders from, what the change
    reaches (:attr:`reached`: waits for it), and the writes from the site alone, started while
    it planned."""

    last: SiteModel
    planned: Prediction
    reached: Callable[[], Reached]
    site_writes: SiteWrites


def take_recipe(settings: dict[str, Any], skip: Collection[Path], news_only: bool) -> str:
    """This run's recipe, kept for the model it leaves: "" when a setting has no stable form or
    the content folder holds more than news files (a model of such a site plans nothing: the
    files besides the news would have to be compared too)."""
    digest = ""
    if news_only:
        try:
            records = build_inputs.recipe_records(settings, {}, 0, skip)
            digest = build_inputs.recipe_digest(settings, records, leave_out=workings(settings))
        except build_inputs.Unstable:
            pass
    _RECIPES[id(settings)] = digest
    return digest


def recipe_of(settings: dict[str, Any]) -> str:
    return _RECIPES.get(id(settings), "")


def _output(settings: dict[str, Any]) -> Path:
    return Path(settings["OUTPUT_PATH"]).resolve()


def _skip(settings: dict[str, Any], output: Path) -> list[Path]:
    """The build's own folders, wherever they are: never part of its inputs."""
    return [output, output.parent / f".{output.name}.building", Path(settings["CACHE_PATH"]).resolve()]


def content_files(settings: dict[str, Any], skip: Collection[Path]) -> list[str]:
    """Every news file of the content folder (absolute paths, sorted); raises
    :class:`Underivable` when it holds anything a news file's reading does not cover."""
    if list(settings.get("ARTICLE_PATHS") or [""]) not in ([""], ["."]):
        raise Underivable("ARTICLE_PATHS names folders")
    root = Path(settings["PATH"]).resolve()
    extensions = {extension.lower() for extension in settings["NEWS_FILE_EXTENSIONS"]}
    ignored = build_inputs.ignore_pattern(settings.get("IGNORE_FILES") or ())
    skipped = {os.path.realpath(path) for path in skip}
    others = [*(settings.get("PAGE_PATHS") or ()), *(settings.get("STATIC_PATHS") or ())]
    others += list(settings.get("ARTICLE_EXCLUDES") or ())
    for other in others:
        if other and (root / other).exists():
            raise Underivable(f"the content folder holds {other} (pages, static files or excluded ones)")
    found = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = [
            d
            for d in dirs
            if not (ignored and ignored(d)) and os.path.realpath(os.path.join(folder, d)) not in skipped
        ]
        for name in files:
            if ignored and ignored(name):
                continue
            path = os.path.join(folder, name)
            if name.rpartition(".")[2].lower() not in extensions or "." not in name:
                raise Underivable(f"{os.path.relpath(path, root)}: not a news file")
            found.append(path)
    return sorted(found)


def _story_urls(model: SiteModel) -> dict[str, str]:
    """Story key -> URL, the first item of a story as the site lists them (as the redirects see it)."""
    urls: dict[str, str] = {}
    key, url = ItemRecord._fields.index("key"), ItemRecord._fields.index("url")
    for record in model.items:
        urls.setdefault(record[key], record[url])
    return urls


def _other_files(model: SiteModel) -> set[str]:
    """Every file of the model that is no page (feeds, API, sitemaps, search bundles)."""
    return {entry[0] for entry in (*model.feeds, *model.api, *model.sitemaps, *model.search)}


def _changed(last: SiteModel, model: SiteModel) -> int:
    """News files whose fate or contents changed (for the message)."""
    before = {record[1]: record[2] for record in last.items}
    after = {record[1]: record[2] for record in model.items}
    names = last.files.keys() | model.files.keys()
    return sum(
        1
        for name in names
        if last.files.get(name) != model.files.get(name) or before.get(name) != after.get(name)
    )


def plan_rebuild(
    settings: dict[str, Any], files: list[str], planning: Callable[[], None] = lambda: None
) -> Plan:
    """The rebuild from the model this run can be, for the news ``files`` of the content folder
    (:func:`content_files`); raises :class:`Underivable` saying why not. ``planning`` is called
    once the run can be one (the last build's model and record fit), before the prediction."""
    output = _output(settings)
    recipe = recipe_of(settings)
    if pelican_adapter.fatal_level() <= logging.CRITICAL:
        raise Underivable("--fatal is given: the full build decides what fails it")
    if not output.is_dir():
        raise Underivable(f"{output} is not built yet")
    last, why = store.load(store.model_path(output))
    if last is None:
        raise Underivable(why)
    if not recipe or last.recipe != recipe:
        raise Underivable(
            "the settings, theme, plugins, packages or files besides the news are not those of the last build"
        )
    made_by, _ = derivation(settings, "site-listing")(output)
    if made_by != last.build:
        raise Underivable("the model and the record of the last site's files are of different builds")
    planning()
    writes: list[SiteWrites] = []
    try:
        planned = prediction(
            last, files, settings, lambda site, guess: writes.append(SiteWrites.ahead(site, guess))
        )
        try:
            redirects = derivation(settings, "redirects")
        except Underivable:
            redirects = None  # no plugin writes redirect pages
        if redirects is not None and any(
            redirects(settings, output, _story_urls(last), _story_urls(planned.model))
        ):
            raise Underivable("redirect pages are there or due")
    except BaseException:
        for started in writes:
            started.stop()
        raise
    (site_writes,) = writes  # started once the prediction knew the stories
    return Plan(last, planned, reaching(last, planned.model, settings), site_writes)


def find_reach(last: SiteModel, model: SiteModel) -> Reached:
    """What the change from ``last`` to ``model`` reaches (:func:`.reach.reach`)."""
    found = reach(last, model)
    new_pages = {page[0] for page in model.pages}
    new_files = _other_files(model)
    gone = frozenset(({page[0] for page in last.pages} - new_pages) | (_other_files(last) - new_files))
    return Reached(
        sorted(found.pages & new_pages),
        sorted((found.feeds | found.api | found.sitemaps | found.search) & new_files),
        gone,
        _changed(last, model),
        found.search & new_files,
    )


def reaching(last: SiteModel, model: SiteModel, settings: dict[str, Any]) -> Callable[[], Reached]:
    """:func:`find_reach`, in a process forked to run beside the renderer's set-up (neither needs
    the other: 2.0 and 3.0 s at 100,000 items, one story added, one after the other on one core
    while the other waited), unless the memory budget has no room for it; the function that
    waits for it."""
    fork = extra_processes(settings, 1, resident_mb(), step="site model reach") == 1
    return forked.ahead("reach", lambda: find_reach(last, model), fork)


def rebuild_instead(pelican: Any, _build: Build | None) -> None:
    """The ``INSTEAD`` step: take this run's recipe; if the run can be a rebuild from the model,
    make it one."""
    settings = pelican.settings
    started = time.perf_counter()
    skip = _skip(settings, _output(settings))
    try:
        files = content_files(settings, skip)
    except Underivable as error:
        take_recipe(settings, skip, news_only=False)
        if settings["REBUILD_FROM_MODEL"]:
            logger.info("site model: a full build (%s)", error)
        return
    take_recipe(settings, skip, news_only=True)
    if not settings["REBUILD_FROM_MODEL"]:
        return
    try:
        with gc_paused():
            plan = plan_rebuild(settings, files, lambda: start_planning(pelican))
            # Not taken apart as the run returns: the process exits right after it.
            teardown.keep_past_run(plan)
            # What the plan holds lives to the end of the run and holds no garbage: out of the
            # collector's sight, as a build freezes what it read (each full collection after
            # the plan went over all of it: 0.2 to 0.4 s at 10,000 items).
            gc.freeze()
    except Underivable as error:
        logger.info("site model: a full build (%s)", error)
        return
    logger.info("site model: planned in %.2f s", time.perf_counter() - started)

    def instead() -> None:
        try:
            with young_collections_only():  # what the run makes lives to its end
                run_planned(pelican, plan.planned, lambda pelican, build: write_planned(plan, build, started))
        except Underivable as error:  # found once the output is this run's (the full run's
            # output step clears what this one wrote into the building folder)
            plan.site_writes.stop()  # if not told to go yet: nothing of theirs is written
            logger.info("site model: a full build (%s)", error)
            pelican_adapter.run_in_full(pelican)

    pelican_adapter.skip_run(pelican, instead)


def _log_problems(problems: Collection[Any]) -> None:
    """Each news file's problems, as a build logs them while it reads."""
    for problem in problems:
        try:
            log_problem(logger, problem)
        except RuntimeError:  # --fatal: not planned then; the line is out all the same
            pass


def write_planned(plan: Plan, build: Build, started: float) -> None:
    """Write the new site into ``build.target``, which holds the last site's files (linked by the
    output step while the run planned: ``Build.prefilled``): the files the change reaches or
    removes go first, then the reached ones are rendered and written."""
    prefilled = build.prefilled
    if prefilled is None:
        raise Underivable("the building folder does not hold the last site")
    _log_problems(plan.planned.problems)
    times = [time.perf_counter()]
    # The renderer is set up, and the next model's items written, while the reach is found
    # beside them (:func:`reaching`); the search bundles wait for the reach.
    renderer = PageRenderer(plan.planned, build.target)
    write_next_model_head(build)
    times.append(time.perf_counter())
    reached = plan.reached()
    times.append(time.perf_counter())
    logger.info(
        "site model: %d pages and %d other files to write, %d to remove",
        len(reached.pages),
        len(reached.files),
        len(reached.gone),
    )
    leave = {*reached.pages, *reached.files, *reached.gone}
    # Before anything writes: each of these is the published site's own file.
    remove_linked(build.target, leave, prefilled)
    times.append(time.perf_counter())
    site_writes = plan.site_writes
    site_writes.go(reached.site_files, build.target)
    try:
        # The files that are no pages are written by this process while the forked ones
        # render pages (at 100,000 items, one story added: 7.5 s of API, sitemaps and feeds
        # that ran after 12.9 s of pages on both cores, the other core idle).
        other_files = partial(renderer.write_files, reached.files)
        _, written = renderer.render(reached.pages, os.cpu_count() or 1, other_files)
        times.append(time.perf_counter())
        # The next model's pages are known once they are rendered: added while the search
        # bundles are still being made, which this process waits for.
        write_next_model(build, renderer.page_reads)
        renderer.check_written(reached.files, written | site_writes.finish())
        times.append(time.perf_counter())
    except BaseException:
        with contextlib.suppress(BaseException):  # its own failure is not the one to report
            site_writes.finish()
        raise
    linked = _linked(prefilled, leave)
    build.known_files = KnownFiles(linked, [*reached.pages, *reached.files])
    _account(plan, build, reached, started, times[0])
    logger.info(
        "site model: %.2f s setting up the pages and writing the next model's items, %.2f s "
        "waiting for the reach, %.2f s removing the linked files it reaches, %.2f s rendering "
        "the pages and writing the other files, then %.2f s adding the pages to the next model "
        "and waiting for the search bundles",
        *(b - a for a, b in itertools.pairwise(times)),
    )
    console.print(
        f"Rebuilt from the site model: {reached.changed} news file(s) changed; {len(reached.pages)} pages "
        f"rendered, {len(reached.files)} other files written, {len(reached.gone)} removed, "
        f"{len(linked)} kept, in {time.perf_counter() - started:.2f} s.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _account(plan: Plan, build: Build, reached: Reached, started: float, writing: float) -> None:
    """What this run did, as a full build's writer and reader leave it for the build report:
    every news file's fate and problems, the pages rendered and kept, the site's feeds."""
    model = plan.planned.model
    build.ledger.fates.update(model.files)
    build.ledger.problems.extend(plan.planned.problems)
    written = {*reached.pages, *reached.files}
    feeds = [feed[0] for feed in model.feeds if feed[1] != "opml"]
    build.render = RenderStats(
        rendered=len(reached.pages),
        reused=len(model.pages) - len(reached.pages),
        feeds_reused=sum(1 for path in feeds if path not in written),
        feeds=len(feeds),
    )
    build.timings["plan"] = writing - started
    build.timings["write"] = time.perf_counter() - writing


def remove_linked(target: Path, leave: Collection[str], prefilled: Mapping[str, list[int]]) -> None:
    """Remove from ``target`` the linked files of ``leave`` (a name ending with ``/``: a folder,
    whole). A linked file is the published site's own: writing through it would change that
    site before the swap."""
    for name in leave:
        if name.endswith("/"):
            shutil.rmtree(target / name, ignore_errors=True)
        elif name in prefilled:
            os.unlink(target / name)


def _linked(prefilled: Mapping[str, list[int]], leave: Collection[str]) -> dict[str, list[int]]:
    """The linked files the new site keeps: all but those left out (by name or folder)."""
    folders = tuple(name for name in leave if name.endswith("/"))
    return {
        name: entry
        for name, entry in prefilled.items()
        if name not in leave and not (folders and name.startswith(folders))
    }


def write_next_model_head(build: Build) -> None:
    """Write all of the model the run leaves but its pages (:func:`write_next_model` adds them
    once they are rendered): the prediction, with this build's id and recipe. Not a model until
    it has its pages (:func:`.store.load` refuses it), nor published before the site is whole."""
    model: SiteModel = build.planned.model
    store.write_head(
        store.next_path(build.output), model._replace(build=build.id, recipe=recipe_of(build.settings))
    )


def write_next_model(build: Build, page_reads: Mapping[str, tuple[str, ...]]) -> None:
    """Add the pages, with what each page rendered read (``page_reads``), to the model of the
    site the run leaves (its head written by :func:`write_next_model_head`; published by
    :func:`keep_planned_model`)."""
    model: SiteModel = build.planned.model
    reads = {page[0]: model.reads[page[-1]] for page in model.pages if page[-1] >= 0}
    reads.update(page_reads)
    pages, tables = with_reads([page[:-1] for page in model.pages], reads)
    store.add_pages(store.next_path(build.output), pages, tables, model.sitemaps)
    build.private[_MODEL_WRITTEN] = True


def keep_planned_model(pelican: Any, build: Build) -> None:
    """The ``RECORD`` step of a planned run: the model its writing left is the model of the
    site (written then, as the rebuild waited for the search bundles and the links)."""
    if build.private.pop(_MODEL_WRITTEN, False):
        store.publish(build.output)
