"""The benchmark's inputs are sound: the generator's items all read, and the baseline builds.

A benchmark over input that Topicfeed partly rejects, or a baseline that builds fewer pages,
would compare the wrong things; these builds are small (50 items) and take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.build import ROOT, Build, run_pelican

from bench import generate, run

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


def problems(build: Build) -> list[str]:
    """The build's warnings and errors, less Pelican's note that a local build has no SITEURL."""
    return [
        line
        for line in build.log.splitlines()
        if ("WARNING" in line or "ERROR" in line) and "Feeds generated without SITEURL" not in line
    ]


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
    assert problems(build) == []
    assert processed(build) == manifest["published"]
    assert len(build.article_pages()) == manifest["published"]
    slug = manifest["unpublished"]["slug"]  # the item the runner unpublishes has its page
    assert [p for p in build.article_pages() if slug.startswith(p.parent.name)]


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


def news_instant(text: str) -> dt.datetime:
    """An exporter file's own ``publishedDateTime`` (not those of its related entries)."""
    return dt.datetime.fromisoformat(re.search(r"^publishedDateTime: (\S+)$", text, re.M)[1])


def test_extra_item_is_published_and_newer_than_every_other(bench_set: tuple[Path, dict]) -> None:
    """The "one item added" build's item: in every format, outside the inputs, the newest."""
    out, manifest = bench_set
    added = manifest["added"]
    for name in ("news", "markdown", "hugo"):
        assert (out / added["extra"] / name / added[name]).is_file(), name
        assert not (out / name / added[name]).exists(), name  # the builds before "added" lack it
    news = (out / added["extra"] / "news" / added["news"]).read_text(encoding="utf-8")
    assert "\npublished: true\n" in news
    newest = max(news_instant(p.read_text(encoding="utf-8")) for p in (out / "news").iterdir())
    assert news_instant(news) > newest
    markdown = (out / added["extra"] / "markdown" / added["markdown"]).read_text(encoding="utf-8")
    assert f"\nSlug: {added['slug']}\n" in markdown
    assert "Status:" not in markdown
    hugo = (out / added["extra"] / "hugo" / added["hugo"]).read_text(encoding="utf-8")
    assert f"title: {json.dumps(added['title'], ensure_ascii=False)}" in hugo
    assert "draft:" not in hugo


def test_added_item_reads_without_warnings(bench_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = bench_set
    news = tmp_path / "news"
    shutil.copytree(out / "news", news)
    added = manifest["added"]
    shutil.copyfile(out / added["extra"] / "news" / added["news"], news / added["news"])
    build = run_pelican(news, tmp_path / "site")
    assert build.returncode == 0, build.log
    assert problems(build) == []
    assert processed(build) == manifest["published"] + 1
    slug = manifest["added"]["slug"]
    assert [p for p in build.article_pages() if slug.startswith(p.parent.name)]


@pytest.mark.parametrize("system", ["topicfeed", "pelican"])
def test_unpublish_edit_leaves_the_page_out(
    bench_set: tuple[Path, dict], tmp_path: Path, system: str
) -> None:
    """The runner's "one item unpublished" edit, in this system's format, takes its page away."""
    out, manifest = bench_set
    chosen = run.SYSTEMS[system]
    shutil.copytree(out / chosen.input, tmp_path / chosen.input)
    path = tmp_path / chosen.input / manifest["unpublished"][chosen.input]
    before = path.read_text(encoding="utf-8")
    assert "\npublished: true\n" in (out / "news" / manifest["unpublished"]["news"]).read_text(
        encoding="utf-8"
    )
    run.unpublish_item(tmp_path, chosen, manifest, [])
    assert path.read_text(encoding="utf-8") != before
    build = run_pelican(
        tmp_path / chosen.input,
        tmp_path / "site",
        settings_file=chosen.settings,
        extra={"CACHE_PATH": str(tmp_path / "cache")},
    )
    assert build.returncode == 0, build.log
    assert processed(build) == manifest["published"] - 1
    assert len(build.article_pages()) == manifest["published"] - 1
    slug = manifest["unpublished"]["slug"]
    assert not [p for p in build.article_pages() if slug.startswith(p.parent.name)]
