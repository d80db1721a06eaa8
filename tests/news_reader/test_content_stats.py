"""The news reader takes each content file's stat from the run's first look at the folder (the
unchanged-build check's), not from a second ``stat`` of every file, and dates its stat table by
when that look started (the racy rule holds for stats taken then)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings
from support.build import CORPUS, ROOT, build_in_process
from support.build import Build as SiteBuild
from support.reading import start_builds_later

from topicfeed import build_inputs, content_stats
from topicfeed.news_reader import item_store, stat_table


def corpus_copy(tmp_path: Path, count: int = 12) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for path in sorted(CORPUS.iterdir())[:count]:
        shutil.copy2(path, content / path.name)
    return content


def test_a_build_stats_each_content_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = corpus_copy(tmp_path)
    taken: list[str] = []
    real = item_store.file_stat

    def counting(source_path: str) -> bytes | None:
        taken.append(os.path.basename(source_path))
        return real(source_path)

    monkeypatch.setattr(item_store, "file_stat", counting)
    build_in_process(content, tmp_path / "output", NEWS_READ_PROCESSES=1)
    assert (tmp_path / "output" / "index.html").is_file()
    assert taken == [], "the reader stat'ed files the run's first look had stat'ed already"
    table = tmp_path / "cache" / item_store.FOLDER / stat_table.NAME
    assert len(table.read_bytes()) > 12 * 52  # every file's entry (32 bytes of stat, 20 of digest)


def test_the_store_gives_the_looks_stat_and_the_table_dates_entries_by_the_look(tmp_path: Path) -> None:
    content = corpus_copy(tmp_path, 2)
    first = sorted(content.iterdir())[0]
    seen: dict[str, content_stats.Stat] = {}
    build_inputs.tree_records(content, prefix="content/", seen=seen)
    assert sorted(seen) == sorted(p.name for p in content.iterdir())
    look = content_stats.Look(os.path.realpath(content), 1_000, seen)
    os.utime(first, ns=(5_000_000_000, 5_000_000_000))  # changed since the look
    store = item_store.ItemStore(tmp_path / "store", b"key", look)
    assert store.file_stat(first.name, str(first)) == stat_table.packed(seen[first.name])
    assert store.file_stat(first.name, str(first)) != stat_table.file_stat(str(first))
    elsewhere = tmp_path / "other.txt"
    elsewhere.write_text("x", encoding="utf-8")
    assert store.file_stat("other.txt", str(elsewhere)) == stat_table.file_stat(str(elsewhere))
    plain = item_store.ItemStore(tmp_path / "store", b"key")
    assert plain.file_stat(first.name, str(first)) == stat_table.file_stat(str(first))

    store.stats.note(first.name, stat_table.packed(seen[first.name]), "00" * 20)
    store.stats.save()
    saved = stat_table._parse((tmp_path / "store" / stat_table.NAME).read_bytes(), store.stats._key)
    assert saved is not None and saved[0] == 1_000


def test_a_look_serves_only_its_run_and_its_folder(tmp_path: Path) -> None:
    settings = {"PATH": str(tmp_path)}
    other = {"PATH": str(tmp_path)}
    look = content_stats.Look(os.path.realpath(tmp_path), 1, {})
    content_stats.keep(settings, look)
    try:
        assert content_stats.look(settings) is look
        assert content_stats.look(other) is None
        settings["PATH"] = str(tmp_path / "elsewhere")
        assert content_stats.look(settings) is None
    finally:
        content_stats.forget(settings)
    settings["PATH"] = str(tmp_path)
    assert content_stats.look(settings) is None


def test_a_second_run_of_one_pelican_instance_does_not_use_the_first_runs_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Autoreload (``pelican -r``) runs one instance again after each change, without a new
    check: the stats the first run's check took are stale by then, and an edit whose stat the
    look still had as recorded would be read from the store as it was."""
    content = corpus_copy(tmp_path, 3)
    start_builds_later(monkeypatch)  # the files are settled: their recorded stats are trusted
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(tmp_path / "output"),
            "CACHE_PATH": str(tmp_path / "cache"),
            "REBUILD_FROM_MODEL": False,
            "NEWS_READ_PROCESSES": 1,
        },
    )
    pelican = Pelican(settings)
    pelican.run()
    edited = next(p for p in sorted(content.iterdir()) if "published: false" not in p.read_text("utf-8"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\ntitle: ", "\ntitle: Edited since ", 1), encoding="utf-8")
    pelican.run()
    pages = SiteBuild(content, tmp_path / "output", 0, "").article_pages()
    texts = [BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text() for page in pages]
    assert pages and any("Edited since" in text for text in texts)
