"""The folders of an atomic build and the swap that publishes it: pure file-system steps.

For an output folder ``site/`` the build writes into ``.site.building`` beside it; the swap
exchanges the two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``) or, where the
system cannot, renames ``site`` to ``.site.previous`` and ``.site.building`` to ``site``. The
previous site is renamed out of the way (``.site.removing-<pid>-<ns>``) and deleted in the
background, or, when the build recycles folders, emptied of its files in the background and
kept as ``.site.skeleton``: the next build starts from those (empty) folders instead of making
each again, and removes the ones it did not fill (:func:`prune`).

Every step leaves a state that :func:`recover` turns back into "one complete site at ``site``":
killed between the two renames of the fallback, ``site`` is missing and ``.site.previous`` holds
the previous site, which is renamed back. Nothing here locks: the caller holds the output lock
(:mod:`topicfeed.locks`) around :func:`prepare` ... :func:`swap`.
"""

from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Collection, Iterable
from pathlib import Path

from . import mirror

logger = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def building_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.building")


def previous_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.previous")


def skeleton_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.skeleton")


def folders_list(output: Path) -> Path:
    """The skeleton folders a build took over (outside the site, so no page lists it)."""
    return output.with_name(f".{output.name}.building-folders")


#: The file inside a skeleton that lists its folders (written by ``clear.py``).
SKELETON_LIST = ".topicfeed-skeleton-folders"
_CLEARER = Path(__file__).with_name("clear.py")
_MIRROR = Path(__file__).with_name("mirror.py")


def _clearing_prefix(output: Path) -> str:
    return f".{output.name}.clearing-"


def _removing_prefix(output: Path) -> str:
    return f".{output.name}.removing-"


def _set_aside_folders(prefix: str, output: Path) -> list[Path]:
    """The folders beside ``output`` whose names start with ``prefix``, maybe left over."""
    try:
        return sorted(path for path in output.parent.iterdir() if path.name.startswith(prefix))
    except FileNotFoundError:
        return []


def _set_aside(folder: Path, prefix: str) -> Path | None:
    """Rename ``folder`` to ``<prefix><pid>-<ns>`` beside it at once; None when it is gone."""
    if not folder.exists():
        return None
    aside = folder.with_name(f"{prefix}{os.getpid()}-{time.monotonic_ns()}")
    try:
        folder.rename(aside)
    except FileNotFoundError:
        return None
    return aside


def _parked(output: Path) -> list[Path]:
    """Folders set aside for background removal (``.site.removing-<pid>-<ns>``), maybe left over."""
    return _set_aside_folders(_removing_prefix(output), output)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot.

    renameat2 is found among the process's own symbols (libc is loaded): ``find_library``
    would run ``ldconfig -p`` in a subprocess, 18 to 25 ms at the end of every build."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
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


def park(folder: Path, output: Path) -> None:
    """Rename ``folder`` out of the way at once, then delete it in the background."""
    parked = _set_aside(folder, _removing_prefix(output))
    if parked is not None:
        remove_in_background(parked)


def _lock(folder: Path) -> int | None:
    """An open descriptor of ``folder`` holding its exclusive ``flock``, or None when taken."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def recycle_in_background(folder: Path, output: Path) -> None:
    """Rename a retired site out of the way, then empty it into the next skeleton in the background.

    The clearing process inherits the folder's ``flock``: :func:`recover` leaves a folder whose
    lock is held alone, and removes one whose clearer died.
    """
    retired = _set_aside(folder, _clearing_prefix(output))
    if retired is None:
        return
    fd = _lock(retired)
    command = [sys.executable, str(_CLEARER), str(retired), str(skeleton_folder(output)), SKELETON_LIST]
    if fd is None or not _hand_over(command, fd):  # cannot lock it, or no clearer started
        park(retired, output)


def _hand_over(command: list[str], lock: int) -> bool:
    """Start ``command`` in a session of its own that outlives the build, holding ``lock`` (a
    folder's ``flock``), which this process then lets go of; False when it cannot start."""
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            pass_fds=(lock,),
        )
    except OSError:
        return False
    finally:
        os.close(lock)  # the process holds the lock now
    return True


def _being_made(output: Path) -> bool:
    """Whether a skeleton is on its way: a retired site being emptied, or one being made."""
    return any(
        _busy(path)
        for prefix in (_clearing_prefix(output), _making_prefix(output))
        for path in _set_aside_folders(prefix, output)
    )


def wait_for_recycling(output: Path, timeout: float) -> bool:
    """Wait until no skeleton beside ``output`` is being made (a retired site emptied, or the
    folders of a site that replaced none mirrored); False if ``timeout`` passed.

    The skeleton appears when its maker finishes. A job that keeps the build state for its
    next run (GitHub Actions' cache) waits here first: saved while a maker runs, the state has
    no skeleton, and the next build makes every folder again.
    """
    deadline = time.monotonic() + timeout
    while True:
        if not _being_made(output):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _busy(folder: Path) -> bool:
    """Whether a clearer holds ``folder``'s lock (a folder that is gone is not busy)."""
    fd = _lock(folder)
    if fd is None:
        return folder.exists()
    os.close(fd)
    return False


def _abandoned(prefix: str, output: Path) -> list[Path]:
    """Folders set aside with ``prefix`` whose process is gone (their lock is free): retired sites
    whose clearer died, skeletons made ahead for a build that died."""
    abandoned = []
    for path in _set_aside_folders(prefix, output):
        fd = _lock(path)
        if fd is not None:
            os.close(fd)
            abandoned.append(path)
    return abandoned


def recover(output: Path) -> None:
    """Undo what an interrupted build left beside ``output``; afterwards only ``output`` remains.

    A skeleton and a retired site still being cleared are kept: neither is a site.
    """
    building, previous = building_folder(output), previous_folder(output)
    if previous.is_dir() and not output.exists():
        previous.rename(output)  # a swap was interrupted between its two renames
        logger.warning("atomic_output: %s restored (the last build stopped during its swap)", output)
    for leftover in _parked(output):  # a removal that a killed process did not finish
        remove_in_background(leftover)
    for prefix in (_clearing_prefix(output), _making_prefix(output), _ahead_prefix(output)):
        for leftover in _abandoned(prefix, output):
            park(leftover, output)
    park(building, output)
    park(previous, output)
    folders_list(output).unlink(missing_ok=True)


def _adopt_skeleton(output: Path, building: Path) -> list[str] | None:
    """Take the skeleton as the building folder; its folders (relative), or None if there is none."""
    skeleton = skeleton_folder(output)
    listing = skeleton / SKELETON_LIST
    try:
        skeleton.rename(building)
    except OSError:
        return None
    try:
        folders = (building / SKELETON_LIST).read_text(encoding="utf-8").split("\n")
        (building / SKELETON_LIST).unlink()
    except OSError:  # not one clear.py finished: start afresh
        logger.debug("atomic_output: %s has no folder list; not used", listing)
        park(building, output)
        return None
    return [name for name in folders if name]


def _ahead_prefix(output: Path) -> str:
    return f".{output.name}.ahead-"


def _ahead_name(output: Path) -> Path:
    return output.with_name(f"{_ahead_prefix(output)}{os.getpid()}-{time.monotonic_ns()}")


def take_skeleton(output: Path) -> tuple[Path, int, list[str]] | None:
    """Take the skeleton for a run before its ``START`` (:mod:`.ahead`): renamed to a folder of
    the run's own, locked; that folder, its lock's descriptor and the skeleton's folders
    (relative). None when there is no finished skeleton (or another run took it first)."""
    skeleton = skeleton_folder(output)
    folder = _ahead_name(output)
    try:
        skeleton.rename(folder)  # one run gets it: the others find none
    except OSError:
        return None
    lock = _lock(folder)
    try:
        if lock is None:
            raise OSError("locked")
        folders = (folder / SKELETON_LIST).read_text(encoding="utf-8").split("\n")
        (folder / SKELETON_LIST).unlink()
    except OSError:  # not one clear.py finished: start afresh
        if lock is not None:
            os.close(lock)
        park(folder, output)
        return None
    return folder, lock, [name for name in folders if name]


def ahead_folder(output: Path) -> tuple[Path, int, list[str]] | None:
    """A new, empty folder of the run's own beside ``output`` (as :func:`take_skeleton` gives
    one, with no folders in it); None when it cannot be made."""
    made = _locked_folder(_ahead_name(output), output)
    return None if made is None else (*made, [])


def prepare(
    output: Path,
    retention: Iterable[str],
    recycle: bool = False,
    ahead: tuple[Path, list[str]] | None = None,
) -> Path:
    """The building folder for ``output``, holding the retained names of the current site.

    ``ahead``: a folder filled for this run before its start (:mod:`.ahead`; kept by
    :func:`recover`, whose lock the run holds) and the folders that may be left empty in it,
    which becomes the building folder. Otherwise, with ``recycle``, the skeleton of an earlier
    site (empty folders only) is taken over when there is one. The folders either brought are
    listed in :func:`folders_list` for :func:`prune`. Otherwise the folder starts empty.
    """
    recover(output)
    building = building_folder(output)
    retained = list(retention)
    if ahead is not None:
        ahead[0].rename(building)
        folders: list[str] | None = ahead[1]
    else:
        folders = _adopt_skeleton(output, building) if recycle else None
    if folders is None:
        building.mkdir(parents=True)
    else:
        kept = [f for f in folders if f.partition("/")[0] not in retained]
        _write_list(folders_list(output), kept)
    for name in retained:
        source = output / name
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, building / name, symlinks=True, dirs_exist_ok=True)
        elif source.exists() or source.is_symlink():
            shutil.copy2(source, building / name, follow_symlinks=False)
    return building


def mirror_in_background(
    output: Path, building: Path, retained: Iterable[str]
) -> subprocess.Popen[bytes] | None:
    """Start making the page folders of the site at ``output`` in ``building`` (``mirror.py``).

    For a build that took over no skeleton. The caller waits for the process, then calls
    :func:`take_mirrored_list`, before anything lists the building folder. None when there is no
    site to copy the folders of, or the process cannot start (the build makes them).
    """
    if not output.is_dir() or output.is_symlink():
        return None
    return _start_mirror(output, building, retained)


def _start_mirror(output: Path, building: Path, retained: Iterable[str]) -> subprocess.Popen[bytes] | None:
    """``mirror.py`` making the page folders of the site at ``output`` in ``building``."""
    command = [sys.executable, "-I", "-S", str(_MIRROR), str(output), str(building), str(os.getpid())]
    try:
        return subprocess.Popen(
            [*command, *retained], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError:
        return None


def _making_prefix(output: Path) -> str:
    return f".{output.name}.skeleton-making-"


def _making_folder(output: Path) -> tuple[Path, int] | None:
    """A new ``.site.skeleton-making-<pid>-<ns>`` folder beside ``output``, locked (its lock's
    descriptor); None when it cannot be made."""
    folder = output.with_name(f"{_making_prefix(output)}{os.getpid()}-{time.monotonic_ns()}")
    return _locked_folder(folder, output)


def _locked_folder(folder: Path, output: Path) -> tuple[Path, int] | None:
    """``folder`` made anew beside ``output`` and locked: it and its lock's descriptor; None
    when it cannot be made or locked (then it is removed)."""
    try:
        folder.mkdir()
    except OSError:
        return None
    lock = _lock(folder)
    if lock is None:
        park(folder, output)
        return None
    return folder, lock


def leave_skeleton_in_background(output: Path, retained: Iterable[str]) -> bool:
    """After a build that replaced no site (a cold one), make the next build's skeleton from the
    new site's page folders, in a process of its own that outlives the build, as a replaced
    site is emptied into one (:func:`recycle_in_background`); False when none is started (one
    is there or on its way, or the process cannot start).

    Without it the first rebuild after a cold build made the skeleton while it planned, on the
    core the plan's second half runs on: at 100,000 items 207,000 folders, 9 s of system time
    in a 30 s rebuild.
    """
    if skeleton_folder(output).exists() or _being_made(output):
        return False
    made = _making_folder(output)
    if made is None:
        return False
    folder, lock = made
    command = [sys.executable, "-I", "-S", str(_MIRROR), "--skeleton", str(output), str(folder)]
    if not _hand_over([*command, str(skeleton_folder(output)), SKELETON_LIST, *retained], lock):
        park(folder, output)
        return False
    return True


def take_mirrored_list(output: Path) -> int:
    """Move the list of the folders ``mirror.py`` made out of the building folder, to where
    :func:`prune` reads it; how many it lists (0: none was written, so no folder was made)."""
    listing = building_folder(output) / mirror.LIST_NAME
    listing.with_name(listing.name + ".tmp").unlink(missing_ok=True)  # a run that failed writing it
    try:
        folders = [name for name in listing.read_text(encoding="utf-8").split("\n") if name]
    except FileNotFoundError:
        return 0
    _write_list(folders_list(output), folders)
    listing.unlink()
    return len(folders)


def _write_list(path: Path, folders: list[str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(folders), encoding="utf-8")
    os.replace(temporary, path)


def prune(output: Path, filled: Collection[str] | None = None) -> int:
    """Remove the skeleton folders this build left empty (a page since unpublished); how many.

    A fresh build would not have them, and the site must equal a fresh build. Deepest first, so
    a folder emptied by removing its sub-folders goes too; a folder with anything in it stays
    (``rmdir`` refuses, cheaply). ``filled``: the building folder's folders that hold a file
    (``Build.filled_folders``, from the listing of the finished site): only the others are
    tried, not every folder taken over (206,874 calls, 1.45 s, at 100,000 items).
    """
    listing = folders_list(output)
    try:
        folders = [name for name in listing.read_text(encoding="utf-8").split("\n") if name]
    except FileNotFoundError:
        return 0
    if filled is not None:
        folders = [name for name in folders if name not in filled]
    building = building_folder(output)
    removed = 0
    for name in sorted(folders, reverse=True):
        try:
            os.rmdir(building / name)
            removed += 1
        except OSError:
            pass
    listing.unlink(missing_ok=True)
    return removed


def swap(output: Path, recycle: bool = False, retained: Iterable[str] = ()) -> bool:
    """Make the finished building folder the output; False when there is nothing to swap in.

    The previous site is removed in the background, or with ``recycle`` kept as the next
    build's skeleton (:func:`recycle_in_background`); with ``recycle`` and no previous site,
    the next build's skeleton is made from the new one (:func:`leave_skeleton_in_background`,
    leaving out the ``retained`` names).
    """
    building, previous = building_folder(output), previous_folder(output)
    if not building.is_dir():
        return False
    if output.is_dir() and not output.is_symlink() and exchange(building, output):
        building.rename(previous)  # the exchange left the previous site in the building folder
    elif output.exists() or output.is_symlink():
        output.rename(previous)
        building.rename(output)
    else:
        building.rename(output)
        if recycle:
            leave_skeleton_in_background(output, retained)
        return True
    if recycle:
        recycle_in_background(previous, output)
    else:
        park(previous, output)
    return True
