"""Wiring: the site's one writer, template read-tracking, and the ``write`` step.

- ``get_writer``: Pelican writes every page and feed through :class:`SiteWriter` (the only
  ``get_writer`` handler of Topicfeed).
- ``generator_init``: each generator's Jinja environment records the names a template reads.
- phase ``write``: the deferred pages reach the disk (reused or rendered), then
  ``content_written`` is sent for each; the numbers go to ``build.render``.

It provides ``"feed-writer"`` (a writer that applies ``Build.feed_format`` to every feed) and
``"render-stats"`` (``Build.render``). Incremental reuse needs a fresh output folder per build
(the output step's staging folder), so the previous site is intact to link unchanged pages from;
without one every page is rendered.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pelican import signals

from topicfeed.build import Build
from topicfeed.plugin import Phase, register_plugin

from . import tracking
from .settings import SETTINGS
from .writer import PURE_TYPES, SiteWriter, flush, take_writer

logger = logging.getLogger(__name__)


def get_writer(pelican: Any) -> type[SiteWriter]:
    return SiteWriter


def track_templates(generator: Any) -> None:
    tracking.install(generator)


def write_pages(pelican: Any, build: Build) -> None:
    writer = take_writer(pelican.settings)
    if writer is None:  # Pelican stopped before it made a writer
        return
    started = time.perf_counter()
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
        steps=[(Phase.WRITE, write_pages)],
    )
    signals.get_writer.connect(get_writer)
    signals.generator_init.connect(track_templates)
