"""The build locks (topicfeed.locks): waiting, timing out, the kernel's release, one order, fork."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from topicfeed import locks

#: Holds the lock file given as argv[1] until its stdin closes (prints "held" once it has it).
HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, str(os.getpid()).encode())
print("held", flush=True)
sys.stdin.read()
"""


#: Waits for the lock file argv[1] (after creating a "waiting" file beside it), holds it a moment.
WAITER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
open(os.path.join(os.path.dirname(sys.argv[1]), "waiting"), "w").close()
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, str(os.getpid()).encode())
print("got it", flush=True)
time.sleep(0.5)
"""


@pytest.fixture(autouse=True)
def _release_all() -> Iterator[None]:
    yield
    for path in list(locks._HELD):
        locks.release(path)


def hold(path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def free_for_others(path: Path) -> bool:
    """Whether another process could lock ``path`` right now."""
    code = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], check=False).returncode == 0


def test_the_lock_file_sits_beside_the_folder() -> None:
    assert locks.lock_file(Path("/srv/site/output")) == Path("/srv/site/.output.lock")


def test_a_busy_lock_says_who_holds_it_and_stops_after_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ".site.lock"
    holder = hold(path)
    try:
        with pytest.raises(locks.LockTimeout, match=rf"another build of /x/site \(pid {holder.pid}\)"):
            locks.acquire(path, rank=locks.OUTPUT, what="/x/site", timeout=0.3)
        assert f"waiting for another build of /x/site (pid {holder.pid}) to finish" in capsys.readouterr().out
        assert not locks.held(path)
    finally:
        holder.communicate("")


def test_a_killed_holder_releases_the_lock_to_the_waiting_build(tmp_path: Path) -> None:
    path = tmp_path / ".site.lock"
    holder = hold(path)
    killer = subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -KILL {holder.pid}"])
    lock = locks.acquire(path, rank=locks.OUTPUT, what="site", timeout=60)
    killer.wait()
    holder.wait()
    assert holder.returncode == -signal.SIGKILL
    assert locks.held(path) and path.read_text(encoding="ascii").strip() == str(os.getpid())
    assert not free_for_others(path)
    locks.release(lock.path)
    assert free_for_others(path)


def test_a_lock_left_by_a_failed_run_goes_to_the_waiting_build_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Autoreload: a run failed, its process lives on and runs again; a waiting build goes first."""
    path = tmp_path / ".site.lock"
    locks.acquire(path, rank=locks.OUTPUT, what="site", timeout=0)  # the run that failed
    waiting = subprocess.Popen([sys.executable, "-c", WAITER, str(path)], stdout=subprocess.PIPE, text=True)
    while not (tmp_path / "waiting").exists():  # the other build is blocked on the lock
        assert waiting.poll() is None
        time.sleep(0.01)
    locks.acquire(path, rank=locks.OUTPUT, what="site", timeout=60)  # the next run
    out, _ = waiting.communicate(timeout=60)
    assert out.strip() == "got it"
    assert "waiting for another build of site" in capsys.readouterr().out
    assert locks.held(path) and not free_for_others(path)


def test_a_build_never_waits_for_the_output_while_holding_the_cache(tmp_path: Path) -> None:
    """Whatever order the steps ask in, the output lock is waited for with no cache lock held."""
    output, cache = tmp_path / ".site.lock", tmp_path / ".cache.lock"
    locks.acquire(cache, rank=locks.CACHE, what="cache", timeout=0)
    holder = hold(output)
    try:
        with pytest.raises(locks.LockTimeout):
            locks.acquire(output, rank=locks.OUTPUT, what="site", timeout=0.2)
        assert free_for_others(cache)  # given back before waiting
    finally:
        holder.communicate("")
    locks.acquire(cache, rank=locks.CACHE, what="cache", timeout=0)
    locks.acquire(output, rank=locks.OUTPUT, what="site", timeout=5)
    assert locks.held(cache) and locks.held(output)


def _sleep_in_child(seconds: float) -> None:
    time.sleep(seconds)


def test_a_forked_render_worker_does_not_keep_the_lock(tmp_path: Path) -> None:
    path = tmp_path / ".site.lock"
    locks.acquire(path, rank=locks.OUTPUT, what="site", timeout=0)
    child = multiprocessing.get_context("fork").Process(target=_sleep_in_child, args=(30,), daemon=True)
    child.start()
    try:
        # The parent gives the lock back (as a SIGKILL would); the living child does not hold it.
        fd = locks._HELD[path].fd
        locks._HELD.pop(path)
        os.close(fd)
        assert free_for_others(path)
    finally:
        child.kill()
        child.join()


def test_try_acquire_leaves_a_busy_lock_alone(tmp_path: Path) -> None:
    path = tmp_path / ".old.lock"
    holder = hold(path)
    try:
        assert not locks.try_acquire(path)
    finally:
        holder.communicate("")
    assert locks.try_acquire(path)
    fd = os.open(path, os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
