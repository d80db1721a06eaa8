"""What the last finished build left for the next: its fingerprint and the files of its site.

The record is ``<output>.inputs.json`` beside the output folder (never inside the published
site), replaced atomically (a temporary file renamed over it), so a build killed at any moment
leaves either the old record or the new one. The listing of the output (each file's size,
modification time and inode) is what makes the record trustworthy: if the output is not exactly
the site the recorded build finished (another build swapped in, someone edited, replaced or
deleted a file, the swap never happened), some file's size or time differs, or a file is there
or missing, and the next build runs in full (:func:`same_site`). The inode is not compared: a
cache restored on another machine (the Pages workflow's) keeps each file's size and time to the
nanosecond (``tar --posix``), but every inode is new.

Listing the site a build just wrote would cost a ``stat`` per file (28,000 at 10,000 items),
though most files are the last site's files, hard-linked into the new one. The directory read
gives each file's inode for nothing: a file whose inode is the one the last record lists for its
path is that same file (the last site is intact until the new one is swapped in, so its inodes
are not free for new files), and keeps its recorded size and time without a ``stat``. The
build passes the last record only while that site is still there, on the file system the
record was made on (:func:`filesystem`: a restored cache's inode numbers are another machine's,
and may be any file's here). A deleted site's inode numbers come back for new files at the same
paths (ext4 reuses them, and the same content gives the same sizes), which kept 3 stale entries
of 280,000 and cost a 100,000-item warm build its skip. This can
only make the record wrong in one direction: a file changed in place since the last record (or
deleted by hand and its inode reused) keeps a stale entry, which the next build's check (a real
``stat`` of every file) finds different, so that build runs in full; no listing ever makes a
changed site look unchanged.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from topicfeed import atomic_files
from topicfeed.build import KnownFiles
from topicfeed.gc_pause import gc_paused

#: Bumped when the record's meaning changes, so an older record is never trusted.
VERSION = 3


def record_path(output: Path) -> Path:
    return output.with_name(output.name + ".inputs.json")


def filesystem(folder: Path) -> str:
    """The folder and the system it is on, as this boot of this machine knows them: inode
    numbers recorded under another value name files of another file system (or none)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:  # not Linux: the folder's identity alone
        boot = ""
    info = os.stat(folder)
    return f"{boot}:{info.st_dev}:{info.st_ino}"


def same_site(found: Mapping[str, list[int]], recorded: Mapping[str, list[int]]) -> bool:
    """Whether a listing of the output shows the site recorded: the same files, each of the
    recorded size and modification time (not inode: see the module's doc)."""
    if found.keys() != recorded.keys():
        return False
    return all(entry[:2] == recorded[name][:2] for name, entry in found.items())


def listing(
    output: Path, retained: Iterable[str] = (), known: Mapping[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """Every file of the site (``[size, mtime_ns, inode]`` by relative path), without the retained
    names.

    Names carried over from the previous site (``.git``, ``CNAME``: ``OUTPUT_RETENTION``) are
    left out: publishing commits into ``output/.git`` without changing the site. ``known``: the
    last record's listing; a file with the inode recorded for its path keeps its record (see the
    module's doc). Without it every file is looked up (what a check must do).
    """
    return walk(output, retained, known)[0]


def walk(
    output: Path, retained: Iterable[str] = (), known: Mapping[str, list[int]] | None = None
) -> tuple[dict[str, list[int]], set[str]]:
    """:func:`listing`, and the folders holding no file, in themselves or below (relative, ``/``).

    The second is free once every folder is read, and the output step needs it: the folders it
    took over from an earlier site and this build left without a file are removed before the
    swap, and trying ``rmdir`` on every one cost 1.45 s at 100,000 items (206,874 folders).
    """
    skipped = set(retained)
    known = known or {}
    files: dict[str, list[int]] = {}
    if not output.is_dir():
        return files, set()
    # Each folder (relative, "" for the top) in the order it was read, with its parent's index
    # and whether it holds a file itself.
    folders: list[str] = [""]
    parents: list[int] = [-1]
    holds_file: list[bool] = [False]
    stack = [(0, "", str(output))]
    while stack:  # os.scandir: one system call per file, no path arithmetic (28,000 files at 10k items)
        index, prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and entry.name in skipped:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(f"{prefix}{entry.name}")
                    parents.append(index)
                    holds_file.append(False)
                    stack.append((len(folders) - 1, f"{prefix}{entry.name}/", entry.path))
                else:
                    holds_file[index] = True
                    name = prefix + entry.name
                    inode = entry.inode()
                    old = known.get(name)
                    if old is not None and len(old) == 3 and old[2] == inode:
                        files[name] = old
                    else:
                        stat = entry.stat(follow_symlinks=False)
                        files[name] = [stat.st_size, stat.st_mtime_ns, inode]
    # A folder is read after its parent: going backwards, each folder is settled before its
    # parent takes it into account.
    for index in range(len(folders) - 1, 0, -1):
        if holds_file[index]:
            holds_file[parents[index]] = True
    filled = {name for name, held in zip(folders, holds_file, strict=True) if held and name}
    return files, filled


def listed(output: Path, known: KnownFiles) -> tuple[dict[str, list[int]], set[str]]:
    """:func:`walk` of a site a rebuild from the site model wrote, from what it knows
    (``Build.known_files``): the files it linked as it found them, and a look at each file and
    folder it wrote, not at every folder of the site (3.2 s at 100,000 items). The retained
    names are neither linked nor written by it."""
    files = dict(known.linked)
    for name in known.written:
        if name.endswith("/"):
            below, _ = walk(output / name)
            files.update((name + path, entry) for path, entry in below.items())
            continue
        try:
            info = os.lstat(output / name)
        except FileNotFoundError:
            continue
        files[name] = [info.st_size, info.st_mtime_ns, info.st_ino]
    return files, filled_folders(files)


def filled_folders(files: Iterable[str]) -> set[str]:
    """The folders (relative, ``/``) holding one of ``files`` (relative paths), in themselves
    or below."""
    filled: set[str] = set()
    for name in files:
        folder = name.rpartition("/")[0]
        while folder and folder not in filled:
            filled.add(folder)
            folder = folder.rpartition("/")[0]
    return filled


@dataclass
class Record:
    """One finished build: its inputs' fingerprint, its site's files, what it warned about."""

    fingerprint: str
    #: Each input file's ``[size, mtime_ns, digest]`` (lets the next build skip hashing it).
    files: dict[str, list[Any]]
    site: dict[str, list[int]]
    #: ``time.time_ns()`` when the fingerprint was taken (files modified after it are hashed).
    taken_ns: int
    #: The warnings the build logged, ``[level, message]``, to repeat when the next one skips.
    warnings: list[list[Any]] = field(default_factory=list)
    #: The build that made the site (``Build.id``; the site model names it too).
    build: str = ""
    #: :func:`filesystem` of the site's folder: the listing's inodes are that file system's.
    filesystem: str = ""
    version: int = VERSION


#: The record last read, by its file's path, with that file's (size, mtime, inode) then: a run
#: planned from the site model reads it twice (the check, then the ``site-listing``
#: derivation), and at 100,000 items it is 42 MB of JSON (0.6 s to read). Callers do not
#: change what they get.
_READ: dict[str, tuple[tuple[int, int, int], Record]] = {}


def load(output: Path) -> Record | None:
    """The last build's record, or None (missing, unreadable or from another version)."""
    path = record_path(output)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            identity = (info.st_size, info.st_mtime_ns, info.st_ino)
            read = _READ.get(str(path))
            if read is not None and read[0] == identity:
                return read[1]
            with gc_paused():  # a list for every file of the site, none of them garbage
                # orjson: 0.27 s for this record at 100,000 items, where json took 0.73 s
                data = orjson.loads(handle.read())
        record = Record(**data)
    except (OSError, ValueError, TypeError):  # orjson.JSONDecodeError is a ValueError
        return None
    if record.version != VERSION:
        return None
    _READ.clear()  # one record kept: the last one read
    _READ[str(path)] = (identity, record)
    return record


def save(output: Path, record: Record) -> None:
    path = record_path(output)
    release(output)
    # The fields as they are: ``asdict`` would deep-copy every listing entry first.
    fields = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    # Compact JSON with sorted keys, in UTF-8: 0.11 s for this record at 100,000 items (42 MB),
    # where json's C encoder took 0.58 s.
    atomic_files.write(path, orjson.dumps(fields, option=orjson.OPT_SORT_KEYS), durable=True)


def release(output: Path) -> None:
    """Keep no copy of the record read for ``output`` (:func:`load` reads it again if asked)."""
    _READ.pop(str(record_path(output)), None)


def forget(output: Path) -> None:
    """No record: the next build runs in full."""
    release(output)
    try:
        record_path(output).unlink()
    except FileNotFoundError:
        pass
