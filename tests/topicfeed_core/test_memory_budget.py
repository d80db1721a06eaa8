"""MEMORY_BUDGET_MB: steps start only the extra processes that fit beside what the build uses, or
in what the machine has free ("auto")."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from topicfeed import machine_memory, memory_budget
from topicfeed.memory_budget import extra_processes, fork_fits, in_use_mb, pss_kib, resident_mb
from topicfeed.settings import SettingsError
from topicfeed.settings import apply as apply_settings
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


# "auto": what the machine, or the build's container, has free -----------------------------------

MIB = 1024 * 1024
GB = 1024 * MIB


def _machine(
    tmp_path: Path, available_kb: int, cgroup: str, groups: dict[str, dict[str, str]]
) -> dict[str, Path]:
    """A fake ``/proc/meminfo``, ``/proc/self/cgroup`` and ``/sys/fs/cgroup`` tree."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        f"MemTotal:       {4 * available_kb} kB\nMemFree:  1 kB\nMemAvailable:   {available_kb} kB\n"
    )
    proc_cgroup = tmp_path / "cgroup"
    proc_cgroup.write_text(cgroup)
    root = tmp_path / "sys-fs-cgroup"
    root.mkdir()
    for folder, files in groups.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (root / folder / name).write_text(text)
    return {"meminfo": meminfo, "proc_cgroup": proc_cgroup, "cgroup_root": root}


def test_free_memory_is_memavailable_without_a_limited_group(tmp_path: Path) -> None:
    paths = _machine(tmp_path, 8 * 1024 * 1024, "0::/user.slice\n", {"user.slice": {"memory.max": "max\n"}})
    assert machine_memory.free_mb(**paths) == 8 * 1024


def test_a_containers_limit_less_its_usage_is_what_is_free(tmp_path: Path) -> None:
    """cgroup v2: the limit of the build's group less its usage, the page cache it can reclaim
    (the files the build wrote) not counted, its shared memory (``/dev/shm``) counted."""
    group = {
        "memory.max": f"{2 * GB}\n",
        "memory.current": f"{GB + 400 * MIB}\n",
        "memory.stat": f"anon 1\nfile {500 * MIB}\nshmem {100 * MIB}\nactive_file 7\n",
    }
    paths = _machine(tmp_path, 60 * 1024 * 1024, "0::/docker/abc\n", {"docker/abc": group})
    assert machine_memory.free_mb(**paths) == 1024  # 2 GB - (1.4 GB - (0.5 GB - 0.1 GB shared))


def test_a_limit_above_the_builds_own_group_binds_it(tmp_path: Path) -> None:
    groups = {
        "a": {"memory.max": f"{3 * GB}\n", "memory.current": f"{2 * GB}\n"},
        "a/b": {"memory.max": "max\n", "memory.current": f"{GB}\n"},
    }
    paths = _machine(tmp_path, 60 * 1024 * 1024, "0::/a/b\n", groups)
    assert machine_memory.free_mb(**paths) == 1024
    # and the smaller of the two rooms wins whichever it is
    groups["a/b"]["memory.max"] = f"{GB + 512 * 1024 * 1024}\n"
    paths = _machine(tmp_path / "again", 60 * 1024 * 1024, "0::/a/b\n", groups)
    assert machine_memory.free_mb(**paths) == 512


def test_cgroup_v1_limits_count_and_its_no_limit_value_does_not(tmp_path: Path) -> None:
    limited = {
        "memory.limit_in_bytes": f"{2 * GB}\n",
        "memory.usage_in_bytes": f"{GB}\n",
        "memory.stat": f"cache 9\ntotal_cache {300 * MIB}\ntotal_shmem {300 * MIB}\n",  # all shared
    }
    paths = _machine(tmp_path, 60 * 1024 * 1024, "4:memory:/job\n0::/\n", {"memory/job": limited})
    assert machine_memory.free_mb(**paths) == 1024
    unlimited = {"memory.limit_in_bytes": "9223372036854771712\n", "memory.usage_in_bytes": f"{GB}\n"}
    paths = _machine(tmp_path / "v1", 3 * 1024 * 1024, "4:memory:/job\n", {"memory/job": unlimited})
    assert machine_memory.free_mb(**paths) == 3 * 1024


def test_nothing_readable_is_nothing_known(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    assert machine_memory.free_mb(missing, missing, missing) is None


@linux_only
def test_this_machine_has_some_memory_free() -> None:
    free = machine_memory.free_mb()
    assert free is not None and 10 < free < 1 << 30


def test_auto_plans_the_processes_within_what_is_free(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def never() -> float:
        raise AssertionError('"auto" measures what is free, not what the build uses')

    monkeypatch.setattr(memory_budget, "in_use_mb", never)
    monkeypatch.setattr(machine_memory, "free_mb", lambda: 1000.0)
    settings = {"MEMORY_BUDGET_MB": "auto"}
    assert extra_processes(settings, 2, 450, step="t") == 2  # 2 x 450 <= 0.9 x 1000
    with caplog.at_level(logging.INFO, logger="topicfeed.memory_budget"):
        assert extra_processes(settings, 2, 451, step="page renderers") == 1
    assert "page renderers: 1 extra process(es) instead of 2" in caplog.text
    assert 'the machine has 1000 MB free (MEMORY_BUDGET_MB="auto")' in caplog.text
    assert extra_processes(settings, 3, 2000, at_least=1, step="search") == 1
    monkeypatch.setattr(memory_budget, "resident_mb", lambda pid="self": 900.0)
    assert fork_fits(settings, "json_api")  # a copy of the build process: 900 <= 0.9 x 1000
    monkeypatch.setattr(memory_budget, "resident_mb", lambda pid="self": 901.0)
    assert not fork_fits(settings, "json_api")
    monkeypatch.setattr(machine_memory, "free_mb", lambda: None)  # nothing to read: no plan
    assert extra_processes(settings, 2, 10_000, step="t") == 2


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("auto", True), (0, True), (2000, True), (-1, False), ("2000", False), ("AUTO", False), (True, False)],
)
def test_the_budget_is_auto_or_a_number_of_mb(value: Any, accepted: bool) -> None:
    settings: dict[str, Any] = {"MEMORY_BUDGET_MB": value}
    if accepted:
        apply_settings(settings, [memory_budget.MEMORY_BUDGET])
        return
    with pytest.raises(SettingsError, match='MEMORY_BUDGET_MB: expected "auto" or an integer >= 0'):
        apply_settings(settings, [memory_budget.MEMORY_BUDGET])


def test_the_default_budget_is_what_the_machine_has() -> None:
    settings: dict[str, Any] = {}
    apply_settings(settings, [memory_budget.MEMORY_BUDGET])
    assert settings["MEMORY_BUDGET_MB"] == "auto"


@pytest.fixture
def memory_group() -> Any:
    """A new control group with a memory limit, below this process's own (v1 or v2); skipped
    where none can be made (not root, no writable cgroup file system)."""
    made: list[Path] = []

    def make(limit: int) -> Path:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            number, _, rest = line.partition(":")
            controllers, _, group = rest.partition(":")
            if number == "0" and controllers == "":
                parent, limit_file = Path("/sys/fs/cgroup") / group.strip("/"), "memory.max"
                if not (parent / "memory.max").exists() and group.strip("/"):
                    continue  # no memory controller here (a hybrid host's unified tree)
            elif "memory" in controllers.split(","):
                parent, limit_file = Path("/sys/fs/cgroup/memory") / group.strip("/"), "memory.limit_in_bytes"
            else:
                continue
            folder = parent / f"topicfeed-test-{os.getpid()}-{len(made)}"
            try:
                folder.mkdir()
            except OSError:
                continue
            made.append(folder)
            try:
                (folder / limit_file).write_text(str(limit))
            except OSError:
                continue
            return folder
        pytest.skip("no memory control group can be made here")

    yield make
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


@linux_only
def test_a_real_memory_groups_limit_is_what_a_process_in_it_finds_free(memory_group: Any) -> None:
    """The kernel's own files, not fakes: a process moved into a group limited to 512 MB finds
    at most 512 MB free, and most of it (a small Python process uses about 10 MB)."""
    folder = memory_group(512 * MIB)
    script = (
        "import os, sys; open(sys.argv[1], 'w').write(str(os.getpid()));"
        "from topicfeed import machine_memory; print(machine_memory.free_mb())"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(folder / "cgroup.procs")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(machine_memory.__file__).parents[1])},
    )
    assert child.returncode == 0, child.stderr
    free = float(child.stdout)
    assert 400 < free <= 512, child.stdout
