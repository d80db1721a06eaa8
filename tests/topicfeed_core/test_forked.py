"""Works run in one forked process beside the build: each result comes back, in the order asked
for, a failure fails the build, and the process never outlives a killed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from topicfeed import forked

ROOT = Path(__file__).resolve().parents[2]


def _launched(*works: tuple[str, Any], fork: bool = True) -> forked.Beside:
    beside = forked.Beside()
    for label, work in works:
        beside.add(label, work)
    beside.launch(fork)
    return beside


def test_each_result_comes_back_from_one_forked_process() -> None:
    beside = _launched(("sum", lambda: (os.getpid(), sum(range(10)))), ("pid", os.getpid))
    assert beside.pid is not None and beside.pid != os.getpid()
    assert beside.result("pid") == beside.pid  # taken in any order
    pid, total = beside.result("sum")
    assert total == 45 and pid == beside.pid


def test_the_works_added_first_run_first(tmp_path: Path) -> None:
    log = tmp_path / "order"

    def note(name: str) -> Any:
        return lambda: log.open("a").write(name + "\n")

    beside = forked.Beside()
    beside.add("api", note("api"))
    beside.add("digests", note("digests"), first=True)
    beside.add("search", note("search"))
    assert beside.labels == ["digests", "api", "search"]
    beside.launch()
    for label in ("api", "search", "digests"):
        beside.result(label)
    assert log.read_text().split() == ["digests", "api", "search"]


def test_a_large_result_does_not_hold_up_the_next_work(tmp_path: Path) -> None:
    """The pipe holds 64 KB: without a thread taking results, the first work's send would wait
    for the build to ask for it, and the second work would not start until then."""
    marker = tmp_path / "second"
    beside = _launched(("large", lambda: b"x" * 5_000_000), ("second", lambda: marker.write_text("ran")))
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists()  # before anyone asked for the large result
    assert len(beside.result("large")) == 5_000_000


def test_without_fork_the_works_run_here() -> None:
    beside = _launched(("pid", os.getpid), fork=False)
    assert beside.pid is None and beside.result("pid") == os.getpid()


def test_a_failure_fails_with_its_traceback_and_the_other_works_still_answer() -> None:
    def work() -> None:
        raise ValueError("the API could not be written")

    beside = _launched(("JSON API", work), ("sum", lambda: 3))
    with pytest.raises(forked.ForkedStepFailed, match=r"(?s)JSON API failed.*ValueError: the API could"):
        beside.result("JSON API")
    assert beside.result("sum") == 3


def test_a_forked_process_that_dies_without_an_answer_fails_the_build() -> None:
    beside = _launched(("sum", lambda: 3), ("JSON API", lambda: os._exit(3)), ("after", lambda: 4))
    assert beside.result("sum") == 3
    for label in ("JSON API", "after"):
        with pytest.raises(forked.ForkedStepFailed, match=r"died without an answer"):
            beside.result(label)


def test_works_are_added_once_and_before_the_launch() -> None:
    beside = forked.Beside()
    beside.add("a", lambda: 1)
    with pytest.raises(ValueError, match="added twice"):
        beside.add("a", lambda: 2)
    beside.launch()
    with pytest.raises(RuntimeError, match="started already"):
        beside.add("b", lambda: 2)
    with pytest.raises(KeyError):
        beside.result("b")
    assert beside.result("a") == 1


def test_a_build_keeps_one_set_of_works_beside_it() -> None:
    private: dict[str, Any] = {}
    forked.launch(private)  # nothing added: nothing forked
    assert forked.beside(private) is forked.beside(private)
    forked.beside(private).add("pid", os.getpid)
    forked.launch(private)
    assert forked.beside(private).result("pid") != os.getpid()


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

        beside = forked.Beside()
        beside.add("slow", work)
        beside.launch()
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


def _pids(part: list[int], _forked: bool) -> list[tuple[int, int]]:
    return [(job, os.getpid()) for job in part]


def test_shared_jobs_come_back_in_order_and_the_first_work_runs_here() -> None:
    """While this process runs its first work (a rebuild's files that are no pages), the
    forked one takes the jobs; this one takes what is left once it is free."""
    jobs = list(range(200))
    value, results = forked.share(jobs, 2, _pids, lambda: (time.sleep(0.3), os.getpid())[1])
    assert value == os.getpid()
    assert [job for job, _ in results] == jobs
    forked_jobs = [job for job, pid in results if pid != os.getpid()]
    assert len(forked_jobs) > len(jobs) // 2  # the forked process was not held up by the first work


def test_shared_jobs_in_one_process_run_here() -> None:
    value, results = forked.share(list(range(5)), 1, _pids, lambda: "first")
    assert value == "first"
    assert results == [(job, os.getpid()) for job in range(5)]


def _fails_in_child(part: list[int], in_child: bool) -> list[int]:
    if in_child:
        raise ValueError("a page failed")
    return part


def test_a_shared_job_that_fails_in_a_forked_process_fails_the_step() -> None:
    with pytest.raises(forked.ForkedStepFailed, match="a page failed"):
        forked.share(list(range(100)), 2, _fails_in_child, lambda: time.sleep(0.2))


def test_the_forked_processes_stop_when_the_first_work_fails(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def slow(part: list[int], _forked: bool) -> list[int]:
        time.sleep(0.05)
        with done.open("a") as log:
            log.write(f"{part}\n")
        return part

    def first() -> None:
        time.sleep(0.2)
        raise OSError("the API could not be written")

    with pytest.raises(OSError, match="the API"):
        forked.share(list(range(1000)), 2, slow, first)
    written = done.read_text().count("\n")
    time.sleep(0.3)
    assert done.read_text().count("\n") == written  # nothing went on working after the failure
    assert written < 100


def test_the_forked_parts_of_a_split_stop_when_this_part_fails(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def work(part: list[int], in_child: bool) -> list[int]:
        if not in_child:
            time.sleep(0.2)
            raise OSError("a page could not be written")
        for job in part:
            time.sleep(0.01)
            with done.open("a") as log:
                log.write(f"{job}\n")
        return part

    with pytest.raises(OSError, match="a page could not"):
        forked.split(list(range(1000)), 2, work)
    written = done.read_text().count("\n")
    time.sleep(0.3)
    assert done.read_text().count("\n") == written
    assert written < 100
