"""A cache folder that a killed build cannot leave half-written.

Pelican writes its cache files in place (``open(path, "wb")`` then ``pickle.dump``). A build
killed in the middle leaves a truncated file, and an empty one makes every later build fail
with ``EOFError`` while loading it. So once a build has saved the cache, a small record of each
cache file's size and modification time goes beside them (``.complete.json``, written
atomically); a build that finds the files different from the record (or no record) starts from
an empty folder instead of loading them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from topicfeed import atomic_files

logger = logging.getLogger(__name__)

RECORD = ".complete.json"


def _files(folder: Path) -> dict[str, list[int]]:
    found = {}
    for path in sorted(folder.iterdir()):
        # Not the record, nor a record being written (:mod:`topicfeed.atomic_files`' temporaries).
        if path.name != RECORD and not path.name.startswith(f".{RECORD}.") and path.is_file():
            info = path.stat()
            found[path.name] = [info.st_size, info.st_mtime_ns]
    return found


def is_complete(folder: Path) -> bool:
    """Whether the cache files in ``folder`` are exactly the ones the last save recorded."""
    try:
        recorded = json.loads((folder / RECORD).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return recorded == _files(folder)


def clear_if_incomplete(folder: Path) -> bool:
    """Empty ``folder`` when a build stopped while saving into it; True when it did."""
    if not folder.is_dir() or is_complete(folder):
        return False
    if not any(name != RECORD for name in os.listdir(folder)):
        return False  # nothing saved yet
    shutil.rmtree(folder)
    folder.mkdir()
    logger.warning("content cache: %s was left half-written by a stopped build; reading all again", folder)
    return True


def record(folder: Path) -> None:
    """Record the cache files just saved (call it after Pelican has saved the cache)."""
    if not folder.is_dir():
        return
    data = json.dumps({"files": _files(folder)}, sort_keys=True)
    atomic_files.write(folder / RECORD, data)
