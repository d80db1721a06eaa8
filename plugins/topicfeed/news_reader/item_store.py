"""A persistent store of what the reader made of each news file, so an unchanged file is not parsed.

Parsing the YAML and building the :class:`~topicfeed.model.NewsItem` is most of the cost of
reading an item. The store keeps the result per file, keyed by a digest of the file's bytes, its
path, the reader's settings and the reader's code (:func:`code_version`): a file whose digest has
a record is neither parsed nor modelled; anything else (a new or edited file, other settings,
other code) simply has no record and is read again. Modification times play no part, so a fresh
``git checkout`` (every mtime new) still finds its records.

Layout: ``<CACHE_PATH>/news-items/<digest[:2]>/<digest>``, one small pickle per file. Why one file
per record rather than one big file (as Pelican's content cache, rewritten whole every build):

- only new or changed items are written, one small file each, and nothing is written when
  nothing changed;
- each record is written to a temporary file of its own and moved into place with
  ``os.replace``, so a reader never sees half a record, a killed build leaves at most a stray
  temporary file, and two builds at once can only both write the same bytes to the same name;
- a record that cannot be loaded (truncated, garbage, an older format) counts as missing: the
  file is read again and the record rewritten.

At the end of reading, records that no file of this build used are deleted (:meth:`prune`), so
the store holds about one record per current file.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import topicfeed
from topicfeed.embed import Embed
from topicfeed.model import Image, NewsItem, Problem, Provider

logger = logging.getLogger(__name__)

#: Bumped when the record layout changes (the code version covers everything else).
FORMAT = b"topicfeed-news-items-1"
FOLDER = "news-items"

#: A record: ``(item, problems)`` for a news item (``item`` None when the file is rejected).
Record = tuple[NewsItem | None, list[Problem]]

_RECORD_CLASSES = (NewsItem, Image, Provider, Embed, Problem)


@functools.cache
def code_version() -> bytes:
    """A digest of the code that turns a file into a record: the shared model and this reader.

    Every ``.py`` file at the top of the ``topicfeed`` package (model, text, URLs, embeds...) and
    in ``news_reader``, plus the versions of Python and of the YAML parsers.
    """
    digest = hashlib.blake2b(FORMAT, digest_size=32)
    package = Path(topicfeed.__file__).parent
    for path in sorted([*package.glob("*.py"), *Path(__file__).parent.glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(sys.version_info[:3]).encode())
    for name in ("yaml", "yaml_rs"):
        module = sys.modules.get(name)
        digest.update(f"{name} {getattr(module, '__version__', None)}\0".encode())
    return digest.digest()


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


_FIELDS = {cls: _fields(cls) for cls in _RECORD_CLASSES}


def _reduce(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen dataclass as its constructor and positional fields.

    The default for slotted dataclasses calls ``dataclasses.fields`` for every object, both ways;
    that was most of the cost of Pelican's content cache for news items.
    """
    cls = type(obj)
    return cls, tuple(getattr(obj, name) for name in _FIELDS[cls])


class _Pickler(pickle.Pickler):
    dispatch_table: ClassVar[dict[type, Any]] = dict.fromkeys(_RECORD_CLASSES, _reduce)


def dumps(record: Record) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, record))
    return buffer.getvalue()


def loads(data: bytes) -> Record | None:
    """The record in ``data``, or None when it is not a whole, well-formed record of this format."""
    try:
        stored = pickle.loads(data)  # noqa: S301 - the build's own cache folder, as Pelican's cache does
    except Exception:  # a damaged record is a missing record
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT):
        return None
    record = stored[1]
    if not (isinstance(record, tuple) and len(record) == 2):
        return None
    item, problems = record
    if (item is not None and not isinstance(item, NewsItem)) or not isinstance(problems, list):
        return None
    if not all(isinstance(problem, Problem) for problem in problems):
        return None
    return item, problems


class ItemStore:
    """The records of one folder; ``key`` covers the reader's settings (the code is added here)."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self._key = hashlib.blake2b(code_version() + key, digest_size=32).digest()

    def digest(self, path: str, data: bytes) -> str:
        """The record name of a file: its path and bytes under the settings-and-code key."""
        digest = hashlib.blake2b(key=self._key, digest_size=20)
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / digest

    def get(self, digest: str) -> Record | None:
        try:
            data = self._path(digest).read_bytes()
        except OSError:
            return None
        record = loads(data)
        if record is None:
            logger.debug("news item store: record %s is damaged; the file is read again", digest)
        return record

    def put(self, digest: str, record: Record) -> None:
        """Write one record atomically; a store that cannot be written only costs speed."""
        target = self._path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{digest}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(dumps(record))
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            logger.debug("news item store: cannot write %s: %s", target, error)

    def prune(self, keep: Iterable[str]) -> int:
        """Delete the records not in ``keep`` (and stray temporary files); returns how many."""
        keep = set(keep)
        removed = 0
        try:
            shards = list(os.scandir(self.folder))
        except OSError:
            return 0
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                entries = list(os.scandir(shard.path))
            except OSError:
                continue
            for entry in entries:
                if entry.name in keep:
                    continue
                if entry.name.endswith(".tmp") and _younger_than(entry, 3600):
                    continue  # another build may be writing it right now
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
        return removed


def _younger_than(entry: os.DirEntry[str], seconds: float) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime < seconds
    except OSError:
        return False
