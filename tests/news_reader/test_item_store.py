"""The news item store: unchanged files are not parsed again, anything else is, and damage is harmless."""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.build import ROOT

from topicfeed.build import Build
from topicfeed.items import PROBLEMS_KEY, item_of
from topicfeed.news_reader import reader as reader_module
from topicfeed.news_reader.item_store import FOLDER, ItemStore, dumps, loads
from topicfeed.news_reader.reader import NewsReader, store_key
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply

SEED = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))[0]


def configured(content: Path, cache: Path, **settings: object) -> dict:
    values = {"PATH": str(content), "CACHE_PATH": str(cache), "TIMEZONE": "UTC", **settings}
    apply(values, SETTINGS)
    return values


class Reading:
    """One build's reading: a running Build for the settings, so the reader finds its store."""

    def __init__(self, settings: dict) -> None:
        self.build = Build.start(SimpleNamespace(settings=settings, output_path=settings["CACHE_PATH"]))
        self.reader = NewsReader(settings)

    def read(self, path: Path) -> tuple[str, dict]:
        return self.reader.read(str(path))

    @property
    def counts(self) -> tuple[int, int]:
        return self.build.ledger.parsed, self.build.ledger.reused


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SimpleNamespace]:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "item.txt")
    builds: list[dict] = []

    def reading(**settings: object) -> Reading:
        values = configured(content, tmp_path / "cache", **settings)
        builds.append(values)
        return Reading(values)

    yield SimpleNamespace(file=content / "item.txt", store=tmp_path / "cache" / FOLDER, reading=reading)
    for values in builds:
        Build.end(SimpleNamespace(settings=values))


def records(store: Path) -> list[Path]:
    return sorted(path for path in store.rglob("*") if path.is_file())


def test_an_unchanged_file_comes_from_the_store_not_the_parser(site, monkeypatch) -> None:
    first = site.reading()
    _, fresh = first.read(site.file)
    assert first.counts == (1, 0)
    assert len(records(site.store)) == 1

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed although the file did not change")

    monkeypatch.setattr(reader_module, "load_front_matter", no_parsing)
    monkeypatch.setattr(reader_module, "build_item", no_parsing)
    second = site.reading()
    _, stored = second.read(site.file)
    assert second.counts == (0, 1)
    assert item_of(stored) == item_of(fresh) and item_of(stored).fingerprint == item_of(fresh).fingerprint
    assert stored[PROBLEMS_KEY] == fresh[PROBLEMS_KEY]
    assert stored["date"] == fresh["date"] and [t.slug for t in stored["tags"]] == [
        t.slug for t in fresh["tags"]
    ]


def test_a_changed_file_is_read_again(site) -> None:
    site.reading().read(site.file)
    text = site.file.read_text(encoding="utf-8")
    assert "\ntitle:" in text
    site.file.write_text(text.replace("\ntitle:", "\ntitle: Edited", 1), encoding="utf-8")
    again = site.reading()
    _, metadata = again.read(site.file)
    assert again.counts == (1, 0)
    assert item_of(metadata).title.startswith("Edited")


def test_a_rejected_file_is_stored_with_its_problems(site) -> None:
    site.file.write_text("---\ntitle: no date, no URL\n---\n", encoding="utf-8")
    _, fresh = site.reading().read(site.file)
    again = site.reading()
    _, stored = again.read(site.file)
    assert again.counts == (0, 1)
    assert stored["status"] == "skip" and stored[PROBLEMS_KEY] == fresh[PROBLEMS_KEY]
    assert any(problem.fatal for problem in stored[PROBLEMS_KEY])


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", b"\x80\x05\x95", "truncate", dumps((None, ["not a problem"])), "other format"],
    ids=["empty", "garbage", "pickle-start", "truncated", "wrong-content", "older-format"],
)
def test_a_damaged_record_is_ignored_and_rewritten(site, damage: object) -> None:
    _, fresh = site.reading().read(site.file)
    (record,) = records(site.store)
    whole = record.read_bytes()
    if damage == "truncate":
        record.write_bytes(whole[: len(whole) // 2])
    elif damage == "other format":
        record.write_bytes(whole.replace(b"topicfeed-news-items-1", b"topicfeed-news-items-0"))
    else:
        record.write_bytes(damage)
    again = site.reading()
    _, metadata = again.read(site.file)
    assert again.counts == (1, 0)
    assert item_of(metadata) == item_of(fresh)
    assert record.read_bytes() == whole, "the damaged record is rewritten"


@pytest.mark.parametrize(
    "change",
    [
        {"TIMEZONE": "Europe/Berlin"},
        {"NEWS_EMBED_HOSTS": ["example.org"]},
        {"NEWS_ASSET_BASE_URL": "https://assets.example.org"},
        {"NEWS_MAX_FILE_BYTES": 100_000},
        {"NEWS_FILE_EXTENSIONS": ["txt"]},
    ],
)
def test_other_reader_settings_do_not_use_the_records(site, change: dict) -> None:
    site.reading().read(site.file)
    again = site.reading(**change)
    again.read(site.file)
    assert again.counts == (1, 0)


def test_the_store_can_be_turned_off(site) -> None:
    off = site.reading(NEWS_ITEM_STORE=False)
    off.read(site.file)
    assert not site.store.exists()
    assert off.counts == (0, 0)


def test_the_same_bytes_under_another_path_are_another_record(site) -> None:
    site.reading().read(site.file)
    twin = site.file.with_name("twin.txt")
    shutil.copy(site.file, twin)
    again = site.reading()
    _, metadata = again.read(twin)
    assert again.counts == (1, 0)
    assert item_of(metadata).source_path == "twin.txt"


def test_prune_keeps_the_records_in_use(tmp_path: Path) -> None:
    store = ItemStore(tmp_path, b"key")
    names = [store.digest(f"{n}.txt", b"x") for n in range(3)]
    for name in names:
        store.put(name, (None, []))
    assert store.prune(names[:1]) == 2
    assert [path.name for path in records(tmp_path)] == names[:1]


def _hammer(folder: str, worker: int, rounds: int) -> int:
    """Write and read the same records as the other workers; count the whole records seen."""
    store = ItemStore(Path(folder), b"key")
    problem = reader_module.Problem(f"{worker}.txt", "title", "x" * 5000)
    seen = 0
    for round_ in range(rounds):
        name = store.digest("shared.txt", str(round_ % 5).encode())
        store.put(name, (None, [problem] * (1 + worker)))
        record = store.get(name)
        assert record is not None, "a record being replaced is never seen half-written"
        seen += 1
    return seen


def test_builds_writing_at_once_never_leave_a_broken_record(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        seen = pool.starmap(_hammer, [(str(tmp_path), worker, 300) for worker in range(4)])
    assert seen == [300] * 4
    files = records(tmp_path)
    assert len(files) == 5, "no temporary files left behind"
    assert all(loads(path.read_bytes()) is not None for path in files)


def test_store_key_follows_every_reader_setting(tmp_path: Path) -> None:
    base = configured(tmp_path, tmp_path)
    assert store_key(base) == store_key(configured(tmp_path, tmp_path))
    assert store_key(base) != store_key(configured(tmp_path, tmp_path, TIMEZONE="Asia/Tokyo"))
