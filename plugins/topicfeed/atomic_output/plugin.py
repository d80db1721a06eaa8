"""Redirects each build into ``.<output>.building`` beside the output folder and swaps it in.

A build that fails or is interrupted never reaches ``finalized``, so the previous site stays
as it was; the half-built folder is removed at the start of the next build. After the swap the
previous site (``.<output>.previous``) is deleted by a background ``rm -rf``. Because every build
starts from an empty folder, pages of items that have since been unpublished or deleted cannot
linger. Files named in ``OUTPUT_RETENTION`` (such as ``.git`` or ``CNAME``) are carried over.

Keep ``atomic_output`` last in ``PLUGINS``: plugins that post-process the output in
``finalized`` (search index, ...) run before the swap and must use ``pelican.output_path``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from pelican import signals

logger = logging.getLogger(__name__)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _paths(real: Path) -> tuple[Path, Path]:
    return real.with_name(f".{real.name}.building"), real.with_name(f".{real.name}.previous")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _remove_in_background(folder: Path) -> None:
    """Delete the previous site without making the build wait (tens of thousands of files).

    If the process is gone before it finishes, the next build removes what is left.
    """
    if not folder.exists():
        return
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def begin(pelican: Any) -> None:
    """Point this run at a fresh temporary folder (``get_generators`` is sent once per run)."""
    real = Path(getattr(pelican, "atomic_real_output", None) or pelican.output_path).resolve()
    pelican.atomic_real_output = real
    building, previous = _paths(real)
    if previous.exists() and not real.exists():
        previous.rename(real)  # a swap was interrupted between its two renames
    if building.exists():
        shutil.rmtree(building, ignore_errors=True)
    if previous.exists():  # still being deleted, or left by a process that was killed
        try:
            parked = previous.with_name(f"{previous.name}-{os.getpid()}-{time.monotonic_ns()}")
            previous.rename(parked)
            _remove_in_background(parked)
        except FileNotFoundError:
            pass
    building.mkdir(parents=True)
    for name in pelican.settings.get("OUTPUT_RETENTION", []):
        source = real / name
        if source.is_dir():
            shutil.copytree(source, building / name, symlinks=True)
        elif source.exists():
            shutil.copy2(source, building / name)
    pelican.output_path = str(building)


def commit(pelican: Any) -> None:
    """Replace the output folder with the finished build."""
    real: Path | None = getattr(pelican, "atomic_real_output", None)
    if real is None:
        return
    building, previous = _paths(real)
    pelican.output_path = str(real)
    if not building.is_dir():
        return
    if real.is_dir() and not real.is_symlink() and _exchange(building, real):
        building.rename(previous)  # the exchange left the previous site in the building folder
    else:
        if real.exists():
            real.rename(previous)
        building.rename(real)
    _remove_in_background(previous)
    logger.debug("output replaced atomically: %s", real)


def register() -> None:
    signals.get_generators.connect(begin)
    signals.finalized.connect(commit)
