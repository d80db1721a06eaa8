"""Hard-link a built site into a building folder, but the files a rebuild writes anew.

Run as a process of its own (standard library only, ``python -S``) by a rebuild from the site
model, beside the rendering: at 10,000 items the site is about 27,000 files, and linking them
took the rebuild 0.9 to 2.8 s of system calls, which the rendering need not wait for (the files
it writes are left out here, and each side makes the folders it needs). A forked process would
not do: while it lives, every page of memory the rebuild writes to is copied first.

Each file linked must be the one the last build recorded (its size and modification time, as
``unchanged_build`` lists a site; not its inode, which a cache restored on another machine does
not keep), and every recorded file not left out must be there: a file edited or deleted by hand
since would otherwise live on in every rebuild (one added by hand is not recorded, so not
linked). The first that is not ends the run with :data:`CHANGED_SINCE`, and the rebuild builds
in full. A folder is made only when a file is linked into it, so the folder of a page that is
gone does not linger empty (a fresh build has no empty folder); and only when linking its first
file fails: a rebuild usually starts from the empty folders of an earlier site (the output
step's skeleton), where asking for each folder first (``os.makedirs``: a ``stat`` of its parent,
a ``mkdir`` refused, a ``stat`` of the folder) took about a third of this process's time.

Arguments: the site, the building folder, the rebuild's process id, then the top-level names
to leave alone (the output step carries them over). Standard input, a pickle of a dict (from
the rebuild, which started this process; at 100,000 items JSON took the rebuild 0.4 s to
write): ``leave``, the files (relative, with ``/``) and folders (ending with ``/``) not to link;
``recorded``, the listing.
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
import pickle
import signal
import sys
from collections.abc import Collection, Mapping
from stat import S_ISDIR

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
    """Link every file ``recorded`` of ``site`` into ``into`` at its place, but ``leave`` and
    ``kept``; each held to its record (raises :class:`ChangedSince`). The number linked, and
    the inodes not as recorded (by file).

    Driven by the record, not by a walk of the site: a walk opens and reads each of its folders
    (about 200,000 at 100,000 items, most holding one page), and that was most of this process's
    time (the process took 7.3 to 8.3 s at 100,000 items, 4.2 to 4.3 s by the record, each file
    named from the two folders' descriptors). A file added by hand is not recorded, so it is
    not linked: the new site has it no more than a fresh build would.
    """
    folders = tuple(name for name in leave if name.endswith("/"))
    top = tuple(f"{name}/" for name in kept)
    linked = 0
    inodes: dict[str, int] = {}
    source = os.open(site, os.O_RDONLY | os.O_DIRECTORY)
    try:
        target = os.open(into, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        os.makedirs(into)
        target = os.open(into, os.O_RDONLY | os.O_DIRECTORY)
    made: set[str] = set()
    try:
        for name, entry_recorded in recorded.items():
            if name in leave or name in kept or name.startswith(folders) or name.startswith(top):
                continue
            try:
                stat = os.stat(name, dir_fd=source, follow_symlinks=False)
            except (FileNotFoundError, NotADirectoryError):
                raise ChangedSince(name) from None
            if entry_recorded[:2] != [stat.st_size, stat.st_mtime_ns] or S_ISDIR(stat.st_mode):
                raise ChangedSince(name)
            if entry_recorded[2:] != [stat.st_ino]:
                inodes[name] = stat.st_ino
            try:
                os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
            except FileNotFoundError:
                folder = name.rpartition("/")[0]
                if not folder or folder in made:  # the folder is there: the file went meanwhile
                    raise
                made.add(folder)
                os.makedirs(os.path.join(into, folder), exist_ok=True)
                os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
            linked += 1
    finally:
        os.close(source)
        os.close(target)
    return linked, inodes


def main() -> None:
    site, into, parent, *kept = sys.argv[1:]
    _die_with(int(parent))
    given = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the rebuild that started this process
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
