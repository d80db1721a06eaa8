"""Empty a retired site of its files and keep its folders as the next build's skeleton.

Run as a script in the background (``python clear.py <retired> <skeleton> <list name>``) by
:func:`topicfeed.atomic_output.swap.recycle_in_background`, which holds an exclusive ``flock``
on the retired folder and hands the lock to this process: while it runs, no build removes the
folder; if it dies, the lock goes with it and the next build removes what is left.

Why keep folders at all: on the file systems we build on, making a folder costs about 30 times
linking a file and removing one far more, and a site has one folder per page (20,000 at 10,000
items). Files are only unlinked (the current site holds the same pages as hard links); the
folders, listed in ``<list name>`` inside the skeleton, are taken over by the next build.

A plain script with no imports from the package: it runs in a fresh interpreter that does not
know the plugin paths.
"""

from __future__ import annotations

import os
import shutil
import sys


def empty(folder: str) -> list[str]:
    """Unlink every non-folder under ``folder``; its sub-folders, relative, parents first."""
    folders: list[str] = []
    stack = [("", folder)]
    while stack:
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as scan:
                entries = list(scan)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                relative = prefix + entry.name
                folders.append(relative)
                stack.append((relative + "/", entry.path))
            else:
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass
    return folders


def recycle(retired: str, skeleton: str, list_name: str) -> bool:
    """Turn ``retired`` into ``skeleton``; False (and ``retired`` removed) when it cannot."""
    try:
        folders = empty(retired)
        temporary = os.path.join(retired, list_name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as listing:
            listing.write("\n".join(folders))
        os.replace(temporary, os.path.join(retired, list_name))
        # A skeleton is complete or absent: it appears under its name in one rename, which
        # fails when another one is already there (a folder is only replaced when empty).
        os.rename(retired, skeleton)
        return True
    except OSError:
        shutil.rmtree(retired, ignore_errors=True)
        return False


if __name__ == "__main__":
    sys.exit(0 if recycle(*sys.argv[1:4]) else 1)
