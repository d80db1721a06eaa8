"""Wiring: the writer class, template read-tracking, and the flush before anything reads pages.

``fast_writer`` goes near the top of ``PLUGINS``: its ``finalized`` handler writes the pages,
and later handlers (search indexing, the atomic swap) expect them on disk. Incremental reuse
needs ``atomic_output`` (each build starts in a fresh folder, so the previous site is intact
to link unchanged pages from); without it every page is rendered.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pelican import signals
from pelican.writers import Writer

from . import tracking
from .writer import FastWriterMixin, flush

logger = logging.getLogger(__name__)
_state: dict[str, Any] = {}


def _writer_base(settings: dict[str, Any]) -> type:
    if "topicfeed.news_feeds" in settings.get("PLUGINS", []):
        from topicfeed.news_feeds.writer import FeedWriter  # the feeds plugin yields the writer to us

        return FeedWriter
    return Writer


def get_writer(pelican: Any) -> type:
    base = _writer_base(pelican.settings)

    class FastWriter(FastWriterMixin, base):  # type: ignore[valid-type, misc]
        def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
            super().__init__(output_path, settings=settings)
            _state["writer"] = self

    return FastWriter


def track_templates(generator: Any) -> None:
    tracking.install(generator)


def write_pages(pelican: Any) -> None:
    writer = _state.pop("writer", None)
    if writer is None or not writer.jobs:
        return
    started = time.perf_counter()
    result = flush(writer, pelican.settings)
    logger.info(
        "fast_writer: %d pages rendered, %d unchanged reused, %d unchanged feeds reused; %.2fs",
        result.rendered,
        result.reused,
        result.feeds_reused,
        time.perf_counter() - started,
    )
    pelican.fast_writer_result = result


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.generator_init.connect(track_templates)
    signals.finalized.connect(write_pages)
