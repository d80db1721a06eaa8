"""Hard-link a built site into a building folder, but the files a rebuild writes anew.

Run as a process of its own (standard library only, ``python -S``) by a rebuild from the site
model, beside the rendering: at 10,000 items the site is about 27,000 files, and linking them
took the rebuild 0.9 to 2.8 s of system calls, which the rendering need not wait for (the files
it writes are left out here, and each side makes the folders it needs). A forked process would
not do: while it lives, every page of memory the rebuild writes to is copied first.

Each file linked must be the one the last build recorded (its size and modification time, as
``unchanged_build`` lists a site; not its inode, which a cache restored on another machine does
not keep), and every recorded file not left out must be there: a file edited, added or deleted
by hand since would otherwise live on in every rebuild. The
first that is not ends the run with :data:`CHANGED_SINCE`, and the rebuild builds in full. A
folder is made only when a file is linked into it, so the folder of a page that is gone does
not linger empty (a fresh build has no empty folder); and only when linking its first file
fails: a rebuild usually starts from the empty folders of an earlier site (the output step's
skeleton), where asking for each folder first (``os.makedirs``: a ``stat`` of its parent, a
``mkdir`` refused, a ``stat`` of the folder) took about a third of this process's time.

Arguments: the site, the building folder, the rebuild's process id, then the top-level names
to leave alone (the output step carries them over). Standard input, JSON: ``leave``, the files
(relative, with ``/``) and folders (ending with ``/``) not to link; ``recorded``, the listing.
Prints the number of files linked, then (JSON, one line) the inode of each file linked whose
inode is not the one recorded (the record of the new site lists the linked files as found,
without walking them again: ``unchanged_build.state.listed``); or the first file not as
recorded. It asks the kernel to kill it with the rebuild (Linux), so a killed rebuild leaves
nothing linking into its building folder (as ``fast_writer``'s helper does).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from collections.abc import Collection, Mapping

_PR_SET_PDEATHSIG = 1

#: The exit status when a file of the site is not the one the last build recorded.
CHANGED_SINCE = 3


class ChangedSince(Exception):
    """A file of the site is not as the last build recorded it (the message is its path)."""


def _die_with(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: it ends once done
        pass
    if os.getppid() != parent:
        os._exit(1)


def link_tree(
    site: str,
    into: str,
    leave: Collection[str],
    kept: Collection[str],
    recorded: Mapping[str, list[int]],
) -> tuple[int, dict[str, int]]:
    """Link every file of ``site`` into ``into`` at its place, but ``leave`` and ``kept``; each
    held to ``recorded`` (raises :class:`ChangedSince`). The number linked, and the inodes
    not as recorded (by file)."""
    folders = {name for name in leave if name.endswith("/")}
    linked = 0
    inodes: dict[str, int] = {}
    seen = 0
    stack = [("", site, into)]
    while stack:
        prefix, folder, made = stack.pop()
        ready = False
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and entry.name in kept:
                    continue
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if f"{name}/" not in folders:
                        stack.append((f"{name}/", entry.path, os.path.join(made, entry.name)))
                    continue
                if name in leave:
                    continue
                stat = entry.stat(follow_symlinks=False)
                entry_recorded = recorded.get(name)
                if entry_recorded is None or entry_recorded[:2] != [stat.st_size, stat.st_mtime_ns]:
                    raise ChangedSince(name)
                if entry_recorded[2:] != [stat.st_ino]:
                    inodes[name] = stat.st_ino
                seen += 1
                target = os.path.join(made, entry.name)
                try:
                    os.link(entry.path, target)
                except FileNotFoundError:
                    if ready:  # the folder is there: the file went meanwhile
                        raise
                    os.makedirs(made, exist_ok=True)
                    os.link(entry.path, target)
                ready = True
                linked += 1
    if seen != sum(1 for name in recorded if _linked(name, leave, folders)):
        gone = [name for name in recorded if _linked(name, leave, folders) and not _there(site, name)]
        raise ChangedSince(min(gone, default="a file the last build recorded"))
    return linked, inodes


def _linked(name: str, leave: Collection[str], folders: Collection[str]) -> bool:
    """Whether the recorded file ``name`` is one to link (not left out, nor in a folder left out)."""
    if name in leave:
        return False
    parts = name.split("/")
    return not any("/".join(parts[:depth]) + "/" in folders for depth in range(1, len(parts)))


def _there(site: str, name: str) -> bool:
    return os.path.lexists(os.path.join(site, name))


def main() -> None:
    site, into, parent, *kept = sys.argv[1:]
    _die_with(int(parent))
    given = json.load(sys.stdin)
    try:
        site = site.rstrip(os.sep)
        linked, inodes = link_tree(site, into, set(given["leave"]), set(kept), given["recorded"])
        print(linked)
        print(json.dumps(inodes))
    except ChangedSince as error:
        print(error)
        sys.exit(CHANGED_SINCE)


if __name__ == "__main__":
    main()
