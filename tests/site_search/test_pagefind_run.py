"""Pagefind runs beside the build: started once the articles are final, waited for in INDEX.

A stand-in executable (a shell script) plays Pagefind, so these check the plumbing: the start
returns while it works, its result and failures are reported, a failed run leaves no half-made
index, and a build that stops between the two steps does not leave it running.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from topicfeed.build import Build
from topicfeed.site_search import plugin
from topicfeed.site_search.indexer import LISTING, IndexWork, ShardedIndexing
from topicfeed.site_search.plugin import INDEXING, finish_index, start_index, start_pagefind

ENTRY = '{"version":"1","languages":{"en":{"hash":"x","wasm":"en","page_count":2}}}'


def fake_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A script standing in for Pagefind (``$2`` is the folder of documents, ``$4`` the bundle's)."""
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(plugin, "pagefind_executable", lambda: script)
    return script


def a_build(tmp_path: Path) -> tuple[SimpleNamespace, Build]:
    """A site with two articles of March 2024: one search bundle, ``pagefind/2024-03``."""
    site = tmp_path / "site"
    settings = {
        "SEARCH_INDEX": True,
        "DIRECT_TEMPLATES": ["index", "search"],
        "SEARCH_BUNDLE_DIR": "pagefind",
        "SEARCH_SHARDS": 16,
        "SEARCH_SHARD_MIN_PAGES": 1000,
        "SEARCH_PARALLEL_RUNS": 2,
        "DEFAULT_DATE_FORMAT": "%Y-%m-%d",
        "DEFAULT_LANG": "en",
    }
    build = Build(settings=settings, output=site, target=site)
    site.mkdir()
    build.private[plugin.__package__] = [
        SimpleNamespace(
            title=f"Story {slug}",
            content=f"<p>About {slug}</p>",
            date=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
            url=f"2024/03/01/{slug}/",
            save_as=f"2024/03/01/{slug}/index.html",
        )
        for slug in ("a", "b")
    ]
    return SimpleNamespace(settings=settings), build


def running_process(work: IndexWork) -> Any:
    """The Pagefind process the indexing thread started (waits up to 10 s for it)."""
    deadline = time.monotonic() + 10
    while not work.running and time.monotonic() < deadline:
        time.sleep(0.01)
    (process,) = work.running
    return process


def assert_killed(process: Any) -> None:
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.returncode is not None and process.returncode < 0  # killed, not finished


def test_the_start_returns_while_pagefind_works_and_the_index_step_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    release = tmp_path / "release"
    fake_pagefind(
        tmp_path,
        monkeypatch,
        f'while [ ! -e "{release}" ]; do sleep 0.02; done\n'
        f"mkdir -p \"$4\" && printf '%s' '{ENTRY}' > \"$4/pagefind-entry.json\" && echo indexed",
    )
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    indexing = build.private[INDEXING]
    process = running_process(indexing.work)
    assert process.poll() is None  # still at work: the pages are written meanwhile
    assert not (build.target / "pagefind" / LISTING).exists()  # listed only once complete
    release.touch()
    with caplog.at_level(logging.INFO, logger=plugin.__name__):
        finish_index(pelican, build)
    assert process.returncode == 0
    assert (build.target / "pagefind" / "2024-03" / "pagefind-entry.json").is_file()
    listing = json.loads((build.target / "pagefind" / LISTING).read_text(encoding="utf-8"))
    assert [(s["name"], s["path"], s["pages"]) for s in listing["shards"]] == [("2024-03", "2024-03/", 2)]
    assert "Search index: 1 of 1 bundles indexed (2 pages), 0 kept" in caplog.text
    assert INDEXING not in build.private


def test_a_failed_run_is_an_error_naming_its_last_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake_pagefind(tmp_path, monkeypatch, "echo starting; echo 'Error: no pages found' >&2; exit 3")
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["search: Pagefind failed on pagefind/2024-03 (exit 3): Error: no pages found"]
    assert not (build.target / "pagefind").exists()  # no half-made index: search says unavailable


def test_a_missing_pagefind_is_an_error_and_the_build_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing() -> Path:
        raise FileNotFoundError("the pagefind_bin package is not installed")

    monkeypatch.setattr(plugin, "pagefind_executable", missing)
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot run Pagefind" in errors[0]


def test_a_run_nobody_waits_for_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build failed between LAUNCHED and INDEX: dropping the run kills Pagefind."""
    fake_pagefind(tmp_path, monkeypatch, "sleep 60")
    indexing = start_pagefind(tmp_path, tmp_path / "bundle")
    process = indexing.process
    assert process.poll() is None
    del indexing
    gc.collect()
    assert_killed(process)


def test_bundles_nobody_waits_for_are_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for the bundles' thread: dropping its handle kills the Pagefind run under way."""
    fake_pagefind(tmp_path, monkeypatch, "sleep 60")
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    indexing: ShardedIndexing = build.private.pop(INDEXING)
    work: IndexWork = indexing.work
    process = running_process(work)
    del indexing
    gc.collect()
    assert_killed(process)


def test_pagefind_starts_with_topicfeeds_allocator_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, value = plugin.PAGEFIND_MALLOC_CONF
    monkeypatch.delenv(name, raising=False)
    seen = tmp_path / "seen"
    fake_pagefind(
        tmp_path,
        monkeypatch,
        f'printf "%s" "${name}" > "{seen}"\n'
        f"mkdir -p \"$4\" && printf '%s' '{ENTRY}' > \"$4/pagefind-entry.json\"",
    )
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)
    assert seen.read_text(encoding="utf-8") == value


def test_the_build_hands_its_free_heap_back_before_pagefind_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(plugin, "release_free_memory", lambda: calls.append("release") or True)

    def start(*args: object) -> None:
        calls.append("start")
        raise FileNotFoundError("stopped here")

    monkeypatch.setattr(plugin, "start_pagefind", start)
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)  # the first run starts in the indexing thread
    assert calls == ["release", "start"]


def test_pagefind_reads_each_story_document_from_a_folder_removed_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind gets the bundle's documents at their pages' paths (so results link to the pages),
    in a folder of their own that is gone once the run ends."""
    seen = tmp_path / "seen"
    fake_pagefind(
        tmp_path,
        monkeypatch,
        f'printf "%s" "$2" > "{seen}.folder" && cat "$2/2024/03/01/a/index.html" > "{seen}"\n'
        f'find "$2" -type f | wc -l > "{seen}.count"\n'
        f"mkdir -p \"$4\" && printf '%s' '{ENTRY}' > \"$4/pagefind-entry.json\"",
    )
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)
    document = seen.read_text(encoding="utf-8")
    assert "<h1>Story a</h1>" in document and "<main data-pagefind-body>" in document
    assert int((tmp_path / "seen.count").read_text()) == 2
    assert not Path((tmp_path / "seen.folder").read_text(encoding="utf-8")).exists()
    assert not list(build.target.rglob("*.html")), "no document lands in the site"
