"""Temporary files of killed builds go once they are an hour old; another build's fresh one stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from topicfeed.temporary_files import STRAY_AFTER, remove_stray


def test_only_old_files_of_the_pattern_are_removed(tmp_path: Path) -> None:
    old, fresh, other = tmp_path / ".pack.a.tmp", tmp_path / ".pack.b.tmp", tmp_path / ".stat.c.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"half written")
    long_ago = time.time() - STRAY_AFTER - 60
    for path in (old, other):
        os.utime(path, (long_ago, long_ago))
    remove_stray(tmp_path, ".pack.*.tmp")
    assert not old.exists()
    assert fresh.exists(), "a build that is still writing lost its file"
    assert other.exists(), "a file of another pattern went"
    remove_stray(tmp_path / "missing", ".pack.*.tmp")  # no folder: nothing to do
