"""Hard-link the last site into a folder of its own, but the files a rebuild writes anew.

Run as a process of its own (standard library only, ``python -S``) for a run planned from the
site model: started while the run plans (phase ``PLAN``, :mod:`.ahead`) with nothing left
out, so its system calls (at 100,000 items 281,757 links, 4.2 s, 3.4 s of it in the kernel)
take the core the plan leaves idle instead of one the rendering needs; the rebuild then removes
the files it writes anew before it writes any (a linked file is the live site's own). A forked
process would not do: while it lives, every page of memory the parent writes to is copied first.

Each file linked must be the one the last build recorded (its size and modification time, as
``unchanged_build`` lists a site; not its inode, which a cache restored on another machine does
not keep), and every recorded file not left out must be there: a file edited or deleted by hand
since would otherwise live on in every rebuild (one added by hand is not recorded, so not
linked). The first that is not ends the run with :data:`CHANGED_SINCE`, and the rebuild builds
in full. A folder is made only when a file is linked into it, and only when linking its first
file fails: a rebuild usually starts from the empty folders of an earlier site (the output
step's skeleton), where asking for each folder first (``os.makedirs``: a ``stat`` of its parent,
a ``mkdir`` refused, a ``stat`` of the folder) took about a third of this process's time. The
folders it makes are listed, so those a rebuild's removals leave empty can go (a fresh build
has no empty folder).

Arguments: the site, the folder to link into, the parent's process id, then the top-level names
to leave alone (the output step carries them over). Standard input, a pickle of a dict (from
the build, which started this process; at 100,000 items JSON took the build 0.4 s to write):
``leave``, the files (relative, with ``/``) and folders (ending with ``/``) not to link;
``recorded``, the listing.
Prints the number of files linked, then (JSON, one line each) the inode of each file linked whose
inode is not the one recorded (the record of the new site lists the linked files as found,
without walking them again: ``unchanged_build.state.listed``) and the folders it made (relative,
without their parents); or the first file not as recorded. It asks the kernel to kill it with
its parent (Linux), so a killed build leaves nothing linking into its folders.
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
) -> tuple[int, dict[str, int], list[str]]:
    """Link every file ``recorded`` of ``site`` into ``into`` at its place, but ``leave`` and
    ``kept``; each held to its record (raises :class:`ChangedSince`). The number linked, the
    inodes not as recorded (by file), and the folders made (each without the parents made
    with it).

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
                    raise ChangedSince(name) from None
                made.add(folder)
                os.makedirs(os.path.join(into, folder), exist_ok=True)
                # Gone since its stat: another build swapped in its site, and the emptier of the
                # site it retired (this one's source) took the file.
                try:
                    os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
                except FileNotFoundError:
                    raise ChangedSince(name) from None
            linked += 1
    finally:
        os.close(source)
        os.close(target)
    return linked, inodes, sorted(made)


def main() -> None:
    site, into, parent, *kept = sys.argv[1:]
    _die_with(int(parent))
    given = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the rebuild that started this process
    try:
        site = site.rstrip(os.sep)
        linked, inodes, made = link_tree(site, into, set(given["leave"]), set(kept), given["recorded"])
        print(linked)
        print(json.dumps(inodes))
        print(json.dumps(made))
    except ChangedSince as error:
        print(error)
        sys.exit(CHANGED_SINCE)


if __name__ == "__main__":
    main()
