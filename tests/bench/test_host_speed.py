"""The benchmark times a fixed Python loop before each round, and the report says how long it took."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import host_speed, report


def _clock(readings: list[float]) -> Iterator[float]:
    yield from readings


def test_the_probe_is_the_fastest_try() -> None:
    # Three tries: 3 s, 1 s and 2 s of CPU; a try another task interrupted is not the host's speed.
    readings = _clock([0.0, 3.0, 10.0, 11.0, 20.0, 22.0])
    calls: list[int] = []
    best = host_speed.probe(repeat=3, clock=lambda: next(readings), work=lambda: calls.append(1))
    assert best == 1.0
    assert len(calls) == 3


def test_the_workload_is_fixed_and_the_real_probe_takes_cpu_time() -> None:
    assert host_speed.workload(300) == host_speed.workload(300)
    assert host_speed.workload(3) == sum(len(f"item-{n}") + n % 7 for n in range(0, 3, 3))
    assert 0 < host_speed.probe(repeat=2, work=lambda: host_speed.workload(20_000)) < 5


def test_the_fault_probe_is_the_fastest_try_per_page() -> None:
    readings = _clock([0.0, 0.5, 1.0, 1.2, 2.0, 2.4])
    assert host_speed.fault_probe(repeat=3, clock=lambda: next(readings), pages=4) == pytest.approx(0.2 / 4)


def test_the_real_fault_probe_takes_time_for_each_fresh_page() -> None:
    few, many = (host_speed.fault_probe(repeat=3, pages=pages) for pages in (64, 1024))
    assert 0 < few < 0.001 and 0 < many < 0.001  # seconds a page: microseconds, not nothing


def _result(probes: list[float] | None) -> dict:
    samples = [{"wall": 10.0, "cpu": 9.0, "peak_mb": 1.0, "articles": 1, "load": 0.1}]
    result: dict = {"max_load": 1.0, "round_loads": [0.1], "samples": {"topicfeed": {"cold": samples}}}
    if probes is not None:
        result["round_cpu_probe"] = probes
    return result


def test_the_report_names_each_rounds_probe() -> None:
    note = report.load_note(_result([0.0441, 0.0617]))
    assert note.endswith(
        "CPU probe before each round (a fixed Python loop, CPU time, best of 5; more is a slower host): "
        "44.1 ms, 61.7 ms."
    )


def test_results_recorded_before_the_probe_read_as_they_did() -> None:
    assert "CPU probe" not in report.load_note(_result(None))
    assert "CPU probe" not in report.load_note(_result([]))


def test_the_report_names_each_rounds_fault_probe() -> None:
    result = _result([0.0441, 0.0617])
    result["round_fault_probe"] = [0.0000031, 0.0000452]
    note = report.load_note(result)
    assert note.endswith(
        "44.1 ms, 61.7 ms. Page-fault probe before each round (CPU time a fresh page took, "
        "8,192 pages, best of 5; more is a host where memory costs more, which slows "
        "Topicfeed's forks and Pagefind most): 3.1 us, 45.2 us."
    )
    assert "Page-fault probe" not in report.load_note(_result([0.0441]))  # results recorded before it
