"""Temporary files a killed build left in a cache folder, removed by a later build.

The item store's packs and stat table and the related step's decisions are each written to a
temporary file and moved into place, so a build killed meanwhile leaves its temporary file
behind. A recent one may be another build's, still being written: only those older than an hour
go.
"""

from __future__ import annotations

import time
from pathlib import Path

#: Older than this (seconds), a temporary file is no build's any more.
STRAY_AFTER = 3600


def remove_stray(folder: Path, pattern: str) -> None:
    """Remove the files of ``folder`` matching ``pattern`` that are older than :data:`STRAY_AFTER`."""
    for path in folder.glob(pattern):
        try:
            if time.time() - path.stat().st_mtime > STRAY_AFTER:
                path.unlink()
        except OSError:
            pass
