"""Forked readers: the build takes from them exactly what it would have read itself, in its order."""

from __future__ import annotations

import copy
import gc
import pickle
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pelican.settings import DEFAULT_CONFIG
from support.build import ROOT
from support.items import dump_item, item_fields, write_raw

from topicfeed.build import Build
from topicfeed.items import PROBLEMS_KEY, item_of
from topicfeed.news_reader import plugin as plugin_module
from topicfeed.news_reader import prefetch, stat_table
from topicfeed.news_reader.item_store import FOLDER, FORMAT, _load_pack
from topicfeed.news_reader.reader import FileParser, NewsReader, close_store, open_store
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply

CORPUS = ROOT / "tests" / "data" / "corpus" / "powerapps-news"
# Files the reader rejects, each with its own message, and one Markdown article.
ODD_FILES: dict[str, str | bytes] = {
    "malformed-yaml.txt": "---\ntitle: [unclosed\nwebUrl: x\n---\n",
    "no-closing.txt": "---\ntitle: Open\npublishedDateTime: 2024-01-01T00:00:00Z\n",
    "empty.txt": "",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "utf16.txt": "---\ntitle: x\n---\n".encode("utf-16"),
    "latin1.txt": "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
    "not-a-map.txt": "---\n- just\n- a list\n---\n",
    "no-front-matter.txt": "Just some text\n",
    "article.md": "Title: An article\nDate: 2024-01-01\n\nSome Markdown.\n",
    # Several problems, in the reader's order (a wrong type, the body, a duplicated key).
    "several-problems.txt": dump_item(item_fields(7)).replace("---\n", "---\nheat: hot\nheat: warm\n", 1)
    + "Body.\n",
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CORPUS, folder)
    for name, data in ODD_FILES.items():
        write_raw(folder, name, data)
    return folder


def files_of(folder: Path) -> list[str]:
    return sorted(str(path) for path in folder.rglob("*") if path.suffix in (".txt", ".md"))


def settings_for(content: Path, cache: Path, store: bool = True) -> dict:
    values = {
        **copy.deepcopy(DEFAULT_CONFIG),
        "PATH": str(content),
        "CACHE_PATH": str(cache),
        "TIMEZONE": "UTC",
        "NEWS_ITEM_STORE": store,
    }
    apply(values, SETTINGS)
    return values


def read_all(
    content: Path,
    cache: Path,
    processes: int,
    kill: bool = False,
    only: int | None = None,
    store: bool = True,
) -> SimpleNamespace:
    """One build's reading of every file (the first ``only``), with ``processes`` forked readers."""
    settings = settings_for(content, cache, store)
    build = Build.start(SimpleNamespace(settings=settings, output_path=str(cache)))
    try:
        reader = NewsReader(settings)
        files = files_of(content)[:only]
        started = False
        if processes > 1:
            store, _ledger = open_store(settings)
            started = prefetch.start(settings, FileParser(settings), store, files, processes)
            if kill:  # readers that die before sending anything
                for process in prefetch._PREFETCHES[id(build)][1]._processes:
                    process.kill()
                    process.join()
        results = []
        for path in files:
            text, metadata = reader.read(path)
            item = item_of(metadata)
            results.append((path, text, metadata.get("status"), item, item and item.fingerprint))
            results.append(list(metadata.get(PROBLEMS_KEY, [])))
        prefetch.stop(settings)
        saved = close_store(settings)
        ledger = build.ledger
        return SimpleNamespace(
            results=results,
            counts=(ledger.parsed, ledger.reused),
            records=set(ledger.records),
            saved=saved,
            forked=started,
        )
    finally:
        Build.end(SimpleNamespace(settings=settings))


def test_forked_readers_give_the_same_records_problems_and_counts_as_the_build_process(
    content: Path, tmp_path: Path
) -> None:
    serial = read_all(content, tmp_path / "serial", 1)
    forked = read_all(content, tmp_path / "forked", 2)
    assert forked.results == serial.results
    assert max(len(problems) for problems in serial.results[1::2]) >= 2, "problems to compare, in order"
    assert forked.counts == serial.counts and serial.counts[0] > 600
    assert forked.records == serial.records and forked.saved == serial.saved
    assert forked.forked and not serial.forked


def test_without_a_store_forked_readers_count_nothing_as_the_build_process(
    content: Path, tmp_path: Path
) -> None:
    """No file comes "from the item store" when there is none, whoever read it."""
    serial = read_all(content, tmp_path / "serial", 1, store=False)
    forked = read_all(content, tmp_path / "forked", 2, store=False)
    assert forked.forked and forked.results == serial.results
    assert forked.counts == serial.counts == (0, 0)
    assert not list(tmp_path.rglob("*.pack"))


def test_a_rebuild_whose_store_has_most_records_is_read_by_the_build_process(
    content: Path, tmp_path: Path
) -> None:
    first = read_all(content, tmp_path / "cache", 2)
    again = read_all(content, tmp_path / "cache", 2)
    assert first.forked and not again.forked
    assert again.results == first.results and again.counts == (0, first.counts[0])
    assert again.saved == "nothing written"


def test_files_of_readers_that_died_are_read_by_the_build_process(content: Path, tmp_path: Path) -> None:
    serial = read_all(content, tmp_path / "serial", 1)
    orphaned = read_all(content, tmp_path / "forked", 2, kill=True)
    assert orphaned.results == serial.results and orphaned.counts == serial.counts


def test_a_damaged_record_is_parsed_again_and_counted_as_damaged(content: Path, tmp_path: Path) -> None:
    read_all(content, tmp_path / "cache", 1, only=40)  # a store with records for a few files
    (pack,) = (tmp_path / "cache" / FOLDER).glob("*.pack")
    records = {digest: bytes(record) for digest, record in (_load_pack(pack) or {}).items()}
    victim = sorted(records)[0]
    records[victim] = records[victim][:-4]  # a truncated record: not loadable
    index = {digest: len(record) for digest, record in records.items()}
    pack.write_bytes(pickle.dumps((FORMAT, index)) + b"".join(records.values()))
    shutil.copytree(tmp_path / "cache", tmp_path / "serial")
    serial = read_all(content, tmp_path / "serial", 1)
    forked = read_all(content, tmp_path / "cache", 2)
    assert forked.forked
    assert forked.results == serial.results
    assert forked.counts == serial.counts == (serial.counts[0], len(records) - 1)
    assert forked.saved == serial.saved and forked.saved.startswith("compacted"), "damage makes it compact"


def test_the_collector_pauses_from_reading_until_the_articles_are_final(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(content, tmp_path / "cache")
    settings["NEWS_READ_PROCESSES"] = 1
    generator = SimpleNamespace(settings=settings, path=str(content), get_files=lambda *a, **k: set())
    # A stand-in generator: it has none of Pelican's content caches for the adapter to change.
    monkeypatch.setattr(plugin_module.pelican_adapter, "skip_unkept_file_stamps", lambda generator: 0)
    assert gc.isenabled()
    try:
        plugin_module.start_reading(generator)
        assert not gc.isenabled()
        made = [object() for _ in range(10)]
        plugin_module.end_reading(settings)
        assert not gc.isenabled() and gc.get_freeze_count() > 0  # paused until the articles are final
        frozen = gc.get_freeze_count()
        more = [object() for _ in range(10)]  # what the steps on the articles make
        plugin_module.resume_collector(SimpleNamespace(settings=settings), None)
        assert gc.isenabled() and gc.get_freeze_count() >= frozen
        plugin_module.start_reading(generator)  # the next run (autoreload): collectable again
        assert gc.get_freeze_count() == 0
        plugin_module.end_reading(settings)
        plugin_module.start_reading(generator)  # a run that stopped before its articles were final
        assert not gc.isenabled() and gc.get_freeze_count() == 0
        plugin_module.end_reading(settings)
        plugin_module.resume_collector(SimpleNamespace(settings=settings), None)
        assert gc.isenabled()
        del made, more
    finally:
        gc.unfreeze()
        gc.enable()


def test_forked_readers_leave_the_same_file_stats_as_the_build_process(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each forked reader sends the stat it took before reading, and the build records it as for a
    file it read itself: the next build reads none of those files (only the Markdown article,
    which has no record)."""
    real_ns = time.time_ns  # builds start 10 s from now: the copied files are settled for them
    monkeypatch.setattr(
        stat_table, "time", SimpleNamespace(time_ns=lambda: real_ns() + 10**10, time=time.time)
    )
    serial = read_all(content, tmp_path / "serial", 1)
    forked = read_all(content, tmp_path / "forked", 2)
    assert forked.forked

    def entries(cache: Path) -> dict:
        data = (cache / FOLDER / stat_table.NAME).read_bytes()
        return pickle.loads(data[len(stat_table.MAGIC) + 16 :])[2]  # noqa: S301 - written by the test

    assert entries(tmp_path / "forked") == entries(tmp_path / "serial")
    assert len(entries(tmp_path / "serial")) == len(files_of(content)) - 1, "every file but the Markdown one"
    reads: list[str] = []
    real_read = FileParser.read_bytes

    def counting(self: FileParser, source_path: str) -> bytes:
        reads.append(Path(source_path).name)
        return real_read(self, source_path)

    monkeypatch.setattr(FileParser, "read_bytes", counting)
    again = read_all(content, tmp_path / "forked", 1)
    assert reads == ["article.md"]
    assert again.results == serial.results and again.counts == (0, serial.counts[0])
