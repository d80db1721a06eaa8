"""One seed item read by the news reader, build after build, as the item store tests need it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from support.build import ROOT
from topicfeed.build import Build
from topicfeed.news_reader import stat_table
from topicfeed.news_reader.item_store import FOLDER
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply
from topicfeed.unchanged_build import plugin as unchanged_build_plugin

SEED = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))[0]


def reader_settings(content: Path, cache: Path, **settings: object) -> dict:
    """The news reader's settings for ``content`` with its store under ``cache``."""
    values = {"PATH": str(content), "CACHE_PATH": str(cache), "TIMEZONE": "UTC", **settings}
    apply(values, SETTINGS)
    return values


def seed_site(tmp_path: Path, reading: Callable[[dict], Any]) -> Iterator[SimpleNamespace]:
    """A content folder holding one seed item (``file``), the store's folder (``store``), and
    ``reading(**settings)``: ``reading`` of a new build's settings. Each build ends afterwards."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "item.txt")
    builds: list[dict] = []

    def start(**settings: object) -> Any:
        values = reader_settings(content, tmp_path / "cache", **settings)
        builds.append(values)
        return reading(values)

    yield SimpleNamespace(file=content / "item.txt", store=tmp_path / "cache" / FOLDER, reading=start)
    for values in builds:
        Build.end(SimpleNamespace(settings=values))


def start_builds_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds from now on start 10 s from now: what the test wrote is settled (older than 2 s)."""
    real = time.time_ns
    clock = SimpleNamespace(time_ns=lambda: real() + 10_000_000_000, time=time.time)
    monkeypatch.setattr(stat_table, "time", clock)
    # the run's first look at the content folder (whose stats the table uses) starts then too
    monkeypatch.setattr(unchanged_build_plugin, "time", clock)
