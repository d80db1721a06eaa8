"""What the last finished build left for the next: its fingerprint and the files of its site.

The record is ``<output>.inputs.json`` beside the output folder (never inside the published
site), replaced atomically (a temporary file renamed over it), so a build killed at any moment
leaves either the old record or the new one. The listing of the output (each file's size and
modification time) is what makes the record trustworthy: if the output is not exactly the
folder the recorded build finished (another build swapped in, someone edited or deleted a file,
the swap never happened), the listing differs and the next build runs in full.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Bumped when the record's meaning changes, so an older record is never trusted.
VERSION = 1


def record_path(output: Path) -> Path:
    return output.with_name(output.name + ".inputs.json")


def listing(output: Path, retained: Iterable[str] = ()) -> dict[str, list[int]]:
    """Every file of the site (``[size, mtime_ns]`` by relative path), without the retained names.

    Names carried over from the previous site (``.git``, ``CNAME``: ``OUTPUT_RETENTION``) are
    left out: publishing commits into ``output/.git`` without changing the site.
    """
    skipped = set(retained)
    files: dict[str, list[int]] = {}
    if not output.is_dir():
        return files
    stack = [("", str(output))]
    while stack:  # os.scandir: one system call per file, no path arithmetic (28,000 files at 10k items)
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and entry.name in skipped:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    stat = entry.stat(follow_symlinks=False)
                    files[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return files


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
    version: int = VERSION


def load(output: Path) -> Record | None:
    """The last build's record, or None (missing, unreadable or from another version)."""
    try:
        data = json.loads(record_path(output).read_text(encoding="utf-8"))
        record = Record(**data)
    except (OSError, ValueError, TypeError):
        return None
    return record if record.version == VERSION else None


def save(output: Path, record: Record) -> None:
    path = record_path(output)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(record), handle, separators=(",", ":"), sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def forget(output: Path) -> None:
    """No record: the next build runs in full."""
    try:
        record_path(output).unlink()
    except FileNotFoundError:
        pass
