"""Wiring: the writer class, template read-tracking, and the flush before anything reads pages.

``fast_writer`` goes near the top of ``PLUGINS``: its ``finalized`` handler writes the pages,
and later handlers (search indexing, the atomic swap) expect them on disk. Incremental reuse
needs ``atomic_output`` (each build starts in a fresh folder, so the previous site is intact
to link unchanged pages from); without it every page is rendered.
"""

from __future__ import annotations

import hashlib
import logging
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.writers import Writer

from . import tracking
from .writer import FastWriterMixin, flush

logger = logging.getLogger(__name__)
_state: dict[str, Any] = {}
PLUGINS_DIR = Path(__file__).resolve().parent.parent


def _writer_base(settings: dict[str, Any]) -> type:
    if "news_feeds" in settings.get("PLUGINS", []):
        from news_feeds.writer import FeedWriter  # the feeds plugin yields the writer to us

        return FeedWriter
    return Writer


def get_writer(pelican: Any) -> type:
    base = _writer_base(pelican.settings)

    class FastWriter(FastWriterMixin, base):  # type: ignore[valid-type, misc]
        def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
            super().__init__(output_path, settings=settings)
            _state["writer"] = self

    return FastWriter


def _salt(pelican: Any) -> bytes:
    """What every page key depends on besides the values it reads: code and templates."""
    digest = hashlib.blake2b(digest_size=20)
    for package in ("pelican", "jinja2", "markupsafe"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    folders = [Path(pelican.theme) / "templates", PLUGINS_DIR]
    folders += [Path(p) for p in pelican.settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".py", ".j2", ".xml", ".txt"):
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _pure_types() -> tuple[type, ...]:
    try:
        from news_reader.model import Image, NewsItem, Problem, Provider
    except ImportError:
        return ()
    return (NewsItem, Image, Provider, Problem)


def track_templates(generator: Any) -> None:
    tracking.install(generator)


def write_pages(pelican: Any) -> None:
    writer = _state.pop("writer", None)
    if writer is None or not writer.jobs:
        return
    started = time.perf_counter()
    result = flush(writer, pelican.settings, _salt(pelican), _pure_types())
    logger.info(
        "fast_writer: %d pages rendered, %d unchanged reused, in %.2fs",
        result.rendered,
        result.reused,
        time.perf_counter() - started,
    )
    pelican.fast_writer_result = result


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.generator_init.connect(track_templates)
    signals.finalized.connect(write_pages)
