"""The site model's file: ``<output>.model.pickle``, beside the output folder, never half written.

Written as ``<output>.model.pickle.next`` by the build (in the process beside it, which has the
final articles and spare time) and moved over the model only once every file of the new site
is written (phase ``RECORD``), so a build stopped before that leaves the last model in place.
A build stopped after that, before its site is swapped in, leaves a model of a site that was
never published. The model names the build that made it (``Build.id``), as the record of the
site's files does (the ``site-listing`` derivation); a rebuild plans from a model only when both
name the same build, and holds every file it links from the output to that record (size and
modification time, which a cache restored on another machine keeps, where inodes and folder
identities are new): the output of a build stopped before its swap is not the site its record
lists, and the rebuild turns into a full build once it finds so.

The file is two pickles of plain values only: the items (made beside the build), then the pages
and the names their templates read (known once every page is written). :func:`load` refuses
any reference to a class or a function (a damaged or foreign file cannot make it build
objects), and answers None, with the reason, for a missing, damaged or older model: a model is
a cache, never a source of truth.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

from topicfeed import atomic_files

from .records import VERSION, SiteModel


def model_path(output: Path) -> Path:
    """``<output>.model.pickle``, beside the output folder (never inside the published site)."""
    return output.with_name(output.name + ".model.pickle")


def next_path(output: Path) -> Path:
    """Where a build leaves its model until the site it describes is complete."""
    return output.with_name(output.name + ".model.pickle.next")


#: The fields of the first pickle of the file; the pages, their reads and the sitemaps (which
#: follow from the pages) follow as a second one.
_TAIL = ("pages", "reads", "sitemaps")
_HEAD = len(SiteModel._fields) - len(_TAIL)
assert SiteModel._fields[_HEAD:] == _TAIL


def dump_head(model: SiteModel) -> bytes:
    """Everything but the pages: a plain tuple of plain values."""
    return pickle.dumps(tuple(model)[:_HEAD], protocol=pickle.HIGHEST_PROTOCOL)


def dump_pages(
    pages: tuple[tuple[object, ...], ...],
    reads: tuple[tuple[str, ...], ...],
    sitemaps: tuple[tuple[object, ...], ...] = (),
) -> bytes:
    return pickle.dumps((tuple(pages), tuple(reads), tuple(sitemaps)), protocol=pickle.HIGHEST_PROTOCOL)


def write(path: Path, model: SiteModel) -> int:
    """Write the whole model at ``path`` atomically; its size in bytes."""
    return _write(path, dump_head(model) + dump_pages(model.pages, model.reads, model.sitemaps))


def write_head(path: Path, model: SiteModel) -> int:
    """Write all but the pages (which :func:`add_pages` appends) atomically; its size in bytes.

    The items are made beside the build, before any page is written; the pages are known once
    every page is, in the build process: two pickles in one file spare either side a copy of
    the other's part.
    """
    return _write(path, dump_head(model))


def add_pages(
    path: Path,
    pages: tuple[tuple[object, ...], ...],
    reads: tuple[tuple[str, ...], ...],
    sitemaps: tuple[tuple[object, ...], ...] = (),
) -> int:
    """Append the pages, their reads and the sitemaps to the model at ``path`` (not yet
    published: see :func:`publish`)."""
    data = dump_pages(pages, reads, sitemaps)
    with open(path, "r+b") as stream:  # never made here: no items, no model
        stream.seek(0, os.SEEK_END)
        stream.write(data)
    return len(data)


def _write(path: Path, data: bytes) -> int:
    return atomic_files.write(path, data)


def publish(output: Path) -> bool:
    """Make the model the build left (``next_path``) the model; False when it left none."""
    try:
        os.replace(next_path(output), model_path(output))
    except FileNotFoundError:
        return False
    return True


class _PlainValues(pickle.Unpickler):
    """An unpickler that makes no object but tuples, lists, dicts, strings and numbers."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name}: a site model holds plain values only")


class Unreadable(Exception):
    """The model file cannot be used; the message says why."""


def read(path: Path) -> SiteModel:
    """The model at ``path``; raises :class:`Unreadable` saying why it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Unreadable(f"{path}: no model yet") from None
    except OSError as error:
        raise Unreadable(f"{path}: {error.strerror or error}") from None
    stream = io.BytesIO(data)
    try:
        head = _PlainValues(stream).load()
        if not isinstance(head, tuple) or len(head) != _HEAD or head[0] != VERSION:
            raise Unreadable(f"{path}: not a version {VERSION} site model")
        tail = _PlainValues(stream).load()  # EOFError: the pages were never added
    except Unreadable:
        raise
    except Exception as error:  # any damage: truncated, foreign, refused class
        raise Unreadable(f"{path}: damaged ({error or type(error).__name__})") from None
    if not isinstance(tail, tuple) or len(tail) != len(_TAIL) or stream.read(1):
        raise Unreadable(f"{path}: damaged (not the pages, their reads and the sitemaps after the items)")
    return SiteModel._make((*head, *tail))


def load(path: Path) -> tuple[SiteModel | None, str]:
    """The model at ``path`` and "", or None and why it cannot be used."""
    try:
        return read(path), ""
    except Unreadable as error:
        return None, str(error)
