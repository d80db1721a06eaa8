"""Which record digest each news file had when last read, by the file's stat: so an unchanged file
is not read at all.

Finding an unchanged file's record (:mod:`.item_store`) means reading its bytes and digesting
them: 2.9 s of a one-item rebuild at 100,000 items, for files nobody touched. The table keeps, per
relative path, the file's ``(st_size, st_mtime_ns, st_ino, st_ctime_ns)`` as the last build saw
it and the digest its bytes had then; a file whose stat is the same now gets that digest without
being opened. The rules are those of the unchanged-build fingerprint
(:mod:`topicfeed.build_inputs`):

- an entry is trusted only if the file's mtime and ctime are settled (:mod:`topicfeed.racy`) at
  the moment the table's build started: a same-size write in the same clock tick as the recorded
  one would otherwise go unseen (git's "racy" case). The ctime counts too, because an mtime put
  back by hand (``touch -d``) leaves the ctime of the edit;
- any difference of size, mtime, inode or ctime, or no entry, and the file is read as before. The
  records stay keyed by the digest of the bytes, so a fresh checkout (every stat new) still finds
  its records by reading them;
- the table belongs to one settings-and-code key (the item store's): a table of another key is
  not trusted at all, since the same digest names another record there;
- it is written whole, to a temporary file moved into place with ``os.replace`` as the packs are,
  only when an entry changed, and a table that cannot be loaded (a checksum covers it) is ignored.

A fresh checkout (every deploy in GitHub Actions) gives every file a new stat, so an entry also
keeps the git blob id of the bytes its digest was made from (:mod:`topicfeed.git_checkout`), and
the table the conversions git checked files out under: a file git reports clean with that blob
id, the recorded size and the same conversions keeps the recorded digest unread
(:meth:`StatTable.by_blob`). The blob id is computed from the bytes read, or carried over from
the entry of a file whose stat vouched for it, never taken from git.

Every entry written was seen by the build that writes it, after the build started: either it
was trusted (so it was already settled before the last table's start, hence before this one's),
or the file was read in this build. So one start time, the writing build's, serves all entries.
The stats compared are those of the run's first look at the content folder when there is one
(:mod:`topicfeed.content_stats`: the unchanged-build check's, taken before this table is made),
so the build's start is when that look started.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import struct
import time
from pathlib import Path

from topicfeed import atomic_files
from topicfeed.racy import settled

logger = logging.getLogger(__name__)

NAME = "files.stat"
#: Bumped when the table's layout or meaning changes.
MAGIC = b"topicfeed-news-stats-2\n"
_CHECKSUM = 16

#: A file's stat as the table keeps it: size, mtime, inode, ctime (nanoseconds), packed.
_STAT = struct.Struct("<qqQq")
#: A packed stat (:func:`file_stat`); an entry is that followed by the 20 digest bytes, then
#: the first 12 bytes of the blob id of the bytes digested, when known.
FileStat = bytes
_DIGEST_END = _STAT.size + 20


def file_stat(source_path: str) -> FileStat | None:
    """The stat the table compares, taken before the file is read; None when there is none
    (the file cannot be looked up: reading it says why)."""
    try:
        stat = os.stat(source_path)
        return _STAT.pack(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
    except (OSError, struct.error):  # struct.error: an inode beyond 64 bits
        return None


def packed(stat: tuple[int, int, int, int]) -> FileStat | None:
    """A stat kept elsewhere (:data:`topicfeed.content_stats.Stat`) as :func:`file_stat` gives it."""
    try:
        return _STAT.pack(*stat)
    except struct.error:
        return None


def _settled(stat: FileStat, start_ns: int) -> bool:
    """Modified (content or inode) long enough before ``start_ns`` (:func:`topicfeed.racy.settled`)."""
    _size, mtime_ns, _inode, ctime_ns = _STAT.unpack(stat)
    return settled(max(mtime_ns, ctime_ns), start_ns)


class StatTable:
    """One build's view of the table: what the last build recorded, and what this one saw."""

    def __init__(self, folder: Path, key: bytes, since_ns: int | None = None) -> None:
        self.path = folder / NAME
        self._key = key
        #: When this build started to look at files: every stat it takes is later. ``since_ns``:
        #: when the run's first look at the content folder started (its stats are used here:
        #: :mod:`topicfeed.content_stats`).
        now = time.time_ns()
        self._start_ns = now if since_ns is None else min(now, since_ns)
        self._recorded: dict[str, bytes] | None = None
        self._recorded_ns = 0
        self._conversions = ""
        self._seen: dict[str, bytes] = {}
        self._changed = False

    def load(self) -> None:
        """Read the last table (once); a missing, damaged or other-key table is an empty one."""
        if self._recorded is not None:
            return
        self._recorded = {}
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        loaded = _parse(data, self._key)
        if loaded is None:
            logger.debug("news item store: %s is damaged or of other settings; files are read", self.path)
            return
        self._recorded_ns, self._recorded, self._conversions = loaded

    def digest(self, path: str, stat: FileStat) -> str | None:
        """The digest recorded for ``path`` if its stat is the recorded one and settled then."""
        self.load()
        entry = self._recorded.get(path) if self._recorded is not None else None
        if entry is None or entry[: _STAT.size] != stat or not _settled(stat, self._recorded_ns):
            return None
        return entry[_STAT.size : _DIGEST_END].hex()

    def by_blob(self, path: str, stat: FileStat, blob: str | None, conversions: str) -> str | None:
        """The digest recorded for ``path`` if git reports it clean with the blob id ``blob`` (hex)
        under the ``conversions`` the table was made under, and its size is the recorded one."""
        self.load()
        entry = self._recorded.get(path) if self._recorded is not None and blob else None
        if entry is None or not conversions or conversions != self._conversions:
            return None
        # the size is a packed stat's first 8 bytes
        if len(entry) <= _DIGEST_END or entry[:8] != stat[:8] or entry[_DIGEST_END:].hex() != blob[:24]:
            return None
        return entry[_STAT.size : _DIGEST_END].hex()

    def note(self, path: str, stat: FileStat, digest: str, blob: str | None = None) -> None:
        """This build found ``path``'s record under ``digest``, with the file's stat ``stat``;
        ``blob``: the blob id (hex) of the bytes it read, None when it read none."""
        entry = stat + bytes.fromhex(digest)
        recorded = self._recorded.get(path) if self._recorded is not None else None
        if blob is not None:
            entry += bytes.fromhex(blob[:24])
        elif recorded is not None and recorded[:_DIGEST_END] == entry:
            entry = recorded  # the same bytes as recorded: their blob id too
        if recorded != entry:
            self._changed = True
        else:
            entry = recorded  # one object for both tables (8.5 MB less at 100,000 files)
            if not _settled(stat, self._recorded_ns) and _settled(stat, self._start_ns):
                self._changed = True  # not trusted this time, but will be under this build's start
        self._seen[path] = entry

    def save(self, conversions: str = "") -> str:
        """Write what this build saw, when it differs from the last table; says what was done.
        ``conversions``: git's, for the blob ids (:mod:`topicfeed.git_checkout`), or empty."""
        self.load()
        same = not self._changed and len(self._seen) == len(self._recorded or {})
        if same and conversions == self._conversions:
            return "unchanged"
        body = pickle.dumps(
            (self._key, self._start_ns, self._seen, conversions), protocol=pickle.HIGHEST_PROTOCOL
        )
        checksum = hashlib.blake2b(body, digest_size=_CHECKSUM).digest()
        try:
            with atomic_files.writing(self.path) as pending:
                pending.stream.write(MAGIC + checksum)
                pending.stream.write(body)
        except OSError as error:
            logger.warning("news item store: cannot write %s: %s", self.path, error)
            return "not written"
        return f"{len(self._seen)} file stats written"

    def release(self) -> None:
        """Drop the entries once saved (see :meth:`ItemStore.release`); later lookups find none."""
        self._recorded = {}
        self._seen = {}
        self._changed = False


def _parse(data: bytes, key: bytes) -> tuple[int, dict[str, bytes], str] | None:
    """The start time and entries of a table written under ``key``; None if it is not one."""
    head = len(MAGIC) + _CHECKSUM
    if not data.startswith(MAGIC) or len(data) < head:
        return None
    body = memoryview(data)[head:]
    if hashlib.blake2b(body, digest_size=_CHECKSUM).digest() != data[len(MAGIC) : head]:
        return None
    try:
        stored = pickle.loads(body)  # noqa: S301 - the build's own cache folder, checksummed
    except Exception:
        return None
    if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key):
        return None
    _key, start_ns, entries, conversions = stored
    if type(start_ns) is not int or not isinstance(entries, dict) or not isinstance(conversions, str):
        return None
    return start_ns, entries, conversions
