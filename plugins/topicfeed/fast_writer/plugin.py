"""Wiring: the site's one writer, template read-tracking, and the ``write`` step.

- ``get_writer``: Pelican writes every page and feed through :class:`SiteWriter` (the only
  ``get_writer`` handler of Topicfeed).
- ``generator_init``: each generator's Jinja environment records the names a template reads.
- phase ``articles``: in a rebuild of ``RENDER_PREDIGEST_MIN_ITEMS`` articles or more, every
  article is digested beside the build (:mod:`topicfeed.forked`) while Pelican records the
  pages: digesting the articles was most of keying the pages (about 0.9 of 1.4 s at 10,000
  items), and the other core idles then. The articles are final at that phase, and the digests
  are taken over (``Fingerprinter.adopt``) before the first page is keyed.
- phase ``write``: the deferred pages reach the disk (reused or rendered), then
  ``content_written`` is sent for each; the numbers go to ``build.render``.

It provides ``"feed-writer"`` (a writer that applies ``Build.feed_format`` to every feed) and
``"render-stats"`` (``Build.render``). Incremental reuse needs a fresh
output folder per build (the output step's staging folder), so the previous site is intact to
link unchanged pages from; without one every page is rendered.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pelican import signals

from topicfeed import forked
from topicfeed import template_reads as tracking
from topicfeed.build import Build
from topicfeed.gc_pause import gc_paused
from topicfeed.memory_budget import fork_fits
from topicfeed.plugin import Phase, PluginSetupError, register_plugin

from .fingerprint import digest_all
from .manifest import can_reuse
from .settings import SETTINGS
from .writer import PURE_TYPES, SiteWriter, flush, take_writer

logger = logging.getLogger(__name__)


def get_writer(pelican: Any) -> type[SiteWriter]:
    return SiteWriter


def track_templates(generator: Any) -> None:
    tracking.install(generator)


def check_pages_announced_first(pelican: Any) -> None:
    """Stop at start-up when a ``finalized`` handler would run before the pages are announced.

    The deferred pages are written, and ``content_written`` sent for them, in the ``write``
    phase, which runs in Topicfeed's one ``finalized`` handler. A plugin that collects pages
    from ``content_written`` and writes in its own ``finalized`` handler (pelican-sitemap) must
    come after it: blinker calls handlers in the order plugins connected them, so a Topicfeed
    plugin has to come first in ``PLUGINS``.
    """
    receivers = list(signals.finalized.receivers_for(pelican))
    steps = [
        i for i, receiver in enumerate(receivers) if getattr(receiver, "__module__", "") == "topicfeed.plugin"
    ]
    if not steps or steps[0] == 0:
        return
    early = sorted({getattr(r, "__module__", repr(r)) for r in receivers[: steps[0]]})
    raise PluginSetupError(
        f"plugins: {', '.join(early)} handles 'finalized' before Topicfeed writes its pages; "
        "put a topicfeed plugin before it in PLUGINS"
    )


#: The writer's work beside the build, and where it keeps the articles it digests (``Build.private``).
PREDIGEST = "article digests"
_PREDIGESTED = __name__ + ".predigested"


def _digest_articles(articles: list[Any]) -> list[bytes | None]:
    with gc_paused():  # nothing it makes is garbage until it returns
        return digest_all(articles, PURE_TYPES)


def predigest_articles(pelican: Any, build: Build) -> None:
    """Phase ARTICLES: digest every article beside the build, in a rebuild of a large site.

    A cold build renders every page, on every core, and needs no key to decide it; so only a
    build that can reuse pages does this: one with a previous site, and its render manifest,
    beside the folder it writes (an output deleted by hand leaves the manifest behind).
    """
    settings = pelican.settings
    articles = build.articles
    if (
        not (settings["RENDER_DEFERRED"] and settings["RENDER_INCREMENTAL"])
        or len(articles) < settings["RENDER_PREDIGEST_MIN_ITEMS"]
        or not can_reuse(build.output, build.target)
        or not fork_fits(settings, "fast_writer")
    ):
        return
    forked.beside(build.private).add(PREDIGEST, lambda: _digest_articles(articles), first=True)
    build.private[_PREDIGESTED] = articles


def write_pages(pelican: Any, build: Build) -> None:
    writer = take_writer(pelican.settings)
    if writer is None:  # Pelican stopped before it made a writer
        return
    started = time.perf_counter()
    articles = build.private.pop(_PREDIGESTED, None)
    if articles is not None:
        adopted = writer.prints.adopt(articles, forked.beside(build.private).result(PREDIGEST))
        logger.info(
            "fast_writer: %d article digests made beside the build, waited %.2fs",
            adopted,
            time.perf_counter() - started,
        )
    build.render, fast_paths = flush(writer)
    logger.info(
        "fast_writer: %d pages rendered, %d unchanged reused, %d unchanged feeds reused; %.2fs",
        build.render.rendered,
        build.render.reused,
        build.render.feeds_reused,
        time.perf_counter() - started,
    )
    logger.info(
        "fast_writer: pure types %s; fast digests: %s",
        ", ".join(kind.__name__ for kind in PURE_TYPES) or "none",
        ", ".join(f"{name} ({path})" for name, path in sorted(fast_paths.items())) or "none",
    )


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"feed-writer", "render-stats"},
        steps=[(Phase.ARTICLES, predigest_articles), (Phase.WRITE, write_pages)],
    )
    signals.initialized.connect(check_pages_announced_first)
    signals.get_writer.connect(get_writer)
    signals.generator_init.connect(track_templates)
