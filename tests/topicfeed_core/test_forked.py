"""A step run in a forked process: its result comes back, its failure fails the build, and it
never outlives a killed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from topicfeed import forked

ROOT = Path(__file__).resolve().parents[2]


def test_the_result_comes_back_from_the_forked_process() -> None:
    running = forked.start("sum", lambda: (os.getpid(), sum(range(10))))
    assert running.process is not None
    pid, total = forked.finish(running)
    assert total == 45 and pid != os.getpid()


def test_without_fork_the_work_runs_here() -> None:
    running = forked.start("sum", lambda: os.getpid(), fork=False)
    assert running.process is None and forked.finish(running) == os.getpid()


def test_a_failure_in_the_forked_process_fails_with_its_traceback() -> None:
    def work() -> None:
        raise ValueError("the API could not be written")

    with pytest.raises(forked.ForkedStepFailed, match=r"(?s)JSON API failed.*ValueError: the API could"):
        forked.finish(forked.start("JSON API", work))


def test_a_forked_process_that_dies_without_an_answer_fails_the_build() -> None:
    with pytest.raises(forked.ForkedStepFailed, match="died without an answer"):
        forked.finish(forked.start("JSON API", lambda: os._exit(3)))


def test_the_forked_process_dies_with_a_build_killed_by_sigkill(tmp_path: Path) -> None:
    """A build killed mid-step must leave no process writing on into its staging folder."""
    marker = tmp_path / "child.pid"
    script = textwrap.dedent(
        f"""
        import os, time
        from topicfeed import forked

        def work():
            open({str(marker)!r}, "w").write(str(os.getpid()))
            time.sleep(60)

        forked.start("slow", work)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    build = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 20
        while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(marker.read_text())
        os.kill(child, 0)  # alive while the build is
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        build.kill()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by init, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
