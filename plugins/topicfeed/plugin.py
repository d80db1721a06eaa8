"""How a Topicfeed plugin declares itself: its settings, what it needs and gives, and its steps.

Every plugin's ``register()`` calls :func:`register_plugin` once, besides connecting its own
Pelican signals. That replaces three things the order of ``PLUGINS`` used to decide silently:

- **Settings**: the declared settings of every enabled plugin get their defaults and checks at
  ``initialized``, before any plugin reads them (:mod:`topicfeed.settings`).
- **Needs**: a plugin that reads another step's product names the product (``"news-items"``,
  never a plugin); at start-up the build stops with one line when no enabled plugin provides it.
- **Steps at the ends of a run**: work that must happen before the run (``CHECK``), before
  generators exist (``START``) or after Pelican has written everything (``WRITE`` ...
  ``COMMIT``) is a step in a named
  :class:`Phase`, run in phase order by one handler, whatever the order of ``PLUGINS``. A
  phase marked exclusive takes one step only; a second one stops the build at start-up.

The handlers below are connected once, by the first plugin that registers (blinker ignores a
second connection of the same function).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed import forked, pelican_adapter, teardown
from topicfeed.build import Build
from topicfeed.settings import Setting, SettingsError, apply

logger = logging.getLogger(__name__)


class Phase(IntEnum):
    """The ordered steps of a run that Pelican's signals do not order by themselves."""

    #: ``initialized``, once the settings are applied: may decide the run has nothing to do.
    CHECK = 5
    #: ``initialized``, once every ``CHECK`` step has run and none replaced the run: may do the
    #: run's work another way (a rebuild from the site model, :func:`run_planned`).
    INSTEAD = 7
    #: In a run done another way (:func:`start_planning`): its plan is about to be made; may start
    #: work on the side that the run's writing needs (the building folder's folders).
    PLAN = 8
    #: ``get_generators``: before any generator exists (where the build writes, locks).
    START = 10
    #: ``get_writer``: every article is final (URLs, related stories) and no page is written yet.
    #: A step here may hand its work to the process forked once every step here has run
    #: (:mod:`topicfeed.forked`), which runs beside the page writer; it collects the result in
    #: ``INDEX`` at the latest.
    ARTICLES = 15
    #: ``get_writer``, right after that process is forked: steps that need the final articles
    #: and hand it nothing (the search index), so it does not wait for them. At 100,000 items
    #: the search documents took 2.4 to 3.5 s, the fork started that much later, and the page
    #: writer then waited up to 2.4 s for the article digests it makes.
    LAUNCHED = 17
    #: ``finalized``: deferred pages and feeds reach the disk.
    WRITE = 20
    #: Files beside the pages (robots.txt, .nojekyll, CNAME), once the pages are written.
    FILES = 30
    #: Indexes over the finished pages (search).
    INDEX = 40
    #: The build report, once everything is written.
    REPORT = 50
    #: What the next build needs to know about this one, once every file of this one exists.
    RECORD = 55
    #: The finished build replaces the published output; nothing may write after it.
    COMMIT = 60


#: Phases that take a single step: two writers or two commits cannot both be right.
EXCLUSIVE = frozenset({Phase.WRITE, Phase.COMMIT})

Step = Callable[[Any, Build], None]

#: How a plugin puts its product on pages rendered without Pelican's article step (step 3 of
#: docs/rebuild-plan.md). A dresser, given the site as plain values (``topicfeed.items.PlainSite``)
#: and the articles to render, each with its position in the site's stories, hangs on each
#: article what the plugin's build step hangs on it. A page-values function, given the site and
#: its articles (``SiteArticles``: ``at(positions)`` makes and dresses them), returns the values
#: the plugin's build step puts in the context every page gets. Each shares its code with the
#: build step it stands in for.
Dress = Callable[[Any, Sequence[tuple[int, Any]]], None]
PageValues = Callable[[Any, Any], Mapping[str, Any]]
#: How a plugin writes its own files (feeds, ...) from plain values (step 4 of
#: docs/rebuild-plan.md): given the site, its articles, the context pages get, the files wanted
#: (relative to the site) and the folder, it writes those of the wanted files it makes, as its
#: build step would, and says which.
WriteFiles = Callable[[Any, Any, Mapping[str, Any], Collection[str], Path], set[str]]
#: The same from the site alone (no articles, no page context), so a rebuild can start it
#: while it plans and run it beside the pages' rendering: for files whose work waits mostly on
#: another process (Pagefind indexes a search bundle in about a second). The folder comes as a
#: function, called just before the writer's first write into it: a writer started before the
#: folder is ready does all it can first, and waits there. That call may raise (the files asked
#: for were a guess the rebuild's plan did not confirm); the writer then lets it through,
#: having written nothing.
WriteSiteFiles = Callable[[Any, Collection[str], Callable[[], Path]], set[str]]


class PluginSetupError(RuntimeError):
    """The enabled plugins do not fit together; the message says what is missing or doubled."""


@dataclass(frozen=True)
class PluginSpec:
    """What one plugin declares about itself."""

    name: str
    settings: tuple[Setting, ...] = ()
    provides: frozenset[str] = frozenset()
    requires: frozenset[str] = frozenset()
    steps: tuple[tuple[Phase, Step], ...] = field(default=())
    #: Product -> how the plugin computes it from plain values, without Pelican's articles
    #: (:func:`derivation`): what a rebuild planned from the site model calls instead of
    #: running the build's steps. The function's arguments are the product's own contract.
    derives: tuple[tuple[str, Callable[..., Any]], ...] = field(default=())
    #: Product -> how the plugin puts it on pages rendered from plain values: on the articles
    #: (:func:`dressers`) and in the pages' context (:func:`page_values`).
    dresses: tuple[tuple[str, Dress], ...] = field(default=())
    page_values: tuple[tuple[str, PageValues], ...] = field(default=())
    #: Product -> how the plugin writes its files from plain values (:func:`file_writers`).
    writes: tuple[tuple[str, WriteFiles], ...] = field(default=())
    #: Product -> how the plugin writes its files from the site alone (:func:`site_writers`).
    site_writes: tuple[tuple[str, WriteSiteFiles], ...] = field(default=())
    #: The steps a run planned from the site model takes (:func:`run_planned`); only these run
    #: then, so a step that expects Pelican's articles never meets a run without them.
    planned_steps: tuple[tuple[Phase, Step], ...] = field(default=())


_SPECS: dict[str, PluginSpec] = {}


def register_plugin(
    name: str,
    *,
    settings: Iterable[Setting] = (),
    provides: Iterable[str] = (),
    requires: Iterable[str] = (),
    steps: Iterable[tuple[Phase, Step]] = (),
    derives: dict[str, Callable[..., Any]] | None = None,
    dresses: dict[str, Dress] | None = None,
    page_values: dict[str, PageValues] | None = None,
    writes: dict[str, WriteFiles] | None = None,
    site_writes: dict[str, WriteSiteFiles] | None = None,
    planned_steps: Iterable[tuple[Phase, Step]] = (),
) -> None:
    """Declare a plugin; call it from the plugin's ``register()`` with the plugin's module name.

    ``derives``: for products in ``provides``, how to compute each from plain values.
    ``dresses`` and ``page_values``: for products in ``provides``, how each appears on a page
    rendered from plain values, on its articles (:data:`Dress`) and in its context
    (:data:`PageValues`); ``writes``: how the plugin writes its own files from plain values
    (:data:`WriteFiles`), or from the site alone beside the rendering (``site_writes``:
    :data:`WriteSiteFiles`). ``planned_steps``: the steps the plugin takes in a run planned from
    the site model (:func:`run_planned`), where ``Build.planned`` holds the prediction and
    ``Build.articles`` is empty.
    """
    products = frozenset(provides)
    derived = tuple((derives or {}).items())
    dressed = tuple((dresses or {}).items())
    valued = tuple((page_values or {}).items())
    written = tuple((writes or {}).items())
    written_alone = tuple((site_writes or {}).items())
    for verb, pairs in (
        ("derives", derived),
        ("dresses", dressed),
        ("gives page values for", valued),
        ("writes files for", written + written_alone),
    ):
        stray = sorted({product for product, _ in pairs} - products)
        if stray:
            raise PluginSetupError(f"plugins: {name} {verb} {', '.join(stray)}, which it does not provide")
    _SPECS[name] = PluginSpec(
        name,
        tuple(settings),
        products,
        frozenset(requires),
        tuple(steps),
        derived,
        dressed,
        valued,
        written,
        written_alone,
        tuple(planned_steps),
    )
    signals.initialized.connect(_initialized)
    signals.initialized.connect(_commit_last)
    signals.get_generators.connect(_start)
    signals.all_generators_finalized.connect(_keep_generators)
    signals.get_writer.connect(_articles_ready)
    signals.finalized.connect(_finish)
    signals.finalized.connect(_commit)


def enabled_specs(settings: dict[str, Any]) -> list[PluginSpec]:
    """The declarations of the plugins Pelican registered for this run, in ``PLUGINS`` order."""
    return [_SPECS[name] for name in settings.get("PLUGINS") or () if name in _SPECS]


class Underivable(Exception):
    """A product cannot be computed from plain values for this change (no enabled plugin
    derives it, or the plugin's derivation does not cover the change): build it instead. The
    message says why."""


def derivation(settings: dict[str, Any], product: str) -> Callable[..., Any]:
    """How the enabled plugin providing ``product`` computes it from plain values.

    The caller names data, never a plugin, as with ``requires``.
    """
    for spec in enabled_specs(settings):
        for name, derive in spec.derives:
            if name == product:
                return derive
    raise Underivable(f"no plugin in PLUGINS derives {product}")


def workings(settings: dict[str, Any]) -> frozenset[str]:
    """The enabled plugins' settings that never change what a build writes (``Setting.output``)."""
    return frozenset(s.name for spec in enabled_specs(settings) for s in spec.settings if not s.output)


def dressers(settings: dict[str, Any]) -> list[tuple[str, Dress]]:
    """Every enabled plugin's dresser, by product (:data:`Dress`). Each sets only its own
    attributes, so their order does not matter."""
    return [pair for spec in enabled_specs(settings) for pair in spec.dresses]


def page_values(settings: dict[str, Any]) -> list[tuple[str, PageValues]]:
    """Every enabled plugin's page values, by product (:data:`PageValues`); the renderer refuses
    two that give one context name."""
    return [pair for spec in enabled_specs(settings) for pair in spec.page_values]


def file_writers(settings: dict[str, Any]) -> list[tuple[str, WriteFiles]]:
    """Every enabled plugin's writer of its own files from plain values (:data:`WriteFiles`)."""
    return [pair for spec in enabled_specs(settings) for pair in spec.writes]


def site_writers(settings: dict[str, Any]) -> list[tuple[str, WriteSiteFiles]]:
    """Every enabled plugin's writer of its own files from the site alone (:data:`WriteSiteFiles`)."""
    return [pair for spec in enabled_specs(settings) for pair in spec.site_writes]


def check_plugins(specs: list[PluginSpec]) -> None:
    """Every need is provided and every exclusive phase has at most one step."""
    provided = {product for spec in specs for product in spec.provides}
    for spec in specs:
        missing = sorted(spec.requires - provided)
        if missing:
            raise PluginSetupError(
                f"plugins: {spec.name} needs {', '.join(missing)}, which no plugin in PLUGINS "
                "provides (docs/architecture.md lists what each plugin provides)"
            )
    for phase in EXCLUSIVE:
        owners = [spec.name for spec in specs for step_phase, _ in spec.steps if step_phase == phase]
        if len(owners) > 1:
            raise PluginSetupError(
                f"plugins: {' and '.join(owners)} both take the '{phase.name.lower()}' step; "
                "enable only one of them"
            )


def _initialized(pelican: Any) -> None:
    """Check the plugins and settings; a problem stops the build with one line, no traceback."""
    specs = enabled_specs(pelican.settings)
    try:
        check_plugins(specs)
        apply(pelican.settings, (setting for spec in specs for setting in spec.settings))
    except (PluginSetupError, SettingsError) as error:
        # SystemExit, not an exception: Pelican would print a traceback for a configuration slip.
        logger.critical("%s", error)
        raise SystemExit(1) from None
    for _, step in _steps(pelican.settings, [Phase.CHECK, Phase.INSTEAD]):
        if pelican_adapter.run_replaced(pelican):
            break  # the run has nothing to do, or is done another way: no later step decides
        step(pelican, None)


def _steps(
    settings: dict[str, Any], phases: Iterable[Phase], planned: bool = False
) -> list[tuple[Phase, Step]]:
    wanted = set(phases)
    steps = [
        (phase, step)
        for spec in enabled_specs(settings)
        for phase, step in (spec.planned_steps if planned else spec.steps)
    ]
    return sorted((s for s in steps if s[0] in wanted), key=lambda s: s[0])


def start_planning(pelican: Any) -> None:
    """Before a run done another way makes its plan: the plugins' ``PLAN`` steps start what they
    can beside the plan, keeping it in a build's ``private``, which the run that follows
    (:func:`run_planned`, or a full build when the plan cannot be made) takes over. That build
    is not the running one yet: code that behaves differently inside a build (the news reader
    keeps what it reads for the build's ledger) must not see one while the plan reads."""
    output = Path(pelican.output_path).resolve()
    build = _PLANNING[id(pelican.settings)] = Build(settings=pelican.settings, output=output, target=output)
    for _, step in _steps(pelican.settings, [Phase.PLAN], planned=True):
        step(pelican, build)


#: What :func:`start_planning` began, by the run's settings, until the run takes it over.
_PLANNING: dict[int, Build] = {}


def _this_build(pelican: Any) -> Build:
    """The run's build, with what :func:`start_planning` began for it."""
    build = Build.start(pelican)
    planning = _PLANNING.pop(id(pelican.settings), None)
    if planning is not None and planning.settings is pelican.settings:
        build.private.update(planning.private)
    return build


def run_planned(pelican: Any, planned: Any, write: Step) -> None:
    """A run whose files ``write`` makes from ``planned`` (a rebuild from the site model: a
    ``site_model`` prediction), instead of Pelican's generators and writer.

    Call it from the replacement an ``INSTEAD`` step hands :func:`pelican_adapter.skip_run`. The
    plugins' ``planned_steps`` run around ``write`` in phase order, as their steps run around
    Pelican's work in a full build: ``START`` (where the build writes, locks), then ``write``
    (into ``Build.target``), then ``WRITE`` to ``RECORD``, and ``COMMIT`` last.
    """
    build = _this_build(pelican)
    build.planned = planned
    settings = pelican.settings
    try:
        for _, step in _steps(settings, [Phase.START], planned=True):
            step(pelican, build)
        write(pelican, build)
        later = [p for p in Phase if p > Phase.LAUNCHED and p != Phase.COMMIT]
        for _, step in _steps(settings, later, planned=True):
            step(pelican, build)
        for _, step in _steps(settings, [Phase.COMMIT], planned=True):
            step(pelican, build)
    finally:
        Build.end(pelican)
        teardown.run_over()


def _start(pelican: Any) -> None:
    teardown.release()  # an earlier run's generators (autoreload): freed before this run reads
    build = _this_build(pelican)
    for _, step in _steps(pelican.settings, [Phase.START]):
        step(pelican, build)


def _keep_generators(generators: list[Any]) -> None:
    """The generators hold everything a full build made: freed one by one as ``Pelican.run``
    returns, just before the process exits, unless kept (:mod:`topicfeed.teardown`; not
    measured for a full build, which frees more than the rebuild measured there)."""
    teardown.keep_past_run(generators)


def _articles_ready(pelican: Any) -> None:
    """Pelican asks for its writer once every generator has finished its content: the steps
    that need the articles and no page start here. Returns no writer (Pelican ignores it)."""
    build = Build.of(pelican)
    for _, step in _steps(pelican.settings, [Phase.ARTICLES]):
        step(pelican, build)
    forked.launch(build.private)  # what the steps handed over, in one process beside the build
    for _, step in _steps(pelican.settings, [Phase.LAUNCHED]):
        step(pelican, build)


def _finish(pelican: Any) -> None:
    build = Build.of(pelican)
    _freeze_survivors()
    early = (Phase.CHECK, Phase.START, Phase.ARTICLES, Phase.LAUNCHED)
    later = [p for p in Phase if p not in (*early, Phase.COMMIT)]
    for _, step in _steps(pelican.settings, later):
        step(pelican, build)


def _freeze_survivors() -> None:
    """Move everything the generators made out of the collector's sight until the run ends.

    The articles, their pages' contexts and the writer's queue (about a million objects at
    100,000 items) live until the build ends and hold almost no cyclic garbage, but each full
    collection of the steps below scanned them again: 11 s of collections in a 100,000-item
    build. Reading froze what it made the same way; a later run in this process (autoreload)
    unfreezes both when its reading starts.
    """
    if gc.isenabled():
        gc.freeze()


def _commit(pelican: Any) -> None:
    """The last ``finalized`` receiver: nothing writes into the build after it."""
    build = Build.of(pelican)
    try:
        for _, step in _steps(pelican.settings, [Phase.COMMIT]):
            step(pelican, build)
    finally:
        Build.end(pelican)
        teardown.run_over()


def _commit_last(pelican: Any) -> None:
    """Every plugin has connected its handlers by ``initialized``, third-party ones included
    (pelican-sitemap writes sitemap.xml in ``finalized``); connecting the commit again moves it
    after all of them."""
    signals.finalized.disconnect(_commit)
    signals.finalized.connect(_commit)
