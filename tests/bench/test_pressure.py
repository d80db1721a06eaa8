"""The benchmark records how much the shared disk held the machine back, and the report says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import pressure, report

IO = """some avg10=18.93 avg60=17.86 avg300=10.59 total=4142714680
full avg10=13.29 avg60=12.64 avg300=8.49 total=3524634090
"""


@pytest.fixture
def proc(tmp_path: Path) -> Path:
    (tmp_path / "io").write_text(IO, encoding="ascii")
    return tmp_path


def test_the_disk_pressure_is_read_from_psi(proc: Path) -> None:
    assert pressure.io_some_avg60(proc) == 17.86
    assert pressure.io_full_total_us(proc) == 3524634090


def test_without_psi_nothing_is_recorded(tmp_path: Path) -> None:
    assert pressure.io_some_avg60(tmp_path / "missing") is None
    assert pressure.io_full_total_us(tmp_path / "missing") is None
    (tmp_path / "io").write_text("some avg10=garbage\n", encoding="ascii")
    assert pressure.io_some_avg60(tmp_path) is None
    assert pressure.io_full_total_us(tmp_path) is None


def test_a_builds_stall_is_its_share_of_the_wall_time() -> None:
    assert pressure.stalled_share(1_000_000, 31_000_000, 100.0) == pytest.approx(0.30)
    assert pressure.stalled_share(None, 5, 10.0) is None
    assert pressure.stalled_share(0, 500_000_000, 10.0) == 1.0  # never above the whole build


def _result(io_before: list[float | None] | None, stalls: list[float | None]) -> dict:
    samples = [
        {"wall": 10.0, "cpu": 9.0, "peak_mb": 1.0, "articles": 1, "load": 0.1, "io_stall": s} for s in stalls
    ]
    result: dict = {
        "max_load": 1.0,
        "round_loads": [0.1] * len(stalls),
        "samples": {"topicfeed": {"cold": samples}},
    }
    if io_before is not None:
        result["round_io_pressure"] = io_before
    return result


def test_the_report_names_the_disk_pressure_and_the_most_stalled_build() -> None:
    note = report.load_note(_result([0.0, 17.86], [0.02, 0.31]))
    assert (
        "I/O pressure before each round (share of the last minute some task waited for the disk): 0.0%, 17.9%."
        in note
    )
    assert "Topicfeed cold, round 2, 31% of its wall time" in note


def test_results_recorded_before_psi_read_as_they_did() -> None:
    result = _result(None, [None])
    for sample in result["samples"]["topicfeed"]["cold"]:
        del sample["io_stall"]
    assert report.load_note(result) == "1-minute load average before each round: 0.10 (threshold 1.0)."
