"""Writes the JSON API (``api/``) once the pages are written: the FILES step.

- ``all_generators_finalized``: the published news articles go into ``Build.articles`` (URLs
  final, related data attached).
- ``Phase.FILES``: every document of :mod:`.documents` and the JSON Schemas of ``schema/`` are
  written into the folder this run writes (``pelican.output_path``, the staging folder when the
  output is swapped in atomically). A document whose bytes equal the previous build's file is
  hard-linked from it instead of written, so an incremental build leaves unchanged documents
  as they were.

``API = False`` writes nothing. Documents are byte-stable (sorted keys, fixed separators), so
two builds of the same content give identical files.
"""

from __future__ import annotations

import logging
import os
import time
from importlib import resources
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed.build import Build, collect_articles
from topicfeed.plugin import Phase, register_plugin

from . import documents as docs
from .encoding import Encoder
from .settings import SETTINGS

logger = logging.getLogger(__name__)


class Writer:
    """Writes files under one folder, each path once, reusing identical files of the last build."""

    def __init__(self, target: Path, previous: Path) -> None:
        self.target = target
        self.previous = previous if previous.resolve() != target.resolve() else None
        self.written: dict[str, int] = {}
        self.reused = 0
        self._folders: set[Path] = set()

    def write(self, path: str, data: bytes) -> None:
        if path in self.written:
            logger.error("json_api: %s would be written twice; the second document is dropped", path)
            return
        self.written[path] = len(data)
        destination = self.target / path
        if destination.parent not in self._folders:
            destination.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(destination.parent)
        if self.previous is not None and self._link_previous(path, data, destination):
            self.reused += 1
            return
        destination.write_bytes(data)

    def _link_previous(self, path: str, data: bytes, destination: Path) -> bool:
        old = self.previous / path  # type: ignore[operator]
        try:
            if old.stat().st_size != len(data) or old.read_bytes() != data:
                return False
            if destination.exists():
                destination.unlink()
            os.link(old, destination)
        except OSError:
            return False
        return True


def context(settings: dict[str, Any]) -> docs.Context:
    return docs.Context(
        siteurl=str(settings.get("SITEURL") or "").rstrip("/"),
        page_size=settings["API_PAGE_SIZE"],
        locale=settings["API_LOCALE"],
        site_name=str(settings.get("SITENAME") or ""),
    )


def schema_files() -> dict[str, bytes]:
    """The published JSON Schemas, by file name, as shipped in this package."""
    folder = resources.files(__package__) / "schema"
    return {f"{name}.schema.json": (folder / f"{name}.schema.json").read_bytes() for name in docs.SCHEMAS}


def write_api(pelican: Any, build: Build) -> None:
    """The FILES step: every API document and schema."""
    settings = pelican.settings
    if not settings["API"]:
        return
    started = time.perf_counter()
    ctx = context(settings)
    writer = Writer(Path(pelican.output_path), build.output)
    articles = build.articles
    found = docs.collections(articles)
    encoder = Encoder(ctx, articles, found)
    for article in articles:
        writer.write(*encoder.item(article))
    for collection in found.values():
        for path, data in encoder.pages(collection):
            writer.write(path, data)
    for kind in ("topic", "source"):
        path, document = docs.list_document(kind, (c for c in found.values() if c.kind == kind), ctx)
        writer.write(path, docs.dumps(document))
    path, document = docs.index_document(found, ctx)
    writer.write(path, docs.dumps(document))
    for name, data in schema_files().items():
        writer.write(f"{docs.ROOT}/schema/{name}", data)
    elapsed = time.perf_counter() - started
    build.timings["api"] = elapsed
    logger.info(
        "json_api: %d files, %d bytes (%d unchanged, reused) for %d items in %.2f s",
        len(writer.written),
        sum(writer.written.values()),
        writer.reused,
        len(articles),
        elapsed,
    )


def register() -> None:
    register_plugin(__package__, settings=SETTINGS, requires={"news-items"}, steps=[(Phase.FILES, write_api)])
    signals.all_generators_finalized.connect(collect_articles)
