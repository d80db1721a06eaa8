"""The last site linked into the next building folder while a rebuild from the site model plans.

At 100,000 items a rebuild's plan keeps one core busy for its first seconds (the items read
from the store) while the other waits, and its rendering keeps both busy with the pages, the
API, the search bundles and, until now, the linking of the last site (281,757 hard links, 4.2 s
of one process, most of it in the kernel). So the linking starts at ``PLAN`` instead, with
nothing left out: into the skeleton of an earlier site taken for the run (its folders are
there), or into a new folder when there is none (it makes the folders it needs). ``START``
waits for it, makes that folder the building folder and hands the files linked to the run
(``Build.prefilled``); the rebuild removes those it writes anew before it writes anything.

The folder is ``.<output>.ahead-<pid>-<ns>`` beside the output, holding its own ``flock`` (the
output lock is taken at ``START``, after the plan): a build killed meanwhile leaves it unlocked,
and the next one removes it (:func:`.swap.recover`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO, NamedTuple

from . import swap
from .link_tree import CHANGED_SINCE

_LINKER = Path(__file__).with_name("link_tree.py")


class ChangedSince(Exception):
    """A file of the last site is not the one its record lists (the message names it)."""


class Linked(NamedTuple):
    """What the linking left in the folder: the files (``[size, mtime_ns, inode]`` by path, as
    found) and every folder that may be empty once the rebuild removes what it writes anew
    (the skeleton's, and those the linker made with their parents)."""

    files: dict[str, list[int]]
    folders: list[str]


class LinkingAhead:
    """The linker (:mod:`.link_tree`) filling a folder of its own with the last site."""

    def __init__(
        self,
        output: Path,
        folder: Path,
        lock: int,
        skeleton: list[str],
        recorded: Mapping[str, list[int]],
        kept: Collection[str],
    ) -> None:
        self.output, self.folder, self._lock, self._skeleton = output, folder, lock, skeleton
        self._recorded = recorded
        self._kept = tuple(f"{name}/" for name in kept)
        self._kept_names = frozenset(kept)
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(_LINKER), str(output), str(folder), str(os.getpid()), *kept],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        stdin = self._process.stdin
        assert stdin is not None
        self._process.stdin = None  # the thread closes it: nothing for ``communicate`` to flush
        # The record goes over in a thread: the linker reads all of it before it links anything,
        # and writing it (25 MB at 100,000 items) waited 0.43 s for the linker to start and
        # read, at the start of the plan, which has work for this process meanwhile.
        self._handing = threading.Thread(
            target=_hand_over, args=(stdin, recorded), name="linker-record", daemon=True
        )
        self._handing.start()

    def finish(self) -> Linked:
        """Wait for every link. Raises :class:`ChangedSince` when a file of the last site is not
        the one recorded (changed or deleted by hand: the run builds in full), RuntimeError when
        the linker failed; the folder is removed in both cases."""
        out, err = self._process.communicate()
        self._handing.join()
        status = self._process.returncode
        try:
            if status == CHANGED_SINCE:
                raise ChangedSince(f"{out.decode('utf-8', 'replace').strip()}: not as the last build left it")
            if status != 0:
                message = err.decode("utf-8", "replace").strip() or f"exit status {status}"
                raise RuntimeError(f"atomic_output: linking the last site failed: {message}")
        except BaseException:
            self._drop()
            raise
        _, inodes, made = out.split(b"\n", 2)
        files = {
            name: entry
            for name, entry in self._recorded.items()
            if name not in self._kept_names and not (self._kept and name.startswith(self._kept))
        }
        for name, inode in json.loads(inodes).items():
            files[name] = [*files[name][:2], inode]
        return Linked(files, sorted({*self._skeleton, *_with_parents(json.loads(made))}))

    def cancel(self) -> None:
        """Stop linking and remove the folder (the run became a full build)."""
        self._process.kill()
        self._process.communicate()
        self._handing.join()
        self._drop()

    def adopted(self) -> None:
        """The folder is the building folder now: its lock is no longer needed."""
        os.close(self._lock)

    def _drop(self) -> None:
        os.close(self._lock)
        swap.park(self.folder, self.output)


def _hand_over(stdin: IO[bytes], recorded: Mapping[str, list[int]]) -> None:
    """Write the linker its input and close it. A linker that ended first (killed, failed) says
    why by its exit status; the broken pipe says nothing more."""
    with contextlib.suppress(OSError), stdin:
        stdin.write(pickle.dumps({"leave": set(), "recorded": recorded}, pickle.HIGHEST_PROTOCOL))


def _with_parents(folders: list[str]) -> set[str]:
    """Each folder and its parents (the linker names only the folder it asked for)."""
    every: set[str] = set()
    for folder in folders:
        while folder and folder not in every:
            every.add(folder)
            folder = folder.rpartition("/")[0]
    return every


def link_ahead(
    output: Path, recorded: Mapping[str, list[int]], kept: Collection[str], recycle: bool
) -> LinkingAhead | None:
    """Start linking the site at ``output`` (its files ``recorded``, but the ``kept`` names)
    into a folder of its own: the skeleton when ``recycle`` and there is one, else a new folder.
    None when no folder or process can be had (the run builds in full)."""
    taken = swap.take_skeleton(output) if recycle else None
    if taken is None:
        taken = swap.ahead_folder(output)
    if taken is None:
        return None
    folder, lock, skeleton = taken
    try:
        return LinkingAhead(output, folder, lock, skeleton, recorded, kept)
    except OSError:
        os.close(lock)
        swap.park(folder, output)
        return None
