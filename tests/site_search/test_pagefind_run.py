"""Pagefind runs beside the build: started once the pages are written, waited for in INDEX.

A stand-in executable (a shell script) plays Pagefind, so these check the plumbing: the start
returns while it works, its result and failures are reported, and a build that stops between
the two steps does not leave it running.
"""

from __future__ import annotations

import gc
import logging
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from topicfeed.build import Build
from topicfeed.site_search import plugin
from topicfeed.site_search.plugin import INDEXING, finish_index, start_index, start_pagefind

ENTRY = '{"version":"1","languages":{"en":{"hash":"x","wasm":"en","page_count":2}}}'


def fake_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A script standing in for Pagefind (``$4`` is the ``--output-subdir`` value)."""
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(plugin, "pagefind_executable", lambda: script)
    return script


def a_build(tmp_path: Path) -> tuple[SimpleNamespace, Build]:
    site = tmp_path / "site"
    site.mkdir()
    settings = {
        "SEARCH_INDEX": True,
        "DIRECT_TEMPLATES": ["index", "search"],
        "SEARCH_BUNDLE_DIR": "pagefind",
    }
    return SimpleNamespace(settings=settings), Build(settings=settings, output=site, target=site)


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
    assert indexing.process.poll() is None  # still at work: the FILES steps run meanwhile
    release.touch()
    with caplog.at_level(logging.INFO, logger=plugin.__name__):
        finish_index(pelican, build)
    assert indexing.process.returncode == 0
    assert (build.target / "pagefind" / "pagefind-entry.json").is_file()
    assert "Search index: 2 pages" in caplog.text
    assert INDEXING not in build.private


def test_a_failed_run_is_an_error_naming_its_last_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake_pagefind(tmp_path, monkeypatch, "echo starting; echo 'Error: no pages found' >&2; exit 3")
    pelican, build = a_build(tmp_path)
    start_index(pelican, build)
    finish_index(pelican, build)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["search: Pagefind failed (exit 3): Error: no pages found"]


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
    """The build failed between FILES and INDEX: dropping the run kills Pagefind."""
    fake_pagefind(tmp_path, monkeypatch, "sleep 60")
    indexing = start_pagefind(tmp_path, "pagefind")
    process = indexing.process
    assert process.poll() is None
    del indexing
    gc.collect()
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.returncode is not None and process.returncode < 0  # killed, not finished


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
    assert calls == ["release", "start"]
