"""What a run keeps past its end (topicfeed.teardown): held until the next run, never taken
apart at exit, and what the builds hand it."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from pelican.generators import ArticlesGenerator
from support.build import ROOT, SEEDS, build_in_process

from topicfeed import teardown
from topicfeed.site_model.rebuild import Plan


class _Held:
    """Anything a run makes (a weak reference says when it is freed)."""


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    teardown.release()
    yield
    teardown.release()


def test_kept_values_outlive_the_run_until_the_next_one_keeps_its_own() -> None:
    first, second = _Held(), _Held()
    first_ref, second_ref = weakref.ref(first), weakref.ref(second)
    teardown.keep_past_run(first)
    del first
    gc.collect()
    assert first_ref() is not None
    teardown.keep_past_run(second)  # the next run's: the first run's is freed now
    del second
    gc.collect()
    assert first_ref() is None and second_ref() is not None
    teardown.release()  # a run that keeps nothing (a full build starting, in autoreload)
    gc.collect()
    assert second_ref() is None


_AT_EXIT = """
import os, sys
from topicfeed import teardown

class Noisy:
    def __init__(self, name): self.name = name
    def __del__(self): os.write(1, f"freed {self.name}\\n".encode())

teardown.keep_past_run([Noisy(f"kept {i}") for i in range(3)])
if sys.argv[1] == "run over":
    teardown.run_over()
"""


def _freed_at_exit(how: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _AT_EXIT, how],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
    )
    return sorted(line for line in done.stdout.splitlines() if line.startswith("freed"))


def test_what_a_run_kept_is_not_taken_apart_when_the_process_exits() -> None:
    assert _freed_at_exit("run over") == []
    # Kept but never frozen (a run that did not end): the last collection at exit frees it.
    assert _freed_at_exit("still running") == ["freed kept 0", "freed kept 1", "freed kept 2"]


def test_a_full_build_keeps_its_generators(tmp_path: Path) -> None:
    build_in_process(SEEDS, tmp_path / "output")
    kept = teardown._KEPT
    assert kept and kept[0] is kept  # the cycle that keeps it past the module's clearing
    assert any(isinstance(generator, ArticlesGenerator) for generator in kept[1])


def test_a_rebuild_from_the_site_model_keeps_its_plan(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SEEDS, content)
    build_in_process(content, tmp_path / "output", REBUILD_FROM_MODEL=True, SKIP_UNCHANGED_BUILD=True)
    item = sorted(content.iterdir())[0]
    item.write_text(
        item.read_text(encoding="utf-8").replace("title:", "title: Edited -", 1), encoding="utf-8"
    )
    build_in_process(content, tmp_path / "output", REBUILD_FROM_MODEL=True, SKIP_UNCHANGED_BUILD=True)
    kept = teardown._KEPT
    assert kept and kept[0] is kept
    assert [type(value) for value in kept[1:]] == [Plan]
