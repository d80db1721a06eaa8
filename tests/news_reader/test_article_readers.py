"""The readers a rebuild from the site model makes its articles with (``make_articles``, once per
list page it renders): made once for the run's settings, and stamping no file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pelican.readers import Readers
from support.build import ROOT
from support.model_changes import site_settings

from topicfeed.items import Story
from topicfeed.news_reader import derive
from topicfeed.news_reader.reader import FileParser

#: A published seed item.
SEED = ROOT / "tests" / "data" / "seeds" / "004_e6839a851025465e.txt"


def _settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "item.txt")
    return site_settings(content, tmp_path / "cache", **extra)


def _story(settings: dict[str, Any]) -> Story:
    item, _ = FileParser(settings).parse(
        os.path.join(settings["PATH"], "item.txt"), "item.txt", SEED.read_bytes()
    )
    assert item is not None
    slugs = tuple(f"topic-{number}" for number, _ in enumerate(item.topics))
    return Story(item, "2024/01/01/item/", "2024/01/01/item/index.html", 0.0, slugs, tuple(item.topics))


@pytest.fixture(autouse=True)
def _no_readers_kept() -> None:
    derive._READERS.clear()


def test_the_readers_are_made_once_and_stamp_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    readers, reader = derive._article_readers(settings)
    assert derive._article_readers(settings) == (readers, reader)
    assert derive._article_readers(dict(settings))[0] is not readers  # other settings, other readers
    derive._article_readers(settings)  # the run's, made before the pages
    made: list[Readers] = []
    monkeypatch.setattr(derive, "Readers", lambda *a, **k: made.append(Readers(*a, **k)) or made[-1])
    stamps: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(
        os, "stat", lambda path, *a, **k: (stamps.append(str(path)), real_stat(path, *a, **k))[1]
    )
    story = _story(settings)
    first = derive.make_articles(settings, [story])
    second = derive.make_articles(settings, [story])
    assert made == []  # the settings' readers, made above
    assert not [path for path in stamps if path.endswith("item.txt")]
    assert first[0].title == second[0].title == story.item.title
    assert first[0].url == "2024/01/01/item/"
