"""Reading news files on every core: forked readers prepare each file before Pelican asks for it.

Pelican reads article files one at a time on one core, and for a news file most of that time is
the reader's own: parsing the YAML and building the item (a file not in the item store), or
reading the bytes, digesting them and opening the stored record (a file that is; only opening
the record when the file's stat is the one recorded, :mod:`.stat_table`). When reading
starts (``article_generator_init``) and many files may need parsing (see :data:`MIN_FILES`),
:func:`start` forks ``NEWS_READ_PROCESSES`` readers that do exactly that for every news file
of the article paths, in Pelican's order, chunk by chunk, and send back each file's digest, stat
and record pickled (as the store keeps it: the build adds it to the store when the file was parsed).
:meth:`NewsReader.read` then takes the file's :class:`Prepared` result instead of reading it,
and does the rest as before: counts, store, metadata, the article.

Nothing about the result changes: the forked readers run the reader's own
:class:`~.reader.FileParser` on the same bytes, a record comes back as it would from the store
(pickled the store's way), and anything a forked reader could not do (a file it could not read,
an exception, a reader that died) is simply not prepared, so the reader reads that file itself,
with its usual error message, in Pelican's order. Forked readers never log and never write the
store; the build process adds their records to the store as it takes them, as if it had parsed
them itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from topicfeed.build import Build, MissingProduct

from .item_store import ItemStore, Record, Stored, pickled, unpickled
from .stat_table import FileStat

if TYPE_CHECKING:
    from .reader import FileParser

logger = logging.getLogger(__name__)

#: Fewer news files than this are read in the build process: a fork costs more than it saves.
#: So are the files of a build whose item store holds records for at least half of them (a
#: rebuild): opening a stored record costs the build process 0.03 ms, and handing it over from a
#: forked reader saved less than the fork and the hand-over cost (measured at 10,000 items). A
#: store full of records of other settings or code is read in the build process too: as slow as
#: before forked readers, never slower.
MIN_FILES = 64
#: Files per message from a forked reader; chunks alternate between readers, in reading order.
CHUNK = 64

#: What a forked reader sends for one file: ``(digest, pickled record or None for Markdown,
#: parsed, damaged, stat, blob)``; None when it prepared nothing. A parsed record goes to the
#: store as sent, the stat (taken before the file was read) and the git blob id of the bytes
#: read (None: not read) to the store's file stats.
Wire = tuple[str, bytes | None, bool, bool, FileStat | None, str | None] | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One file as a forked reader left it: what :meth:`NewsReader.read` would have found itself.

    ``record`` None: a Markdown file (the reader hands it to Pelican's Markdown reader).
    ``parsed``: the file had no (whole) record in the store and was parsed; ``stored`` is then
    the record to add to the store. ``damaged``: the store held a damaged record for it.
    ``stat``: the file's stat for the store's file stats (None without a store). ``blob``: the
    git blob id of the bytes read (None: the file was not read, or no store).
    """

    digest: str
    record: Record | None
    parsed: bool
    stored: bytes | None
    damaged: bool
    stat: FileStat | None
    blob: str | None = None


#: What :func:`find_record` found for one file: ``(digest, record or None for Markdown, the
#: record as stored or None when parsed, parsed, damaged, stat, blob id of the bytes read or
#: None)``; None when it found nothing.
Found = tuple[str, Record | None, Stored | None, bool, bool, FileStat | None, str | None] | None


def find_record(parser: FileParser, store: ItemStore | None, source_path: str) -> Found:
    """What the reader would find for ``source_path`` before the metadata, without logging or
    writing the store: its stored record (not even reading the file when its stat is the one
    recorded) or the file parsed. None: the reader must read it itself and say what failed."""
    path = parser.relative(source_path)
    stat = store.file_stat(path, source_path) if store is not None else None
    known = store.known(path, stat) if store is not None and stat is not None else None
    if known is not None and store is not None:  # the stat is the one recorded: not read
        raw = store.stored(known)
        record = None if raw is None else unpickled(raw)
        if record is not None:
            return known, record, raw, False, False, stat, None
    try:
        data = parser.read_bytes(source_path)
    except OSError:
        return None  # the reader reads it again and says why
    digest = store.digest(path, data) if store is not None else ""
    blob = store.blob_of(data) if store is not None else None
    damaged = False
    if store is not None:
        raw = store.stored(digest)
        if raw is not None:
            record = unpickled(raw)
            if record is not None:
                return digest, record, raw, False, False, stat, blob
            damaged = True
    try:
        record = parser.parse(source_path, path, data)
    except Exception:  # the reader parses it again and fails as it always did
        return None
    return digest, record, None, True, damaged, stat, blob


def prepare(parser: FileParser, store: ItemStore | None, source_path: str) -> Wire:
    """In a forked reader: what the reader would do with ``source_path`` before the metadata."""
    found = find_record(parser, store, source_path)
    if found is None:
        return None
    digest, record, raw, parsed, damaged, stat, blob = found
    if record is None:
        return digest, None, parsed, damaged, stat, blob
    # a slice of a pack is not picklable: its bytes are sent
    return digest, bytes(raw) if raw is not None else pickled(record), parsed, damaged, stat, blob


def _reader(
    parser: FileParser,
    store: ItemStore | None,
    chunks: list[list[str]],
    connection: Any,
    parent: int,
    inherited: list[Any],
) -> None:
    """A forked reader: prepare each chunk and send it; stop when the build is gone."""
    for receiver in inherited:  # the build's ends: with one open here, a dead build is not seen
        receiver.close()
    try:
        for chunk in chunks:
            if os.getppid() != parent:
                os._exit(1)
            connection.send([(path, prepare(parser, store, path)) for path in chunk])
    except BaseException:  # noqa: S110 - the build reads whatever was not sent itself
        pass
    finally:
        connection.close()


class Prefetch:
    """The forked readers of one build, and what they sent that the reader has not taken yet.

    A thread of the build process receives their messages as they come: a forked reader that
    had to wait until the reader asks for its next file would wait for the scheduler at every
    hand-over, and on a busy machine that cost more than the work.
    """

    def __init__(
        self, parser: FileParser, store: ItemStore | None, files: Sequence[str], processes: int
    ) -> None:
        context = multiprocessing.get_context("fork")
        chunks = [list(files[start : start + CHUNK]) for start in range(0, len(files), CHUNK)]
        self._owner: dict[str, int] = {}
        self._connections: list[Any] = []
        self._processes: list[Any] = []
        self._ready: dict[str, Wire] = {}
        self._sending = [True] * processes
        self._arrived = threading.Condition()
        parent = os.getpid()
        sys.stdout.flush()  # a forked process flushes what it inherited: nothing, then
        sys.stderr.flush()
        for index in range(processes):
            mine = chunks[index::processes]
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_reader,
                args=(parser, store, mine, sender, parent, [receiver, *self._connections]),
                daemon=True,
            )
            process.start()
            sender.close()
            self._connections.append(receiver)
            self._processes.append(process)
            for chunk in mine:
                self._owner.update(dict.fromkeys(chunk, index))
        self._receiver = threading.Thread(target=self._receive, name="news-readers", daemon=True)
        self._receiver.start()

    def take(self, source_path: str) -> Prepared | None:
        """What a forked reader prepared for ``source_path``; None: the reader reads it itself."""
        index = self._owner.pop(source_path, None)
        if index is None:
            return None
        with self._arrived:
            while source_path not in self._ready and self._sending[index]:
                self._arrived.wait()
            wire = self._ready.pop(source_path, None)
        if wire is None:
            return None
        digest, raw, parsed, damaged, stat, blob = wire
        record = unpickled(raw) if raw is not None else None
        if raw is not None and record is None:
            return None  # cannot happen (the forked reader checked it); read it here
        return Prepared(digest, record, parsed, raw if parsed else None, damaged, stat, blob)

    def _receive(self) -> None:
        """The receiving thread: every message of every forked reader, until each one is done."""
        open_ = {connection: index for index, connection in enumerate(self._connections)}
        while open_:
            for connection in multiprocessing.connection.wait(list(open_)):
                try:
                    batch = connection.recv()
                except (EOFError, OSError):  # done, or dead: what it did not send is read here
                    index = open_.pop(connection)
                    with self._arrived:
                        self._sending[index] = False
                        self._arrived.notify_all()
                    continue
                with self._arrived:
                    self._ready.update(batch)
                    self._arrived.notify_all()

    def close(self) -> None:
        """Stop the forked readers (all done, unless reading stopped early) and forget the rest."""
        for process in self._processes:
            process.join(timeout=1)
            if process.is_alive():
                process.terminate()
                process.join()
        self._receiver.join()
        for connection in self._connections:
            connection.close()
        self._owner.clear()
        self._ready.clear()


def start(
    settings: dict[str, Any],
    parser: FileParser,
    store: ItemStore | None,
    files: Sequence[str],
    processes: int,
) -> bool:
    """Fork readers for ``files`` (in reading order) for the running build; False: not worth it."""
    try:
        build = Build.of(settings)
    except MissingProduct:
        return False
    for _owner, older in _PREFETCHES.values():  # reading of any earlier run (autoreload) is over
        older.close()
    _PREFETCHES.clear()
    if processes < 2 or len(files) < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if store is not None and store.size() * 2 >= len(files):
        return False  # most files have a record: the build process opens them faster itself
    _PREFETCHES[id(build)] = (build, Prefetch(parser, store, files, processes))
    return True


def take_prepared(settings: dict[str, Any], source_path: str) -> Prepared | None:
    """The prepared result for ``source_path`` in the build of ``settings``, if any."""
    if not _PREFETCHES:
        return None
    try:
        build = Build.of(settings)
    except MissingProduct:
        return None
    owner, prefetch = _PREFETCHES.get(id(build), (None, None))
    if owner is not build or prefetch is None:
        return None
    return prefetch.take(source_path)


def stop(settings: dict[str, Any]) -> None:
    """Reading is over: stop the build's forked readers, if it has any."""
    try:
        build = Build.of(settings)
    except MissingProduct:
        return
    _owner, prefetch = _PREFETCHES.pop(id(build), (None, None))
    if prefetch is not None:
        prefetch.close()


#: The prefetch of each running build (by ``id`` of its :class:`Build`), as the item stores.
_PREFETCHES: dict[int, tuple[Build, Prefetch]] = {}
