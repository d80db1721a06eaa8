"""A rebuild from the model writes with the collector freeing young cycles only: its objects
live to the end of the run, and full collections over them (every article a page renderer made
so far) cost seconds at 100,000 items and found almost nothing."""

from __future__ import annotations

import gc
import os
import shutil
import weakref
from collections import Counter
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings
from support.build import CORPUS, ROOT
from support.reading import start_builds_later

from topicfeed.gc_pause import NEVER, young_collections_only
from topicfeed.site_model import render


class _Node:
    """An object in a reference cycle, so only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _collections_while(make: int) -> Counter[int]:
    """The collections (by generation) that making ``make`` small containers (kept) sets off."""
    seen: Counter[int] = Counter()

    def listen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            seen[info["generation"]] += 1

    gc.callbacks.append(listen)
    try:
        kept = [[i] for i in range(make)]
    finally:
        gc.callbacks.remove(listen)
    del kept
    return seen


def test_young_cycles_are_freed_but_the_whole_heap_is_never_collected_inside() -> None:
    before = gc.get_threshold()
    # Python collects the whole heap only once the objects new to it are a quarter of it: more
    # than that many, whatever this process holds already.
    make = 300_000 + len(gc.get_objects(generation=2))
    assert _collections_while(make)[2] > 0  # the control: outside, the heap is collected
    with young_collections_only():
        assert gc.get_threshold() == (before[0], before[1], NEVER)
        garbage = [weakref.ref(_Node()) for _ in range(100)]
        seen = _collections_while(make)
        assert seen[2] == 0 and seen[0] > 0
        assert not any(ref() for ref in garbage), "young cycles were not freed"
        child = os.fork()
        if child == 0:  # a forked page renderer keeps the setting
            os._exit(0 if gc.get_threshold()[2] == NEVER else 1)
        assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
    assert gc.get_threshold() == before


def test_a_rebuild_from_the_model_writes_with_young_collections_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for path in sorted(CORPUS.iterdir())[:12]:
        shutil.copy2(path, content / path.name)
    start_builds_later(monkeypatch)
    settings = {
        "PATH": str(content),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "NEWS_READ_PROCESSES": 1,
    }
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=settings)).run()
    edited = next(p for p in sorted(content.iterdir()) if "published: false" not in p.read_text("utf-8"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\ntitle: ", "\ntitle: Edited since ", 1), encoding="utf-8")
    thresholds: list[tuple[int, ...]] = []
    write_files = render.PageRenderer.write_files

    def writing(self: render.PageRenderer, paths: object) -> set[str]:
        thresholds.append(gc.get_threshold())
        return write_files(self, paths)  # type: ignore[arg-type]

    monkeypatch.setattr(render.PageRenderer, "write_files", writing)
    before = gc.get_threshold()
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=settings)).run()
    assert thresholds, "the second build was not a rebuild from the model"
    assert thresholds == [(before[0], before[1], NEVER)]
    assert gc.get_threshold() == before
    pages = (tmp_path / "output").rglob("*.html")
    assert any("Edited since" in page.read_text(encoding="utf-8") for page in pages)
