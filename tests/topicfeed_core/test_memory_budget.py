"""MEMORY_BUDGET_MB: steps start only the extra processes that fit beside what the build uses."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from types import SimpleNamespace
from typing import Any

import pytest

from topicfeed import memory_budget
from topicfeed.memory_budget import extra_processes, fork_fits, in_use_mb, pss_kib, resident_mb
from topicfeed.site_search.plugin import PAGEFIND_MB_PER_PAGE, parallel_runs

linux_only = pytest.mark.skipif(not memory_budget.measurable(), reason="needs /proc (Linux)")


@pytest.fixture
def using(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pretend the build uses ``mb`` MB now."""

    def use(mb: float) -> None:
        monkeypatch.setattr(memory_budget, "in_use_mb", lambda: mb)
        monkeypatch.setattr(memory_budget, "measurable", lambda: True)

    return use


def test_without_a_budget_every_step_gets_what_it_asks_for(monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> float:
        raise AssertionError("no budget: nothing is measured")

    monkeypatch.setattr(memory_budget, "in_use_mb", never)
    assert extra_processes({"MEMORY_BUDGET_MB": 0}, 3, 10_000, step="t") == 3
    assert fork_fits({"MEMORY_BUDGET_MB": 0}, "t")


def test_a_step_takes_as_many_processes_as_fit(using: Any, caplog: pytest.LogCaptureFixture) -> None:
    using(1500)
    settings = {"MEMORY_BUDGET_MB": 2000}
    assert extra_processes(settings, 2, 200, step="t") == 2  # 1500 + 2 x 200 <= 2000
    with caplog.at_level(logging.INFO, logger="topicfeed.memory_budget"):
        assert extra_processes(settings, 2, 300, step="page renderers") == 1
    assert "page renderers: 1 extra process(es) instead of 2" in caplog.text
    assert "MEMORY_BUDGET_MB=2000" in caplog.text and "uses 1500 MB" in caplog.text
    assert extra_processes(settings, 2, 600, step="t") == 0
    assert extra_processes(settings, 2, 600, at_least=1, step="search") == 1  # what the step needs
    using(2500)  # already over: nothing extra, never a negative count
    assert extra_processes(settings, 2, 1, step="t") == 0


def test_a_fork_counts_as_a_copy_of_the_build_process(using: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_budget, "resident_mb", lambda pid="self": 900.0)
    using(1000)
    assert fork_fits({"MEMORY_BUDGET_MB": 2000}, "json_api")  # 1000 + 900
    assert not fork_fits({"MEMORY_BUDGET_MB": 1800}, "json_api")


def test_search_runs_are_planned_by_the_largest_bundle(using: Any) -> None:
    shards = [SimpleNamespace(pages=[0] * n) for n in (8192, 4096, 100)]
    per_run = 8192 * PAGEFIND_MB_PER_PAGE
    using(1000)
    settings = {"SEARCH_PARALLEL_RUNS": 2, "MEMORY_BUDGET_MB": int(1000 + 2 * per_run) + 1}
    assert parallel_runs(settings, shards) == 2
    assert parallel_runs({**settings, "MEMORY_BUDGET_MB": int(1000 + per_run) + 1}, shards) == 1
    assert parallel_runs({**settings, "MEMORY_BUDGET_MB": 1}, shards) == 1  # one run at least
    assert parallel_runs({**settings, "MEMORY_BUDGET_MB": 1}, shards[:1]) == 2  # one bundle: no plan


@linux_only
def test_what_the_build_uses_counts_the_processes_it_started() -> None:
    alone = in_use_mb()
    assert 5 < alone and 5 < resident_mb()
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; b = b'x' * (64 << 20); sys.stdout.write('r'); "
         "sys.stdout.flush(); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.read(1) == b"r"
        time.sleep(0.1)
        # Its 64 MB are the build's too. Compared with this process's share measured at the same
        # moment, not with ``alone``: this process may have freed a few MB since (it once had,
        # and the old margin of 4 MB failed).
        total, own, its = in_use_mb(), pss_kib(os.getpid()) / 1024, pss_kib(child.pid) / 1024
        assert its > 60 and resident_mb(child.pid) > 60
        assert total > own + its - 8
    finally:
        child.kill()
        child.wait()
