"""The related step's decisions kept between builds (``related_stories/memo.py``): the same
pages from kept decisions as from fresh ones, kept only for the same inputs, never half-written."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
import pickle
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.build import CORPUS
from support.related_items import entry, make, mixed_feed

from topicfeed.model import NewsItem, build_item
from topicfeed.news_reader.source import load_front_matter
from topicfeed.related_stories import graph, memo
from topicfeed.related_stories.graph import Related, relate
from topicfeed.related_stories.settings import DEFAULTS, read_settings

SETTINGS = read_settings(DEFAULTS)


def urls(items: list[NewsItem]) -> list[str]:
    return [f"p/{i}/" for i in range(len(items))]


def assert_same(kept: Related, fresh: Related) -> None:
    assert len(kept) == len(fresh)
    for i in range(len(fresh)):
        assert kept.keys(i) == fresh.keys(i), i
        assert kept[i] == fresh[i], i


def count_decisions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the step decides (rather than taking kept decisions)."""
    calls: list[int] = []
    real = graph.decide

    def counted(items: list[NewsItem], settings: object) -> graph.Decisions:
        calls.append(len(items))
        return real(items, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(graph, "decide", counted)
    return calls


def test_kept_decisions_give_every_page_what_fresh_ones_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = mixed_feed(120, seed=5)
    fresh = relate(items, urls(items), SETTINGS)
    decided = count_decisions(monkeypatch)
    first = relate(items, urls(items), SETTINGS, tmp_path)
    # Another build reads the same files into other objects: the outside stories shown are its own.
    again = copy.deepcopy(items)
    kept = relate(again, urls(again), SETTINGS, tmp_path)
    assert decided == [len(items)]
    assert stat.S_IMODE(memo.store_path(tmp_path).stat().st_mode) == 0o644  # as the item store's files
    assert_same(first, fresh)
    assert_same(kept, fresh)
    shown = [link for i in range(len(kept)) for link in (*kept[i].related, *kept[i].more_coverage)]
    assert any(not link.internal for link in shown) and any(link.computed for link in shown)
    entries = {id(e) for item in again for e in item.related}
    assert all(id(e) in entries for e in kept._groups.outside)
    assert all(id(e) in entries for found in kept._links.outside for e in found)


def test_the_corpus_keeps_its_decisions(tmp_path: Path) -> None:
    items = []
    for path in sorted(CORPUS.iterdir()):
        item, _ = build_item(load_front_matter(path.read_text(encoding="utf-8"))[0], path.name)
        if item is not None and item.published:
            items.append(item)
    assert len(items) == 428
    fresh = relate(items, urls(items), SETTINGS)
    relate(items, urls(items), SETTINGS, tmp_path)
    assert_same(relate(copy.deepcopy(items), urls(items), SETTINGS, tmp_path), fresh)


def _later(item: NewsItem) -> NewsItem:
    return dataclasses.replace(item, published_at=item.published_at + dt.timedelta(microseconds=1))


def _entry_later(item: NewsItem) -> NewsItem:
    first = item.related[0]
    return dataclasses.replace(item, related=(_later(first), *item.related[1:]))


def _entry_elsewhere(item: NewsItem) -> NewsItem:
    first = item.related[0]
    moved = dataclasses.replace(first, url_keys=("elsewhere.example.com/story",))
    return dataclasses.replace(item, related=(moved, *item.related[1:]))


#: Each input the decisions depend on, changed on item 3 (which lists related stories).
DECIDING: dict[str, Callable[[NewsItem], NewsItem]] = {
    "headline": lambda item: dataclasses.replace(item, title=item.title + " grid"),
    "topics": lambda item: dataclasses.replace(item, topics=(*item.topics, "Hydrogen")),
    "instant": _later,
    "story URL": lambda item: dataclasses.replace(item, url_keys=("other.example.com/x", *item.url_keys[1:])),
    "file": lambda item: dataclasses.replace(item, source_path="renamed.txt"),
    "related list": lambda item: dataclasses.replace(item, related=item.related[1:]),
    "related entry's instant": _entry_later,
    "related entry's URL": _entry_elsewhere,
}
#: What only the links show: the decisions stand.
SHOWN_ONLY: dict[str, Callable[[NewsItem], NewsItem]] = {
    "excerpt": lambda item: dataclasses.replace(item, excerpt="Edited."),
    "images": lambda item: dataclasses.replace(item, images=()),
    "scores": lambda item: dataclasses.replace(item, heat=99, quality=1),
    "related entry's headline": lambda item: dataclasses.replace(
        item, related=(dataclasses.replace(item.related[0], title="Retitled"), *item.related[1:])
    ),
}


def _feed() -> list[NewsItem]:
    items = mixed_feed(40, seed=3)
    items[3] = make(
        3,
        title="solar grid kent",
        topics=["Energy", "Solar"],
        related=[entry("https://news.example.com/stories/55"), entry("https://news.example.com/stories/4")],
    )
    return items


@pytest.mark.parametrize("change", DECIDING, ids=list(DECIDING))
def test_every_input_of_the_decisions_is_in_the_digest(change: str) -> None:
    items = _feed()
    changed = [*items[:3], DECIDING[change](items[3]), *items[4:]]
    assert memo.inputs_digest(changed, SETTINGS)[0] != memo.inputs_digest(items, SETTINGS)[0]


@pytest.mark.parametrize("change", SHOWN_ONLY, ids=list(SHOWN_ONLY))
def test_what_only_the_links_show_keeps_the_decisions(change: str) -> None:
    items = _feed()
    changed = [*items[:3], SHOWN_ONLY[change](items[3]), *items[4:]]
    assert memo.inputs_digest(changed, SETTINGS)[0] == memo.inputs_digest(items, SETTINGS)[0]


def test_order_settings_and_code_are_in_the_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    items = _feed()
    digest, _ = memo.inputs_digest(items, SETTINGS)
    assert memo.inputs_digest([items[1], items[0], *items[2:]], SETTINGS)[0] != digest
    assert memo.inputs_digest(items, dataclasses.replace(SETTINGS, threshold=0.4))[0] != digest
    assert memo.inputs_digest(items[:-1], SETTINGS)[0] != digest
    monkeypatch.setattr(memo, "code_version", lambda: b"other code".ljust(16))
    assert memo.inputs_digest(items, SETTINGS)[0] != digest


def test_the_digest_is_of_values_not_of_objects() -> None:
    """The same items digest the same whoever else holds their values (here the step, which
    keeps each topic name it met: ``topic_key``'s cache), and read again into other objects.
    ``marshal`` from version 3 marks an object held elsewhere (refers to it if it comes again),
    so its output depended on reference counts: a build's digest changed while it decided."""
    fresh = f"{uuid.uuid4()}"  # topic names no earlier test has shown the step
    items = [
        dataclasses.replace(item, topics=(*item.topics, f"Only here {fresh} {n}"))
        for n, item in enumerate(mixed_feed(60, seed=5))
    ]
    items = pickle.loads(pickle.dumps(items))  # noqa: S301 - as the item store gives them: held once
    digest, _ = memo.inputs_digest(items, SETTINGS)
    held = relate(items, urls(items), SETTINGS)
    assert memo.inputs_digest(items, SETTINGS)[0] == digest
    assert memo.inputs_digest(copy.deepcopy(items), SETTINGS)[0] == digest
    assert len(held) == len(items)


def test_changed_inputs_decide_again_and_keep_the_new_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _feed()
    decided = count_decisions(monkeypatch)
    relate(items, urls(items), SETTINGS, tmp_path)
    retitled = [*items[:3], DECIDING["headline"](items[3]), *items[4:]]
    assert_same(
        relate(retitled, urls(retitled), SETTINGS, tmp_path), relate(retitled, urls(retitled), SETTINGS)
    )
    relate(retitled, urls(retitled), SETTINGS, tmp_path)
    assert decided == [40, 40, 40]  # first build, the change, the fresh comparison; not the last


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other format"])
def test_damaged_decisions_are_decided_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    items = _feed()
    relate(items, urls(items), SETTINGS, tmp_path)
    path = memo.store_path(tmp_path)
    raw = path.read_bytes()
    path.write_bytes(
        {
            "truncated": raw[: len(raw) // 2],
            "garbage": b"\x80\x05not a pickle",
            "empty": b"",
            "other format": raw.replace(memo.FORMAT.encode(), b"topicfeed-related-decisions-0", 1),
        }[damage]
    )
    decided = count_decisions(monkeypatch)
    assert_same(relate(items, urls(items), SETTINGS, tmp_path), relate(items, urls(items), SETTINGS))
    assert len(decided) == 2
    assert path.read_bytes() == raw
    assert [found.name for found in tmp_path.iterdir()] == [memo.FILE]  # no temporary file left


def test_a_failed_write_leaves_the_last_decisions_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    items = _feed()
    relate(items, urls(items), SETTINGS, tmp_path)
    path = memo.store_path(tmp_path)
    before = path.read_bytes()

    def killed(*_: object, **__: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(memo.pickle, "dump", killed)
    retitled = [*items[:3], DECIDING["headline"](items[3]), *items[4:]]
    with caplog.at_level(logging.WARNING, logger=memo.__name__):
        result = relate(retitled, urls(retitled), SETTINGS, tmp_path)
    assert_same(result, relate(retitled, urls(retitled), SETTINGS))
    assert path.read_bytes() == before
    assert [found.name for found in tmp_path.iterdir()] == [memo.FILE]  # no temporary file left
    assert "could not keep decisions.pickle" in caplog.text


def test_an_item_read_before_is_not_digested_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each item's digest is kept by the item's fingerprint (the digest of its file and the
    reader's settings): the next build digests only the items it has not seen, and none after
    the code or the packages changed."""
    items = [dataclasses.replace(item, fingerprint=f"file-{n}") for n, item in enumerate(_feed())]
    relate(items, urls(items), SETTINGS, tmp_path)
    digested: list[str] = []
    real = memo.item_digest

    def counted(item: NewsItem) -> bytes:
        digested.append(item.fingerprint)
        return real(item)

    monkeypatch.setattr(memo, "item_digest", counted)
    edited = dataclasses.replace(items[3], title="solar grid kent again", fingerprint="file-3-edited")
    changed = [*items[:3], edited, *items[4:]]
    decided = count_decisions(monkeypatch)
    assert_same(relate(changed, urls(changed), SETTINGS, tmp_path), relate(changed, urls(changed), SETTINGS))
    assert digested == ["file-3-edited"]
    assert decided == [40, 40]
    assert memo.load_item_digests(tmp_path) == {item.fingerprint: real(item) for item in changed}
    monkeypatch.setattr(memo, "code_version", lambda: b"other code".ljust(16))
    assert memo.load_item_digests(tmp_path) == {}


def test_decisions_of_other_inputs_are_not_unpickled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose inputs changed reads the kept decisions' digest, not the decisions."""
    items = _feed()
    relate(items, urls(items), SETTINGS, tmp_path)
    digest, _ = memo.inputs_digest(items, SETTINGS)
    unpickled: list[object] = []
    real = memo.pickle.load

    def counted(file: Any) -> Any:
        unpickled.append(file)
        return real(file)

    monkeypatch.setattr(memo.pickle, "load", counted)
    assert memo.load(tmp_path, "0" * 32, items) is None
    assert unpickled == []
    assert memo.load(tmp_path, digest, items) is not None
    assert len(unpickled) == 1
