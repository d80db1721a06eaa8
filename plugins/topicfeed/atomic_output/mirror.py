"""Make the page folders of the published site in a build's staging folder, beside the build.

Run as a script (``python mirror.py SITE BUILDING PARENT [SKIPPED ...]``; it prints how many
folders it made of how many it listed) by
:func:`topicfeed.atomic_output.swap.mirror_in_background` when a build has no skeleton to start
from (the first build after a cold one: no site was replaced yet). Run as ``python mirror.py
--skeleton SITE FOLDER SKELETON LIST [SKIPPED ...]`` by
:func:`topicfeed.atomic_output.swap.leave_skeleton_in_background` after a build that replaced no
site, on its own: it makes the folders in ``FOLDER`` (whose lock it inherited), names their list
``LIST`` and renames ``FOLDER`` to ``SKELETON``, the next build's, as ``clear.py`` leaves one.

A site has a folder per page and per API document (20,000 at 10,000 items), and making a
folder costs about 30 times linking a file: the link helper and the API writer made them one by
one while the build waited for them. This script makes them on the other core while the build
is still reading its items, or before the next build starts.

Only folders that hold a page or an API document (``index.html``, ``index.json``) are made,
with their parents: the rest (feeds, the theme, search bundles an indexer may replace whole)
are few and made by whoever writes them. The folders are listed in :data:`LIST_NAME` inside
``BUILDING`` before the first is made (a temporary file renamed into place), so the build can
remove those it left empty (a page since unpublished) and the site equals a fresh build even if
this process is killed midway. The list and the folders are made relative to a descriptor of
``BUILDING`` opened at the start: if the build is gone and its staging folder set aside, nothing
lands in the next build's. Standard library only, no imports from the package: it runs in a
fresh interpreter. Beside a build, it asks the kernel to kill it with the build (Linux).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys

_PR_SET_PDEATHSIG = 1
#: The files that make a folder a page's (or an API document's) own.
PAGE_FILES = frozenset({"index.html", "index.json"})
#: The list of the folders, inside the building folder (the build takes it out).
LIST_NAME = ".topicfeed-mirror-folders"


def _die_with_parent(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def page_folders(site: str, skipped: frozenset[str] = frozenset()) -> list[str]:
    """The folders of ``site`` (relative, ``/``) that hold a page file, and their parents,
    parents first; top-level names in ``skipped`` are left out."""
    wanted: set[str] = set()
    stack = [("", site)]
    while stack:  # clear.py's walk: each script runs alone in a fresh interpreter, importing nothing
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as scan:
                entries = list(scan)
        except OSError:
            continue
        holds_page = False
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not prefix and entry.name in skipped:
                    continue
                stack.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.name in PAGE_FILES:
                holds_page = True
        if holds_page and prefix:
            folder = prefix[:-1]
            while folder and folder not in wanted:
                wanted.add(folder)
                folder = folder.rpartition("/")[0]
    return sorted(wanted)  # a parent sorts before anything inside it


def write_list(building_fd: int, folders: list[str]) -> None:
    """Write the list inside the folder open as ``building_fd``, whole or not at all."""
    temporary = f"{LIST_NAME}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=building_fd)
    with os.fdopen(handle, "w", encoding="utf-8") as listing:
        listing.write("\n".join(folders))
    os.replace(temporary, LIST_NAME, src_dir_fd=building_fd, dst_dir_fd=building_fd)


def make(building_fd: int, folders: list[str]) -> int:
    """Make ``folders`` (parents first) inside the folder open as ``building_fd``; how many."""
    made = 0
    for folder in folders:
        try:
            os.mkdir(folder, dir_fd=building_fd)
            made += 1
        except FileExistsError:  # made by the build already
            pass
        except OSError:  # its parent is gone (removed by the build): leave it to the build
            pass
    return made


def leave_skeleton(site: str, folder: str, skeleton: str, list_name: str, skipped: frozenset[str]) -> bool:
    """Make ``site``'s page folders in ``folder`` and rename it ``skeleton``, its folders listed
    in ``list_name`` inside; False (and ``folder`` removed) when it cannot, or a skeleton came
    meanwhile (a rename over a folder that is not empty fails)."""
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            folders = page_folders(site, skipped)
            write_list(folder_fd, folders)
            make(folder_fd, folders)
            os.replace(LIST_NAME, list_name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        finally:
            os.close(folder_fd)
        os.rename(folder, skeleton)
        return True
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return False


def main(argv: list[str]) -> int:
    if argv[:1] == ["--skeleton"]:
        site, folder, skeleton, list_name, *skipped = argv[1:]
        return 0 if leave_skeleton(site, folder, skeleton, list_name, frozenset(skipped)) else 1
    site, building, parent, *skipped = argv
    _die_with_parent(int(parent))
    building_fd = os.open(building, os.O_RDONLY | os.O_DIRECTORY)
    try:
        folders = page_folders(site, frozenset(skipped))
        write_list(building_fd, folders)
        made = make(building_fd, folders)
    finally:
        os.close(building_fd)
    print(f"{made} of {len(folders)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
