"""The runner's rounds: each build one input change after the last, the inputs restored after.

A build that saw two changes where one was meant, or a round that left its added item in the
inputs for the next cold build, would measure the wrong thing without any error; these tests
replace the builds with a fake plain Pelican (a page per published Markdown file), so they run in
a second.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from bench import generate, run

SIZE = 12


class FakePelican:
    """Stands in for ``run.measure``: writes one page per published story, records what it saw."""

    def __init__(self, honour_delete: bool = True, fail: str | None = None) -> None:
        self.honour_delete = honour_delete
        self.fail = fail
        self.seen: dict[str, dict[str, bool]] = {}

    def __call__(self, command: list[str], log_path: Path, timeout: float) -> run.Sample:
        scenario = log_path.stem.split("-", 1)[1]
        input_dir, output_dir = Path(command[3]), Path(command[5])
        set_dir = input_dir.parent
        manifest = json.loads((set_dir / "manifest.json").read_text(encoding="utf-8"))
        texts = {p.name: p.read_text(encoding="utf-8") for p in input_dir.iterdir()}
        self.seen[scenario] = {
            "changed": manifest["change"]["mark"] in texts[manifest["change"]["markdown"]],
            "added": manifest["added"]["markdown"] in texts,
            "unpublished": "Status: skip" in texts[manifest["unpublished"]["markdown"]],
        }
        if scenario == self.fail:
            raise RuntimeError("build failed")
        if "DELETE_OUTPUT_DIRECTORY=true" in command and self.honour_delete:
            shutil.rmtree(output_dir, ignore_errors=True)
        published = [text for text in texts.values() if "\nStatus: skip\n" not in text]
        for text in published:
            page = (
                output_dir / "2019" / "01" / "01" / re.search(r"^Slug: (.+)$", text, re.M)[1] / "index.html"
            )
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
        log_path.write_text(f"Done: Processed {len(published)} articles\n", encoding="utf-8")
        return run.Sample(wall=1.0, cpu=1.0, peak_mb=10.0, tree_mb=None, articles=len(published), load=0.1)


def bench(tmp_path: Path, fake: FakePelican, *scenarios: str) -> int:
    argv = ["--sizes", str(SIZE), "--runs", "2", "--allow-load", "--systems", "pelican"]
    argv += ["--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")]
    argv += ["--report", str(tmp_path / "BENCHMARKS.md")]
    if scenarios:
        argv += ["--scenarios", *scenarios]
    return run.main(argv)


def inputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "markdown").iterdir()}


@pytest.fixture
def generated(tmp_path: Path) -> dict[str, bytes]:
    generate.write(SIZE, tmp_path / "fresh", seed=1)
    return inputs(tmp_path / "fresh")


def test_each_build_sees_one_more_change_and_the_round_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated: dict[str, bytes]
) -> None:
    fake = FakePelican()
    monkeypatch.setattr(run, "measure", fake)
    assert bench(tmp_path, fake) == 0
    flags = [(seen["changed"], seen["added"], seen["unpublished"]) for seen in fake.seen.values()]
    assert list(fake.seen) == ["cold", "warm", "changed", "added", "unpublished"]
    assert flags == [(False,) * 3, (False,) * 3, (True, False, False), (True, True, False), (True,) * 3]
    assert inputs(tmp_path / "work" / str(SIZE)) == generated
    stored = json.loads((tmp_path / "results" / f"{SIZE}.json").read_text(encoding="utf-8"))
    published = stored["manifest"]["published"]
    counts = {sc: [s["articles"] for s in runs] for sc, runs in stored["samples"]["pelican"].items()}
    assert counts == {
        "cold": [published] * 2,
        "warm": [published] * 2,
        "changed": [published] * 2,
        "added": [published + 1] * 2,
        "unpublished": [published] * 2,
    }


def test_a_subset_runs_in_round_order_and_counts_only_its_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakePelican()
    monkeypatch.setattr(run, "measure", fake)
    assert bench(tmp_path, fake, "unpublished", "cold") == 0
    assert list(fake.seen) == ["cold", "unpublished"]
    assert fake.seen["unpublished"] == {"changed": False, "added": False, "unpublished": True}
    stored = json.loads((tmp_path / "results" / f"{SIZE}.json").read_text(encoding="utf-8"))
    published = stored["manifest"]["published"]
    assert [s["articles"] for s in stored["samples"]["pelican"]["unpublished"]] == [published - 1] * 2


def test_a_failed_build_still_restores_the_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated: dict[str, bytes]
) -> None:
    fake = FakePelican(fail="unpublished")
    monkeypatch.setattr(run, "measure", fake)
    with pytest.raises(RuntimeError, match="build failed"):
        bench(tmp_path, fake)
    assert inputs(tmp_path / "work" / str(SIZE)) == generated


def test_a_page_left_behind_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A system that keeps the unpublished item's old page has not unpublished it."""
    fake = FakePelican(honour_delete=False)
    monkeypatch.setattr(run, "measure", fake)
    with pytest.raises(RuntimeError, match="unpublished: expected one removed article page"):
        bench(tmp_path, fake)


def test_page_change_problem() -> None:
    day = Path("out/2019/01/01")
    before = {day / "a" / "index.html", day / "b" / "index.html"}
    assert (
        run.page_change_problem(before, before | {day / "new-item" / "index.html"}, 1, "new-item-x") is None
    )
    assert "is not that of" in run.page_change_problem(before, before | {day / "c" / "index.html"}, 1, "new")
    assert run.page_change_problem(before, {day / "a" / "index.html"}, -1, "b") is None
    assert "0 new and 0 removed" in run.page_change_problem(before, before, -1, "b")


def test_a_cold_build_starts_once_the_deleted_output_is_flushed_and_the_load_has_fallen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting the previous site leaves writeback that would count against the cold build."""
    events: list[str] = []
    fake = FakePelican()

    def measure(command, log_path, timeout):
        events.append("build")
        return fake(command, log_path, timeout)

    monkeypatch.setattr(run, "measure", measure)
    monkeypatch.setattr(run.os, "sync", lambda: events.append("sync"))
    monkeypatch.setattr(run, "wait_for_quiet", lambda *args: events.append("wait") or 0.5)
    assert bench(tmp_path, fake, "cold", "warm") == 0
    # per round: the round's own wait, then sync and wait before the cold build; a sync after
    # each build (what it wrote flushed before the next starts)
    assert events == ["wait", "sync", "wait", "build", "sync", "build", "sync"] * 2


def test_a_cold_build_finds_nothing_the_last_build_left(tmp_path: Path) -> None:
    """Not the site, nor the folders kept beside it, nor the records of the last build."""
    output = tmp_path / "output-topicfeed"
    (output / "2024").mkdir(parents=True)
    (tmp_path / ".output-topicfeed.skeleton" / "2024").mkdir(parents=True)
    for name in ("render.json", "model.pickle", "inputs.json", "api.json", "urls.json", "report.json"):
        (tmp_path / f"output-topicfeed.{name}").write_text("{}", encoding="utf-8")
    (tmp_path / "output-pelican.render.json").write_text("{}", encoding="utf-8")  # another system's
    (tmp_path / "news").mkdir()
    run.clear_output(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news", "output-pelican.render.json"]


def test_the_next_build_waits_for_what_the_last_left_running_and_the_wait_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A skeleton still being made beside the output (its maker holds the folder's lock) is the
    last build's work: the next build is not measured beside it."""
    fake = FakePelican()
    output = tmp_path / "work" / str(SIZE) / "output-pelican"
    making = output.with_name(f".{output.name}.skeleton-making-1-2")
    held: list[int] = []

    def measure(command, log_path, timeout):
        sample = fake(command, log_path, timeout)
        if not held:  # the cold build leaves a maker that runs for 0.4 s more
            making.mkdir(parents=True)
            held.append(os.open(making, os.O_RDONLY))
            fcntl.flock(held[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
            threading.Timer(0.4, os.close, [held[0]]).start()
        return sample

    monkeypatch.setattr(run, "measure", measure)
    monkeypatch.setattr(run, "wait_for_quiet", lambda *args: 0.5)
    assert bench(tmp_path, fake, "cold", "warm") == 0
    stored = json.loads((tmp_path / "results" / f"{SIZE}.json").read_text(encoding="utf-8"))
    cold, warm = stored["samples"]["pelican"]["cold"], stored["samples"]["pelican"]["warm"]
    assert cold[0]["after"] >= 0.35
    assert max(s["after"] for s in cold[1:] + warm) < 0.35
    assert "the longest wait: plain Pelican" in (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")


def test_a_costly_memory_sample_is_taken_less_often(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading smaps_rollup of large processes is slow: sampling must not eat the build's cores."""
    calls: list[float] = []

    def slow_sample(pid: int) -> float:
        calls.append(time.perf_counter())
        time.sleep(0.05)  # 20 x 0.05 s: the next sample one second later, not 0.1 s
        return 1.0

    monkeypatch.setattr(run.memory, "tree_mb", slow_sample)
    sample = run.measure([sys.executable, "-c", "import time; time.sleep(1.6)"], tmp_path / "x-cold.log", 60)
    assert sample.tree_mb == 1.0
    assert 1 <= len(calls) <= 3, calls


def test_builds_write_bytecode_as_a_users_machine_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine that tells Python not to write bytecode would make every measured Topicfeed
    build compile its plugins again; the build runs without that setting, and keeps the rest."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("TOPICFEED_BENCH_PROBE", "kept")
    log = tmp_path / "x-cold.log"
    script = "import os, sys; print(sys.dont_write_bytecode, os.environ.get('TOPICFEED_BENCH_PROBE'))"
    run.measure([sys.executable, "-c", script], log, 60)
    assert log.read_text(encoding="utf-8").split() == ["False", "kept"]


def test_a_build_records_the_system_part_of_its_cpu_time(tmp_path: Path) -> None:
    """A build that makes the kernel work (here: 256 MB of fresh memory, page by page) shows it
    as system time, part of its CPU time."""
    script = "bytearray(256 * 1024 * 1024)"
    sample = run.measure([sys.executable, "-c", script], tmp_path / "x-cold.log", 60)
    assert sample.system is not None
    assert 0.01 < sample.system <= sample.cpu


@pytest.mark.skipif(not run.CLEAR_REFS.exists(), reason="Linux only")
def test_a_builds_peak_memory_is_its_own_not_the_runners(tmp_path: Path) -> None:
    """The runner once held far more than the build (here 256 MB, written and let go): the
    build's peak must not be reported as that."""
    held = bytearray(256 * 1024 * 1024)
    del held
    sample = run.measure([sys.executable, "-c", "pass"], tmp_path / "x-cold.log", 60)
    assert sample.peak_mb < 200, sample.peak_mb


def test_a_variant_builds_topicfeed_with_its_settings_into_its_own_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--topicfeed-setting``: Topicfeed gets the setting (the baselines do not), the command line
    records it, and its results may not replace the default build's."""
    topicfeed, pelican = run.SYSTEMS["topicfeed"], run.SYSTEMS["pelican"]
    variant = {"MEMORY_BUDGET_MB": 2000}
    command = run.build_command(topicfeed, tmp_path, tmp_path / "out", tmp_path / "cache", "cold", variant)
    assert command[command.index("-e") + 1 :] == [
        f"CACHE_PATH={json.dumps(str(tmp_path / 'cache'))}",
        "MEMORY_BUDGET_MB=2000",
    ]
    assert "MEMORY_BUDGET_MB=2000" not in run.build_command(pelican, tmp_path, tmp_path / "o", tmp_path / "c")
    assert run.topicfeed_setting("SEARCH_SHARDS=4") == ("SEARCH_SHARDS", 4)
    with pytest.raises(SystemExit):
        run.main(["--topicfeed-setting", "MEMORY_BUDGET_MB=2000", "--results", str(tmp_path / "results")])
    assert "a folder of their own: --results bench/results/variants/NAME" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run.main(["--topicfeed-setting", "memory=2000"])


def stored_result(results: Path, size: int, probes: list[float], allow_load: bool = False) -> None:
    results.mkdir(parents=True, exist_ok=True)
    stored = {"size": size, "allow_load": allow_load, "round_cpu_probe": probes}
    (results / f"{size}.json").write_text(json.dumps(stored), encoding="utf-8")


def test_the_reference_is_the_fastest_round_of_the_results_a_run_would_replace(tmp_path: Path) -> None:
    stored_result(tmp_path, 1000, [0.0202, 0.0187, 0.0181])
    stored_result(tmp_path, 100, [0.0150], allow_load=True)
    (tmp_path / "10.json").write_text("{not json", encoding="utf-8")
    assert run.reference_probe(tmp_path, 1000) == 0.0181
    assert run.reference_probe(tmp_path, 100) is None, "results measured under load set no bar"
    assert run.reference_probe(tmp_path, 10) is None
    assert run.reference_probe(tmp_path, 10_000) is None


def test_a_round_waits_for_a_slow_host_then_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load average stays low while other tenants slow every instruction: the CPU probe
    decides. A probe within the bar goes on at once; a slow one waits, probing again, and a
    host that stays slow is refused unless --allow-load is given."""
    sleeps: list[float] = []
    monkeypatch.setattr(run.time, "sleep", sleeps.append)
    probes = iter([0.060, 0.055, 0.025])
    assert run.wait_for_host(0.018, 1.5, False, 300, lambda: next(probes)) == 0.025
    assert sleeps == [run.PROBE_INTERVAL, run.PROBE_INTERVAL]
    assert run.wait_for_host(0.018, 1.5, False, 300, lambda: 0.026) == 0.026
    assert run.wait_for_host(0.018, 1.5, True, 300, lambda: 0.084) == 0.084
    assert run.wait_for_host(None, 1.5, False, 300, lambda: 0.084) == 0.084
    with pytest.raises(run.LoadTooHigh, match=r"CPU probe took 84.0 ms, more than 1.5 times the 18.0 ms"):
        run.wait_for_host(0.018, 1.5, False, 0, lambda: 0.084)


def test_a_slow_host_leaves_the_stored_results_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole run on a host three times as slow as the stored results' fastest round: nothing
    is built, the results and the report stay, and the exit status says why."""
    results = tmp_path / "results"
    stored_result(results, SIZE, [0.018])
    before = (results / f"{SIZE}.json").read_bytes()
    fake = FakePelican()
    monkeypatch.setattr(run, "measure", fake)
    monkeypatch.setattr(run.host_speed, "probe", lambda *args: 0.056)
    argv = ["--sizes", str(SIZE), "--runs", "1", "--systems", "pelican", "--max-load", "1000"]
    argv += ["--load-wait", "0", "--work", str(tmp_path / "work"), "--results", str(results)]
    argv += ["--report", str(tmp_path / "BENCHMARKS.md")]
    assert run.main(argv) == 3
    assert "more than 1.5 times the 18.0 ms" in capsys.readouterr().err
    assert fake.seen == {}
    assert (results / f"{SIZE}.json").read_bytes() == before
    assert not (tmp_path / "BENCHMARKS.md").exists()
    monkeypatch.setattr(run.host_speed, "probe", lambda *args: 0.019)
    assert run.main(argv) == 0, capsys.readouterr().err
    assert json.loads((results / f"{SIZE}.json").read_text())["reference_cpu_probe"] == 0.018
