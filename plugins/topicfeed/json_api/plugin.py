"""Writes the JSON API (``api/``) beside the pages: the ARTICLES and INDEX steps.

- ``all_generators_finalized``: the published news articles go into ``Build.articles`` (URLs
  final, related data attached).
- ``Phase.ARTICLES``: every document of :mod:`.documents` and the JSON Schemas of ``schema/``
  are written into the folder this run writes (``pelican.output_path``, the staging folder when
  the output is swapped in atomically), from ``API_FORK_MIN_ITEMS`` published items on by a
  forked process (:mod:`topicfeed.forked`) beside the page writer, which needs none of them;
  ``Phase.INDEX`` waits for it (the API is complete before the report and the record). A
  document whose bytes equal the previous build's file is hard-linked from it instead of
  written, so an incremental build leaves unchanged documents as they were.

Deciding that a document is unchanged costs a digest and a dictionary look-up: the API manifest
(``<output>.api.json``, beside the output folder like ``output.render.json``) holds the digest,
size and mtime of each file the last build left, and for an item document or a collection page
the digest of what it was made of (:mod:`.keys`). Such a document whose inputs' digest is on
record is linked without being encoded at all, so a build after a one-item edit encodes the
documents that item is in, not ten thousand. Any other document is encoded and linked when its
bytes have the digest on record. Either way the previous file must still have the size and mtime
on record (so a file edited by hand is written again). Without a record (no manifest yet, say on
a fresh CI runner) the bytes are compared with the previous file, as before there was a
manifest. The manifest is replaced atomically once every file is written: a build stopped
before that leaves the last one, whose records still describe the files they name or (the
size and mtime differ) none.

``API = False`` writes nothing. Documents are byte-stable (sorted keys, fixed separators), so
two builds of the same content give identical files.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed import forked
from topicfeed.build import Build, collect_articles
from topicfeed.gc_pause import gc_paused
from topicfeed.memory_budget import fork_fits
from topicfeed.plugin import Phase, register_plugin

from . import documents as docs
from .documents import context
from .encoding import Encoder
from .files import derive_api
from .from_model import write_api_from_model
from .keys import DocumentKeys, code_salt
from .settings import SETTINGS
from .writer import Writer, manifest_path, schema_files

logger = logging.getLogger(__name__)

#: ``build.private`` key: the API is written beside the build (started in ``ARTICLES``,
#: collected in ``INDEX``).
_RUNNING = __name__ + ".running"
#: The API's work among those beside the build.
_LABEL = "JSON API"


def start_api(pelican: Any, build: Build) -> None:
    """The ARTICLES step: start writing the API, beside the page writer on a large site."""
    settings = pelican.settings
    if not settings["API"]:
        return
    if len(build.articles) >= settings["API_FORK_MIN_ITEMS"] and fork_fits(settings, "json_api"):
        forked.beside(build.private).add(_LABEL, lambda: write_api(pelican, build, beside=True))
        build.private[_RUNNING] = True
    else:
        build.timings["api"] = write_api(pelican, build)


def finish_api(pelican: Any, build: Build) -> None:
    """The INDEX step: wait for the API (a failure in the forked process fails the build)."""
    if build.private.pop(_RUNNING, None):
        build.timings["api"] = forked.beside(build.private).result(_LABEL)


def write_api(pelican: Any, build: Build, beside: bool = False) -> float:
    """Every API document and schema; returns the seconds it took (``beside``: in a forked
    process beside the page writer, which the log says)."""
    settings = pelican.settings
    started = time.perf_counter()
    with gc_paused():
        writer = Writer(Path(pelican.output_path), build.output, manifest_path(build.output))
        _write_documents(writer, context(settings), build.articles)
        writer.save()
    elapsed = time.perf_counter() - started
    logger.info(
        "json_api: %d files, %d bytes (%d unchanged, reused) for %d items in %.2f s%s",
        len(writer.written),
        sum(writer.written.values()),
        writer.reused,
        len(build.articles),
        elapsed,
        " (forked process, beside the pages)" if beside else "",
    )
    return elapsed


def _write_documents(writer: Writer, ctx: docs.Context, articles: list[Any]) -> None:
    found = docs.collections(articles)
    encoder = Encoder(ctx, articles, found)
    keys = DocumentKeys(code_salt(ctx), encoder.api_paths)
    for article in articles:
        path, key = encoder.paths[id(article)], keys.item(article, found)
        if not writer.reuse(path, key):
            writer.write(*encoder.item(article), key=key)
    encoder.release_links()
    keys.release_links()
    for collection in found.values():
        for number in range(1, collection.pages(ctx.page_size) + 1):
            path = collection.path(number)
            key = keys.page(collection, number, docs.page_articles(collection, number, ctx))
            if not writer.reuse(path, key):
                writer.write(path, encoder.page(collection, number), key=key)
    for kind in ("topic", "source"):
        path, document = docs.list_document(kind, (c for c in found.values() if c.kind == kind), ctx)
        writer.write(path, docs.dumps(document))
    path, document = docs.index_document(found, ctx)
    writer.write(path, docs.dumps(document))
    for name, data in schema_files().items():
        writer.write(f"{docs.ROOT}/schema/{name}", data)


def register() -> None:
    register_plugin(
        __package__,
        settings=SETTINGS,
        requires={"news-items"},
        provides={"api"},
        steps=[(Phase.ARTICLES, start_api), (Phase.INDEX, finish_api)],
        derives={"api": derive_api},
        writes={"api": write_api_from_model},
    )
    signals.all_generators_finalized.connect(collect_articles)
