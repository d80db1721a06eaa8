"""The content folder's file stats as the first look of a run took them, for the steps that would
take each one again.

At 100,000 files a stat of each costs about 1 s. The unchanged-build check stats every content
file for its fingerprint (:func:`topicfeed.build_inputs.tree_records`); the news reader's stat
table then stat'ed each again to know which files it need not read. The check keeps what it saw
here (:func:`keep`), by the run's settings; the reader takes a file's stat from here when it is
there (:func:`look`), else stats the file itself.

A stat kept here is older than the reader's own would be. For the racy rule
(:mod:`topicfeed.racy`) a stat counts only as of when it was taken, so the look carries the
time it started (``started_ns``): the stat table's entries are dated by that time, not by when
the table was made. A file changed between the look and the reading is read as the look saw
its stat: the run builds the folder as it was at its start, and the next run sees the new stat.

A look serves the run whose check took it, and no other: the check forgets the last one before
it looks again, and the unchanged-build step forgets it at the end of the run and at the start
of a later run of the same Pelican instance (autoreload runs it again after each change without
a new check: its look would be stale).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from topicfeed.git_checkout import GitWord

#: A file's ``(st_size, st_mtime_ns, st_ino, st_ctime_ns)``.
Stat = tuple[int, int, int, int]


class Look(NamedTuple):
    """One look at the content folder: its real path, when the look started, each file's stat
    by its path relative to the folder (with ``/``), and git's word on the folder, asked for
    once, by the first step that could not vouch for many files by their stat
    (:mod:`topicfeed.git_checkout`)."""

    root: str
    started_ns: int
    stats: dict[str, Stat]
    git: GitWord | None = None


#: The look each run's check kept, by the run's settings (``id``).
_LOOKS: dict[int, Look] = {}


def keep(settings: dict[str, Any], look: Look) -> None:
    _LOOKS[id(settings)] = look


def forget(settings: dict[str, Any]) -> None:
    _LOOKS.pop(id(settings), None)


def look(settings: dict[str, Any]) -> Look | None:
    """The look this run's check kept at the content folder it reads, if any."""
    found = _LOOKS.get(id(settings))
    if found is None or found.root != os.path.realpath(settings.get("PATH") or "."):
        return None
    return found
