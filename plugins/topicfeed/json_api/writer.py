"""Where the API's files go: each written once, an unchanged one hard-linked from the last
build (:class:`Writer`), and the records of the files the build left (``<output>.api.json``)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from importlib import resources
from pathlib import Path
from typing import Any

from topicfeed import atomic_files

from . import documents as docs

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
        atomic_files.write(self.manifest, json.dumps(data, separators=(",", ":")))


def schema_files() -> dict[str, bytes]:
    """The published JSON Schemas, by file name, as shipped in this package."""
    folder = resources.files(__package__) / "schema"
    return {f"{name}.schema.json": (folder / f"{name}.schema.json").read_bytes() for name in docs.SCHEMAS}
