"""build_report's report step reads the build object only: the ledger, the render stats, timings."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from topicfeed.build import Build, RenderStats
from topicfeed.build_report import plugin
from topicfeed.model import Problem


@pytest.fixture
def site(tmp_path: Path) -> tuple[Any, Build]:
    content = tmp_path / "content"
    content.mkdir()
    for name in ("a.md", "b.txt", "c.txt", "notes.rst", "logo.png"):
        (content / name).write_text("x", encoding="utf-8")
    settings: dict[str, Any] = {
        "OUTPUT_PATH": str(tmp_path / "site"),
        "BUILD_REPORT_PATH": "",
        "IGNORE_FILES": [".#*"],
    }
    build = Build(settings=settings, output=tmp_path / "site", target=tmp_path / ".site.building")
    build.ledger.fates.update({"a.md": "published", "b.txt": "unpublished", "c.txt": "rejected"})
    build.ledger.problems += [
        Problem("c.txt", "title", "missing", fatal=True),
        Problem("a.md", "heat", "not a number"),
        Problem("a.md", "logo", "old site path", notice=True),
    ]
    build.timings["read"] = 1.5
    context = {**settings, "generated_content": {}, "static_content": {"logo.png": object()}}
    plugin._state.clear()
    plugin._state.update(pages=7, feeds=3, generator=SimpleNamespace(path=str(content), context=context))
    return SimpleNamespace(settings=settings), build


def report_of(build: Build) -> dict[str, Any]:
    path = build.output.with_name("site.report.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_report_takes_fates_and_problems_from_the_ledger(site: tuple[Any, Build]) -> None:
    pelican, build = site
    plugin.finish(pelican, build)
    report = report_of(build)
    assert report["files"] == {
        "a.md": "published",
        "b.txt": "unpublished",
        "c.txt": "rejected",
        "logo.png": "static",
        "notes.rst": "not read (no reader for this file)",
    }
    assert report["summary"]["items_read"] == 3
    assert report["summary"]["pages_written"] == 7 and report["summary"]["feeds_written"] == 3
    assert [p["level"] for p in report["rejected"] + report["warnings"] + report["notices"]] == [
        "error",
        "warning",
        "info",
    ]
    assert list(report["stages_seconds"])[:2] == ["read", "write"]
    assert report["stages_seconds"]["read"] == 1.5
    assert report["rendering"] == {}  # no writer step ran: nothing to say about rendering
    assert report["output"] == str(build.output)
    assert not build.target.exists()  # beside the output, never inside the build


def test_the_report_says_what_the_writer_rendered_and_reused(
    site: tuple[Any, Build], capsys: pytest.CaptureFixture[str]
) -> None:
    pelican, build = site
    build.render = RenderStats(rendered=2, reused=5, feeds_reused=1)
    plugin.finish(pelican, build)
    assert report_of(build)["rendering"] == {"pages_rendered": 2, "pages_reused": 5, "feeds_reused": 1}
    assert "Pages rendered: 2  unchanged, reused: 5 pages, 1 feeds" in capsys.readouterr().out


def test_build_report_path_puts_it_elsewhere(site: tuple[Any, Build], tmp_path: Path) -> None:
    pelican, build = site
    pelican.settings["BUILD_REPORT_PATH"] = str(tmp_path / "reports" / "latest.json")
    plugin.finish(pelican, build)
    assert json.loads((tmp_path / "reports" / "latest.json").read_text(encoding="utf-8"))["files"]
    assert not build.output.with_name("site.report.json").exists()
