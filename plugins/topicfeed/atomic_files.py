"""Files the build keeps between runs, written whole or not at all.

Every record, manifest, store and report the build leaves for the next one is written to a
temporary file beside its target and moved over it with ``os.replace``: a reader (the next build,
another build running at the same moment) sees the last file or the new one, never half of
either, and a build killed while writing leaves the last file as it was. The temporary file's
name is unique (two builds never write into one) and hidden: ``.<target's name>.<random>.tmp``.

A build killed with SIGKILL cannot remove its temporary file, so each write first removes the
temporaries of the same target that are older than :data:`STRAY_AFTER`; a younger one may be
another build's, still being written.

The files are readable by all (0644), as Pelican's own cache files are, not ``mkstemp``'s 0600:
a cache restored by CI or shared between users must open for whoever builds next.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

#: Older than this (seconds), a temporary file is no running build's any more.
STRAY_AFTER = 3600

#: The mode of every file written here.
MODE = 0o644


@dataclass
class Pending:
    """A file being written: ``stream`` takes its bytes; ``target`` is where it goes when the
    block ends without an error (a writer that names the file after its bytes sets it last)."""

    stream: BinaryIO
    target: Path


@contextlib.contextmanager
def writing(target: Path, *, durable: bool = False) -> Iterator[Pending]:
    """Write the file ``target`` through the stream of the :class:`Pending` this yields.

    ``durable``: the bytes reach the disk (``fsync``) before the file is moved into place, for a
    record the next build must find whole after a power cut (the last one or this one, never an
    empty file, which the rename alone does not promise).
    On any error the temporary file goes and the error is raised; ``target`` is untouched.
    """
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}."
    remove_stray(folder, f"{glob.escape(prefix)}*.tmp")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        os.fchmod(handle, MODE)
        with os.fdopen(handle, "wb") as stream:
            pending = Pending(stream, target)
            yield pending
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, pending.target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write(target: Path, data: bytes | str, *, durable: bool = False) -> int:
    """Write ``data`` (text as UTF-8) to ``target`` whole or not at all; how many bytes."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with writing(target, durable=durable) as pending:
        pending.stream.write(raw)
    return len(raw)


def remove_stray(folder: Path, pattern: str) -> None:
    """Remove the files of ``folder`` matching ``pattern`` that are older than :data:`STRAY_AFTER`."""
    for path in folder.glob(pattern):
        try:
            if time.time() - path.stat().st_mtime > STRAY_AFTER:
                path.unlink()
        except OSError:
            pass
