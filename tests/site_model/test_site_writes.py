"""The files a rebuild from the model writes from the site alone (the search bundles) are written
beside the page rendering: in a process forked for them, or on a thread when the memory budget
has no room for another process; what they wrote, or how they failed, reaches the rebuild."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from topicfeed import forked
from topicfeed.items import PlainSite
from topicfeed.site_model import render


def _site(budget_mb: int) -> PlainSite:
    return PlainSite({"MEMORY_BUDGET_MB": budget_mb}, (), {}, ())


def _writer(fail: bool = False) -> Any:
    def write(site: PlainSite, paths: Collection[str], folder: Path) -> set[str]:
        if fail:
            raise OSError("disk full")
        made = {path for path in paths if path.startswith("pagefind/")}
        for path in made:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(str(os.getpid()), encoding="utf-8")
        return made

    return write


def _writers(monkeypatch: pytest.MonkeyPatch, *writers: Any) -> None:
    monkeypatch.setattr(render, "site_writers", lambda settings: [("search", w) for w in writers])


def test_the_writers_run_in_a_forked_process_and_say_what_they_wrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _writers(monkeypatch, _writer())
    writes = render.SiteWrites(_site(0), ["pagefind/a/", "pagefind/shards.json", "index.html"], tmp_path)
    assert writes.finish() == {"pagefind/a/", "pagefind/shards.json"}
    assert (tmp_path / "pagefind/shards.json").read_text(encoding="utf-8") != str(os.getpid())
    assert writes.finish() == {"pagefind/a/", "pagefind/shards.json"}  # asked again: the same


def test_without_room_for_a_process_they_run_on_a_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _writers(monkeypatch, _writer())
    monkeypatch.setattr(render, "extra_processes", lambda settings, wanted, each_mb, **kw: 0)
    writes = render.SiteWrites(_site(1), ["pagefind/shards.json"], tmp_path)
    assert writes.finish() == {"pagefind/shards.json"}
    assert (tmp_path / "pagefind/shards.json").read_text(encoding="utf-8") == str(os.getpid())


def test_a_failed_writer_fails_the_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _writers(monkeypatch, _writer(fail=True))
    writes = render.SiteWrites(_site(0), ["pagefind/shards.json"], tmp_path)
    with pytest.raises(forked.ForkedStepFailed, match="disk full"):
        writes.finish()
    monkeypatch.setattr(render, "extra_processes", lambda settings, wanted, each_mb, **kw: 0)
    on_thread = render.SiteWrites(_site(1), ["pagefind/shards.json"], tmp_path)
    with pytest.raises(OSError, match="disk full"):
        on_thread.finish()
