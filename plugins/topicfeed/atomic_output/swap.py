"""The folders of an atomic build and the swap that publishes it: pure file-system steps.

For an output folder ``site/`` the build writes into ``.site.building`` beside it; the swap
exchanges the two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``) or, where the
system cannot, renames ``site`` to ``.site.previous`` and ``.site.building`` to ``site``. The
previous site is renamed out of the way (``.site.removing-<pid>-<ns>``) and deleted in the
background.

Every step leaves a state that :func:`recover` turns back into "one complete site at ``site``":
killed between the two renames of the fallback, ``site`` is missing and ``.site.previous`` holds
the previous site, which is renamed back. Nothing here locks: the caller holds the output lock
(:mod:`topicfeed.locks`) around :func:`prepare` ... :func:`swap`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def building_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.building")


def previous_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.previous")


def _removing_prefix(output: Path) -> str:
    return f".{output.name}.removing-"


def _parked(output: Path) -> list[Path]:
    """Folders set aside for background removal (``.site.removing-<pid>-<ns>``), maybe left over."""
    prefix = _removing_prefix(output)
    try:
        return sorted(path for path in output.parent.iterdir() if path.name.startswith(prefix))
    except FileNotFoundError:
        return []


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def remove_in_background(folder: Path) -> None:
    """Delete a folder without making the build wait (a site has tens of thousands of files).

    If the process is gone before ``rm`` finishes, the next build starts it again.
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


def _park(folder: Path, output: Path) -> None:
    """Rename ``folder`` out of the way at once, then delete it in the background."""
    if not folder.exists():
        return
    parked = folder.with_name(f"{_removing_prefix(output)}{os.getpid()}-{time.monotonic_ns()}")
    try:
        folder.rename(parked)
    except FileNotFoundError:
        return
    remove_in_background(parked)


def recover(output: Path) -> None:
    """Undo what an interrupted build left beside ``output``; afterwards only ``output`` remains."""
    building, previous = building_folder(output), previous_folder(output)
    if previous.is_dir() and not output.exists():
        previous.rename(output)  # a swap was interrupted between its two renames
        logger.warning("atomic_output: %s restored (the last build stopped during its swap)", output)
    for leftover in _parked(output):  # a removal that a killed process did not finish
        remove_in_background(leftover)
    _park(building, output)
    _park(previous, output)


def prepare(output: Path, retention: Iterable[str]) -> Path:
    """A fresh building folder for ``output``, holding the retained names of the current site."""
    recover(output)
    building = building_folder(output)
    building.mkdir(parents=True)
    for name in retention:
        source = output / name
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, building / name, symlinks=True)
        elif source.exists() or source.is_symlink():
            shutil.copy2(source, building / name, follow_symlinks=False)
    return building


def swap(output: Path) -> bool:
    """Make the finished building folder the output; False when there is nothing to swap in."""
    building, previous = building_folder(output), previous_folder(output)
    if not building.is_dir():
        return False
    if output.is_dir() and not output.is_symlink() and exchange(building, output):
        building.rename(previous)  # the exchange left the previous site in the building folder
    else:
        if output.exists() or output.is_symlink():
            output.rename(previous)
        building.rename(output)
    _park(previous, output)
    return True
