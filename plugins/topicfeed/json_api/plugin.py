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

import hashlib
import json
import logging
import os
import time
from importlib import resources
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
from .keys import DocumentKeys, code_salt
from .settings import SETTINGS

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 2
#: A manifest record: [digest (hex), size, mtime in ns, inputs' digest (hex) or None] of a file as
#: the build left it.
Record = list[Any]


def manifest_path(output: Path) -> Path:
    """``<output>.api.json``, beside the output folder (never inside the published site)."""
    return output.with_name(output.name + ".api.json")


def digest(data: bytes) -> str:
    """128 bits of SHA-256 (the fastest digest here: the CPU computes it), as hex."""
    return hashlib.sha256(data).hexdigest()[:32]


class Writer:
    """Writes files under one folder, each path once, reusing identical files of the last build.

    Paths are plain strings and folders are made once each (``os`` calls, not ``pathlib``):
    with ten thousand documents, the per-file overhead is most of what writing costs.
    """

    def __init__(self, target: Path, previous: Path, manifest: Path | None = None) -> None:
        self.target = str(target)
        #: Where unchanged files are linked from: None on a first build (nothing to compare with
        #: spares a failing ``stat`` per document) and when building in place.
        self.previous = str(previous) if previous.resolve() != target.resolve() else None
        if self.previous is not None and not os.path.isdir(self.previous):
            self.previous = None
        self.manifest = manifest
        self.written: dict[str, int] = {}
        self.reused = 0
        #: The last build's records (only worth reading when there is a previous folder).
        self.old: dict[str, Record] = self._load() if self.previous is not None else {}
        #: This build's records, saved by :meth:`save` for the next build.
        self.new: dict[str, Record] = {}
        self._folders: set[str] = set()
        #: Folders are probably there already when the target holds an API (the output step
        #: reusing an old site's folders): then a file is made first and its folder only when
        #: that fails; in a fresh target each folder is made first (no failing call per file).
        self._folders_expected = os.path.isdir(os.path.join(self.target, docs.ROOT))

    def _before(self, destination: str) -> None:
        """Make the folder of ``destination`` first, unless it is probably there."""
        if not self._folders_expected:
            self._folder(os.path.dirname(destination))

    def _load(self) -> dict[str, Record]:
        if self.manifest is None:
            return {}
        try:
            data = json.loads(self.manifest.read_bytes())
            if data.get("version") == MANIFEST_VERSION:
                return dict(data["files"])
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            pass
        return {}

    def _folder(self, folder: str) -> None:
        """Make ``folder`` (and its parents) unless this writer already did."""
        if folder in self._folders:
            return
        try:
            os.mkdir(folder)
        except FileNotFoundError:
            self._folder(os.path.dirname(folder))
            try:
                os.mkdir(folder)
            except FileExistsError:  # made meanwhile (atomic_output's folder maker)
                pass
        except FileExistsError:
            pass
        self._folders.add(folder)

    def _link(self, source: str, destination: str) -> None:
        """Link ``source`` (which exists) at ``destination``, making its folder when missing.

        In a target that holds folders already (left by the output step), the link is tried
        first: a folder that is there costs no ``mkdir``.
        """
        self._before(destination)
        try:
            os.link(source, destination)
        except FileNotFoundError:  # the source was just seen: the folder is missing
            self._folder(os.path.dirname(destination))
            os.link(source, destination)
        except FileExistsError:
            os.unlink(destination)
            os.link(source, destination)

    def _open(self, destination: str) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self._before(destination)
        try:
            return os.open(destination, flags, 0o666)
        except FileNotFoundError:
            self._folder(os.path.dirname(destination))
            return os.open(destination, flags, 0o666)

    def reuse(self, path: str, key: str) -> bool:
        """Link the previous file of ``path`` when it was made of inputs with digest ``key``.

        True when linked (the document need not be encoded); False: encode it and :meth:`write`.
        """
        record = self.old.get(path)
        if self.previous is None or record is None or len(record) < 4 or record[3] != key:
            return False
        if path in self.written:
            return False  # :meth:`write` reports it
        old = f"{self.previous}/{path}"
        try:
            info = os.stat(old)
            if [info.st_size, info.st_mtime_ns] != record[1:3]:
                return False  # not the file recorded (edited by hand, say)
            self._link(old, f"{self.target}/{path}")
        except OSError:
            return False
        self.written[path] = info.st_size
        self.reused += 1
        self.new[path] = record
        return True

    def write(self, path: str, data: bytes, key: str | None = None) -> None:
        """Write ``data`` at ``path`` (``key``: the digest of its inputs, kept for the next build)."""
        if path in self.written:
            logger.error("json_api: %s would be written twice; the second document is dropped", path)
            return
        self.written[path] = len(data)
        destination = f"{self.target}/{path}"
        hexdigest = digest(data)
        if self.previous is not None:
            record = self._link_previous(path, data, hexdigest, destination)
            if record is not None:
                self.reused += 1
                self.new[path] = [*record, key]
                return
        fd = self._open(destination)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            info = os.fstat(fd)
        finally:
            os.close(fd)
        self.new[path] = [hexdigest, info.st_size, info.st_mtime_ns, key]

    def _link_previous(self, path: str, data: bytes, hexdigest: str, destination: str) -> Record | None:
        """Link the previous build's file when it holds ``data``; its record, or None."""
        old = f"{self.previous}/{path}"
        record = self.old.get(path)
        if record is not None and record[0] != hexdigest:
            return None  # changed: the record says so without a look at the old file
        try:
            info = os.stat(old)
            if record is not None:
                # The bytes are the recorded ones; is the file still the one recorded?
                if record[:3] != [hexdigest, info.st_size, info.st_mtime_ns]:
                    return None
            elif info.st_size != len(data) or Path(old).read_bytes() != data:
                return None
            self._link(old, destination)
        except OSError:
            return None
        return [hexdigest, info.st_size, info.st_mtime_ns]

    def save(self) -> None:
        """Keep this build's records for the next one; atomically (never a half manifest)."""
        if self.manifest is None or self.new == self.old:
            return
        data = {"version": MANIFEST_VERSION, "files": dict(sorted(self.new.items()))}
        temporary = self.manifest.with_name(self.manifest.name + ".tmp")
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.manifest)


def schema_files() -> dict[str, bytes]:
    """The published JSON Schemas, by file name, as shipped in this package."""
    folder = resources.files(__package__) / "schema"
    return {f"{name}.schema.json": (folder / f"{name}.schema.json").read_bytes() for name in docs.SCHEMAS}


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
    )
    signals.all_generators_finalized.connect(collect_articles)
