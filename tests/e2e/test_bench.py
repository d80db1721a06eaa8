"""The benchmark's inputs are sound: the generator's items all read, and the baseline builds.

A benchmark over input that Topicfeed partly rejects, or a baseline that builds fewer pages,
would compare the wrong things; these builds are small (50 items) and take a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.build import ROOT, Build, run_pelican

from bench import generate

COUNT = 50


@pytest.fixture(scope="module")
def bench_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench-set")
    result = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(COUNT), str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def processed(build: Build) -> int:
    """Pelican's own count from its closing line ("Done: Processed N articles, ...")."""
    assert "Processed " in build.log, build.log
    return int(build.log.split("Processed ", 1)[1].split()[0])


def test_generator_is_deterministic(bench_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, _manifest = bench_set
    generate.write(COUNT, tmp_path, seed=1)
    for name in ("news", "markdown"):
        first = {p.name: p.read_bytes() for p in (out / name).iterdir()}
        second = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
        assert first == second
    assert len(first) == COUNT


def test_generated_set_has_every_variant(bench_set: tuple[Path, dict]) -> None:
    out, manifest = bench_set
    texts = [p.read_text(encoding="utf-8") for p in (out / "news").iterdir()]
    assert 0 < manifest["published"] < COUNT
    assert manifest["with_related"] > 0
    for needle in (
        "published: false",
        "heat: -1",
        "sourceUrl: ",
        "originalUrl: ",
        "cdnAmpWebUrl: ",
        "related:",
    ):
        assert any(needle in text for text in texts), needle
    assert any("published:" not in text for text in texts)


def test_news_reader_reads_every_generated_item(bench_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = bench_set
    build = run_pelican(out / "news", tmp_path / "site")
    assert build.returncode == 0, build.log
    problems = [
        line
        for line in build.log.splitlines()
        if ("WARNING" in line or "ERROR" in line) and "Feeds generated without SITEURL" not in line
    ]
    assert problems == []
    assert processed(build) == manifest["published"]
    assert len(build.article_pages()) == manifest["published"]


def test_baseline_markdown_builds_the_same_stories(bench_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = bench_set
    build = run_pelican(
        out / "markdown",
        tmp_path / "site",
        settings_file=ROOT / "bench" / "baseline_conf.py",
        extra={"CACHE_PATH": str(tmp_path / "cache")},
    )
    assert build.returncode == 0, build.log
    assert processed(build) == manifest["published"]
    assert len(build.article_pages()) == manifest["published"]
    assert (build.output / "topics" / "index.html").is_file()
    assert (build.output / "feeds" / "all.atom.xml").is_file()
