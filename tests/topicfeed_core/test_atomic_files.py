"""Files kept between builds are written whole or not at all, and a killed writer's leftovers go."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from topicfeed import atomic_files
from topicfeed.atomic_files import STRAY_AFTER, remove_stray

ROOT = Path(__file__).resolve().parents[2]


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.tmp"))


def test_a_write_puts_the_whole_file_in_place_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "record.json"
    assert atomic_files.write(target, "héllo") == len("héllo".encode())
    assert target.read_text(encoding="utf-8") == "héllo"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644, "mkstemp's 0600 leaked through"
    assert atomic_files.write(target, b"\x00bytes") == 6
    assert target.read_bytes() == b"\x00bytes"
    assert temporaries(target.parent) == []


def test_a_failed_write_leaves_the_last_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("the last build's", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_files.writing(target) as pending:
        pending.stream.write(b"half of the ne")
        raise RuntimeError("killed by an error")
    assert target.read_text(encoding="utf-8") == "the last build's"
    assert temporaries(tmp_path) == []


def test_two_writers_at_once_each_move_in_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    with atomic_files.writing(target) as first, atomic_files.writing(target) as second:
        first.stream.write(b"first " * 1000)
        second.stream.write(b"second " * 1000)
    assert target.read_bytes() == b"first " * 1000  # the last to finish wins, whole
    assert temporaries(tmp_path) == []


def test_a_writer_may_name_its_file_after_its_bytes(tmp_path: Path) -> None:
    with atomic_files.writing(tmp_path / "pack") as pending:
        pending.stream.write(b"records")
        pending.target = tmp_path / "abc.pack"
    assert (tmp_path / "abc.pack").read_bytes() == b"records"
    assert not (tmp_path / "pack").exists()
    assert temporaries(tmp_path) == []


def test_durable_writes_reach_the_disk_before_the_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "record", tmp_path / "durable record"
    synced: list[bool] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(not second.exists()))
    atomic_files.write(first, b"x")
    assert synced == []
    atomic_files.write(second, b"x", durable=True)
    assert synced == [True]


def age(path: Path) -> None:
    long_ago = time.time() - STRAY_AFTER - 60
    os.utime(path, (long_ago, long_ago))


def test_a_write_removes_its_targets_old_temporaries_only(tmp_path: Path) -> None:
    target = tmp_path / "model[1].pickle"  # glob characters in the name are matched as they are
    old, fresh = tmp_path / ".model[1].pickle.a.tmp", tmp_path / ".model[1].pickle.b.tmp"
    others = [tmp_path / ".model1.pickle.c.tmp", tmp_path / ".other.d.tmp", tmp_path / "model[1].pickle.tmp"]
    for path in (old, fresh, *others):
        path.write_bytes(b"half written")
    age(old)
    for path in others:
        age(path)
    atomic_files.write(target, b"new")
    assert not old.exists()
    assert fresh.exists(), "a build that is still writing lost its file"
    assert all(path.exists() for path in others), "another file's temporary went"


def test_remove_stray_takes_only_old_files_of_the_pattern(tmp_path: Path) -> None:
    old, fresh, other = tmp_path / ".pack.a.tmp", tmp_path / ".pack.b.tmp", tmp_path / ".stat.c.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"half written")
    age(old)
    age(other)
    remove_stray(tmp_path, ".pack.*.tmp")
    assert not old.exists()
    assert fresh.exists()
    assert other.exists()
    remove_stray(tmp_path / "missing", ".pack.*.tmp")  # no folder: nothing to do


def test_a_writer_killed_mid_file_leaves_the_last_file_and_the_next_write_clears_up(tmp_path: Path) -> None:
    target = tmp_path / "store.pickle"
    target.write_bytes(b"the last build's")
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from topicfeed import atomic_files
        with atomic_files.writing(Path({str(target)!r})) as pending:
            pending.stream.write(b"half of the next")
            pending.stream.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    result = subprocess.run([sys.executable, "-c", script], env=env, check=False)
    assert result.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the last build's"
    [left] = tmp_path.glob(".store.pickle.*.tmp")
    assert left.read_bytes() == b"half of the next"
    atomic_files.write(target, b"next")
    assert left.exists(), "a fresh temporary may be a running build's"
    age(left)
    atomic_files.write(target, b"after an hour")
    assert not left.exists()
    assert target.read_bytes() == b"after an hour"
