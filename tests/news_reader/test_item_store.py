"""The news item store: unchanged files are not parsed again, anything else is, and damage is harmless."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.reading import reader_settings, seed_site

from topicfeed.build import Build
from topicfeed.embed import Embed
from topicfeed.items import PROBLEMS_KEY, item_of
from topicfeed.model import Image, NewsItem, Problem, Provider
from topicfeed.news_reader import reader as reader_module
from topicfeed.news_reader.item_store import (
    FORMAT,
    MAX_PACKS,
    ItemStore,
    _load_pack,
    pickled,
    unpickled,
)
from topicfeed.news_reader.reader import NewsReader, close_store, store_key


def pack_bytes(records: dict[str, bytes]) -> bytes:
    """A pack as the store writes it: the index of names and sizes, then the records."""
    index = {digest: len(record) for digest, record in records.items()}
    return pickle.dumps((FORMAT, index)) + b"".join(records.values())


class Reading:
    """One build's reading: a running Build for the settings, so the reader finds its store."""

    def __init__(self, settings: dict) -> None:
        self.build = Build.start(SimpleNamespace(settings=settings, output_path=settings["CACHE_PATH"]))
        self.reader = NewsReader(settings)

    def read(self, path: Path) -> tuple[str, dict]:
        """Read one file as a whole build would: the store is saved once reading is done."""
        result = self.reader.read(str(path))
        self.saved = close_store(self.reader.settings)
        return result

    @property
    def counts(self) -> tuple[int, int]:
        return self.build.ledger.parsed, self.build.ledger.reused


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SimpleNamespace]:
    yield from seed_site(tmp_path, Reading)


def packs(store: Path) -> list[Path]:
    return sorted(store.glob("*.pack"))


def test_an_unchanged_file_comes_from_the_store_not_the_parser(site, monkeypatch) -> None:
    first = site.reading()
    _, fresh = first.read(site.file)
    assert first.counts == (1, 0)
    assert len(packs(site.store)) == 1

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
    [b"", b"garbage", b"\x80\x05\x95", "truncate", "cut end", "appended", "record", "other format"],
    ids=[
        "empty",
        "garbage",
        "pickle-start",
        "truncated",
        "end-cut",
        "bytes-appended",
        "damaged-record",
        "older-format",
    ],
)
def test_a_damaged_store_is_ignored_and_replaced(site, damage: object) -> None:
    _, fresh = site.reading().read(site.file)
    (pack,) = packs(site.store)
    whole = pack.read_bytes()
    if damage == "truncate":
        pack.write_bytes(whole[: len(whole) // 2])
    elif damage == "cut end":  # the index is whole, the records are not
        pack.write_bytes(whole[:-1])
    elif damage == "appended":  # the records do not end where the index says
        pack.write_bytes(whole + b"\0")
    elif damage == "record":  # the pack is whole, the record in it is not
        pack.write_bytes(pack_bytes({digest: b"garbage" for digest in _load_pack(pack) or {}}))
    elif damage == "other format":
        pack.write_bytes(whole.replace(FORMAT, FORMAT[:-1] + b"0"))
    else:
        pack.write_bytes(damage)
    again = site.reading()
    _, metadata = again.read(site.file)
    assert again.counts == (1, 0)
    assert item_of(metadata) == item_of(fresh)
    assert [path.read_bytes() for path in packs(site.store)] == [whole], "the damaged pack is replaced"
    third = site.reading()
    third.read(site.file)
    assert third.counts == (0, 1)


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


def _record(name: str) -> tuple[None, list]:
    return None, [reader_module.Problem(name, "title", "x" * 2000)]


def test_only_new_records_are_written_and_stale_ones_are_compacted_away(tmp_path: Path) -> None:
    live = {f"{n:04}": _record(str(n)) for n in range(40)}
    store = ItemStore(tmp_path, b"key")
    for digest, record in live.items():
        store.put(digest, record)
    assert store.save(set(live)) == "40 records added"
    store = ItemStore(tmp_path, b"key")
    assert all(store.get(digest) == record for digest, record in live.items())
    assert store.save(set(live)) == "nothing written"

    for round_ in range(MAX_PACKS - 1):  # one edited file per build: one small pack each
        store = ItemStore(tmp_path, b"key")
        old, new = f"{round_:04}", f"edit{round_}"
        live.pop(old)
        live[new] = _record(new)
        store.put(new, live[new])
        assert store.save(set(live)) == "1 records added"
    assert len(list(tmp_path.glob("*.pack"))) == MAX_PACKS

    store = ItemStore(tmp_path, b"key")
    assert all(store.get(digest) == record for digest, record in live.items())
    assert store.save(set(live)) == "compacted to 40 records"
    (pack,) = tmp_path.glob("*.pack")
    assert sorted(_load_pack(pack) or {}) == sorted(live)


def _build(folder: str, worker: int, rounds: int) -> int:
    """Builds one after another, each adding records and reading everyone's; count whole records."""
    seen = 0
    for round_ in range(rounds):
        store = ItemStore(Path(folder), b"key")
        mine = {f"{worker}-{round_}-{n}": _record(f"{worker}") for n in range(20)}
        for digest, record in mine.items():
            assert store.get(digest) is None
            store.put(digest, record)
        others = {f"{other}-{r}-{n}" for other in range(4) for r in range(round_) for n in range(20)}
        seen += sum(store.get(digest) is not None for digest in others)
        store.save(set(mine) | others)
    return seen


def test_builds_writing_at_once_never_leave_a_broken_store(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        pool.starmap(_build, [(str(tmp_path), worker, 12) for worker in range(4)])
    assert not list(tmp_path.glob(".pack.*")), "no temporary files left behind"
    store = ItemStore(tmp_path, b"key")
    whole = [digest for digest in store._load() if store.get(digest) is not None]
    assert store._damaged == 0
    assert len(whole) == len(store._load()) > 0


def test_store_key_follows_every_reader_setting(tmp_path: Path) -> None:
    base = reader_settings(tmp_path, tmp_path)
    assert store_key(base) == store_key(reader_settings(tmp_path, tmp_path))
    assert store_key(base) != store_key(reader_settings(tmp_path, tmp_path, TIMEZONE="Asia/Tokyo"))


def test_a_saved_store_lets_go_of_its_records(tmp_path: Path) -> None:
    """The readers hold the store until the build ends; once saved it keeps no record in memory
    (the renderers forked later would inherit them), and a late read parses instead."""
    store = ItemStore(tmp_path, b"key")
    store.put("a", _record("a"))
    store.save({"a"})
    store = ItemStore(tmp_path, b"key")
    assert store.get("a") == _record("a")
    store.put("b", _record("b"))
    store.save({"a", "b"})
    store.release()
    assert store._new == {} and store._records == {}
    assert store.get("a") is None
    assert ItemStore(tmp_path, b"key").get("b") == _record("b")  # what was saved stays on disk


def test_closing_the_store_releases_it(site, monkeypatch: pytest.MonkeyPatch) -> None:
    """close_store (at the end of reading) saves and then releases the build's store."""
    released: list[ItemStore] = []
    real = ItemStore.release

    def spy(self: ItemStore) -> None:
        released.append(self)
        real(self)

    monkeypatch.setattr(ItemStore, "release", spy)
    reading = site.reading()
    reading.read(site.file)
    assert reading.saved == "1 records added"
    assert len(released) == 1 and released[0]._records == {} and released[0]._new == {}


def test_a_pack_is_named_after_its_bytes_and_holds_exactly_its_records(tmp_path: Path) -> None:
    """The pack is streamed record by record: its bytes are the index then the records, and its
    name is their digest, as when it was joined in memory first."""
    import hashlib

    records = {f"{n:04}": pickle.dumps(_record(str(n))) for n in range(30)}
    store = ItemStore(tmp_path, b"key")
    for digest, data in records.items():
        store.put_stored(digest, data)
    store.save(set(records))
    (pack,) = packs(tmp_path)
    data = pack.read_bytes()
    ordered = dict(sorted(records.items()))
    head = pickle.dumps(
        (FORMAT, {name: len(r) for name, r in ordered.items()}), protocol=pickle.HIGHEST_PROTOCOL
    )
    assert data == head + b"".join(ordered.values())
    assert pack.name == f"{hashlib.blake2b(data, digest_size=12).hexdigest()}.pack"
    assert {name: bytes(record) for name, record in (_load_pack(pack) or {}).items()} == records


def test_the_readers_shared_objects_are_dropped_once_reading_ends(site) -> None:
    """Equal texts of different files share one object while reading; the table that finds them
    is emptied at the end of reading (the items keep their objects)."""
    reading = site.reading(NEWS_ITEM_STORE=False)
    second = NewsReader(reading.reader.settings)
    _, metadata = reading.reader.read(str(site.file))
    assert reading.reader.model_settings.shared, "reading fills the table"
    reader_module.end_sharing(reading.reader.settings)
    assert reading.reader.model_settings.shared == {}
    assert second.model_settings.shared == {}
    assert item_of(metadata).title, "the item keeps its texts"
    reader_module.end_sharing(reading.reader.settings)  # a second end is harmless


def copy(text: str) -> str:
    """An equal text that is another object, as each parse or load makes its own."""
    copied = "".join(list(text))
    assert copied is not text or len(text) < 2
    return copied


def story(title: str, url: str, **fields: object) -> NewsItem:
    """An item whose every text and provider is an object of its own."""
    logo = Image(copy("https://theverge.com/logo.png"), 50, 50)
    provider = Provider(copy("The Verge"), copy("theverge.com"), logo)
    when = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    return NewsItem(
        copy(title), copy("An excerpt"), when, copy(url), provider, url_keys=(copy(url[8:]),), **fields
    )


def test_loaded_records_share_equal_texts_and_providers() -> None:
    """Each record is a pickle of its own; loading one must not make new copies of the texts and
    providers that other records hold too (a related entry repeats a story of the feed, every
    item of a source its provider)."""
    item = story("A headline", "https://theverge.com/a")
    relating = story("Another headline", "https://theverge.com/b", topics=(copy("AI"),),
                     related=(story("A headline", "https://theverge.com/a"),))  # fmt: skip
    first, second = unpickled(pickled((item, []))), unpickled(pickled((relating, [])))
    assert first is not None and second is not None
    loaded, loaded_relating = first[0], second[0]
    assert (loaded, loaded_relating) == (item, relating)
    assert loaded_relating.provider is loaded.provider
    assert loaded.provider.logo == item.provider.logo
    entry = loaded_relating.related[0]
    assert entry.title is loaded.title and entry.excerpt is loaded.excerpt and entry.url is loaded.url
    assert entry.url_keys[0] is loaded.url_keys[0] and entry.provider is loaded.provider


def fields_of(value: object) -> object:
    """Every field of a record's objects, the ones equality leaves out (``url_keys``,
    ``fingerprint``) included, with each object's class: what a loaded record must give back."""
    if dataclasses.is_dataclass(value):
        names = (field.name for field in dataclasses.fields(value))
        return type(value), tuple(fields_of(getattr(value, name)) for name in names)
    if isinstance(value, tuple | list):
        return type(value), tuple(fields_of(part) for part in value)
    return type(value), value


def test_a_loaded_record_has_every_field_of_the_item_it_was_made_from() -> None:
    """Loaded items and images are made by setting their slots one by one, not by their
    ``__init__``: a field left unset, or set to its neighbour's value, must show here."""
    image = Image(copy("https://cdn.example.com/a.jpg"), 1200, 675, copy("A picture"))
    entry = story(
        "A related story",
        "https://example.com/related",
        images=(Image(copy("https://cdn.example.com/r.jpg")),),
    )
    item = NewsItem(
        copy("A headline"),
        copy("An excerpt"),
        dt.datetime(2026, 11, 30, 12, 30, 15, 250, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        copy("https://example.com/story"),
        Provider(copy("Example"), copy("example.com"), Image(copy("https://example.com/logo.png"), 50, 50)),
        kind=copy("video"),
        amp_url=copy("https://example.com/story/amp"),
        cdn_amp_url=copy("https://cdn.ampproject.org/c/s/example.com/story/amp"),
        original_url=copy("https://origin.example.com/story"),
        quality=149,
        heat=7,
        images=(image, Image(copy("https://cdn.example.com/b.jpg"), None, None)),
        embed=Embed(copy("https://www.youtube-nocookie.com/embed/x"), 560, 315),
        topics=(copy("AI"), copy("Power Apps")),
        related=(entry,),
        published=False,
        category=copy("news"),
        source_path=copy("2026-11-30-a-headline.md"),
        url_keys=(copy("example.com/story"), copy("example.com/story/amp")),
        fingerprint=copy("5c1d350489e816affe9c57083b199449"),
    )
    problems = [Problem(copy("2026-11-30-a-headline.md"), copy("title"), copy("too long"), notice=True)]
    loaded = unpickled(pickled((item, problems)))
    assert loaded is not None
    assert fields_of(loaded) == fields_of((item, problems))
    assert loaded[0].published_at.tzinfo == item.published_at.tzinfo
