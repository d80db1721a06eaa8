"""The item store's file stats: a file whose stat is the recorded one is not read, anything else is.

Files a test writes are seconds old at most, and an entry recorded less than 2 s after its file
changed is never trusted; the ``later`` fixture makes every build start 10 s from now, so what
the test wrote is settled for it (``stat_table.time`` only: the rest of the process keeps its clock).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from support.build import DATA, build_in_process, tree
from support.build import Build as SiteBuild
from support.reading import seed_site, start_builds_later

from topicfeed.build import Build
from topicfeed.items import PROBLEMS_KEY, item_of
from topicfeed.news_reader import item_store, prefetch, stat_table
from topicfeed.news_reader.reader import FileParser, NewsReader, close_store, open_store


class Reading:
    """One build's reading of one file: the store (and its file stats) saved once it is read."""

    def __init__(self, settings: dict) -> None:
        self.build = Build.start(SimpleNamespace(settings=settings, output_path=settings["CACHE_PATH"]))
        self.reader = NewsReader(settings)

    def read(self, path: Path) -> dict:
        _, metadata = self.reader.read(str(path))
        self.saved = close_store(self.reader.settings)
        return metadata

    @property
    def counts(self) -> tuple[int, int]:
        return self.build.ledger.parsed, self.build.ledger.reused


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build of the test starts 10 s from now (:func:`start_builds_later`)."""
    start_builds_later(monkeypatch)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files FileParser.read_bytes reads, in order (in this process)."""
    seen: list[str] = []
    real = FileParser.read_bytes

    def counting(self: FileParser, source_path: str) -> bytes:
        seen.append(os.path.basename(source_path))
        return real(self, source_path)

    monkeypatch.setattr(FileParser, "read_bytes", counting)
    return seen


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SimpleNamespace]:
    for site in seed_site(tmp_path, Reading):
        site.table = site.store / stat_table.NAME
        yield site


def edit_same_size(path: Path) -> None:
    """Change the title's first letters in place: same size, same inode, a new ctime."""
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    edited = text[:start] + "XYZ" + text[start + 3 :]
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")


def test_a_file_whose_stat_matches_is_not_read_and_gives_the_same_record(site, later, reads) -> None:
    first = site.reading()
    fresh = first.read(site.file)
    assert first.counts == (1, 0) and reads == ["item.txt"]
    written = site.table.stat()

    reads.clear()
    second = site.reading()
    stored = second.read(site.file)
    assert reads == [], "the file was read although its stat is the recorded one"
    assert second.counts == (0, 1)
    assert item_of(stored) == item_of(fresh) and item_of(stored).fingerprint == item_of(fresh).fingerprint
    assert stored[PROBLEMS_KEY] == fresh[PROBLEMS_KEY]
    assert site.table.stat().st_mtime_ns == written.st_mtime_ns, "nothing changed: the table is not rewritten"


def test_a_forked_reader_does_not_read_such_a_file_either(site, later, reads) -> None:
    """prepare (a forked reader's part of read) takes the same shortcut to the same record."""
    site.reading().read(site.file)
    reads.clear()
    settings = site.reading().reader.settings
    store, _ledger = open_store(settings)
    wire = prefetch.prepare(FileParser(settings), store, str(site.file))
    assert reads == []
    assert wire is not None
    digest, raw, parsed, damaged, stat, blob = wire
    assert (parsed, damaged, blob) == (False, False, None) and raw is not None and stat is not None
    assert store is not None and store.known("item.txt", stat) == digest
    assert bytes(store.stored(digest) or b"") == raw


@pytest.mark.parametrize("how", ["in place", "replaced"])
def test_an_edit_with_the_same_size_and_mtime_is_read_again(site, later, reads, how: str) -> None:
    """Size and mtime alone would miss it: the ctime (in place) or the inode (a new file moved
    over the old one, as editors save) differs."""
    site.reading().read(site.file)
    before = os.stat(site.file)
    time.sleep(0.05)  # the next ctime tick (the kernel's clock is coarse)
    if how == "in place":
        edit_same_size(site.file)
    else:
        twin = site.file.with_name("twin.tmp")
        shutil.copy(site.file, twin)
        edit_same_size(twin)
        os.replace(twin, site.file)
    os.utime(site.file, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(site.file)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns
    if how == "replaced":
        assert after.st_ino != before.st_ino
    reads.clear()
    again = site.reading()
    metadata = again.read(site.file)
    assert reads == ["item.txt"] and again.counts == (1, 0)
    assert item_of(metadata).title.startswith("XYZ")


@pytest.mark.parametrize("recorded", ["within 2 s", "mtime set back, ctime within 2 s", "settled"])
def test_an_entry_recorded_within_two_seconds_of_a_change_is_not_trusted(
    site, reads, monkeypatch: pytest.MonkeyPatch, recorded: str
) -> None:
    """A same-size write in the same clock tick leaves the stat as it was (as a file system with
    coarse timestamps shows it; faked here). An entry recorded within 2 s of the file's last change
    is not trusted, so that edit is read; only a settled entry is trusted on its stat alone. An
    mtime set back by hand does not settle it: the ctime says when the file last changed."""
    if recorded.startswith("mtime"):
        hour_ago = time.time_ns() - 3600 * 10**9
        os.utime(site.file, ns=(hour_ago, hour_ago))
    if recorded == "settled":
        start_builds_later(monkeypatch)
    site.reading().read(site.file)  # the file was written a moment ago
    stat = stat_table.file_stat(str(site.file))
    edit_same_size(site.file)
    monkeypatch.setattr(item_store, "file_stat", lambda source_path: stat)
    reads.clear()
    again = site.reading()
    title = item_of(again.read(site.file)).title
    if recorded != "settled":
        assert reads == ["item.txt"] and again.counts == (1, 0) and title.startswith("XYZ")
    else:
        assert reads == [] and again.counts == (0, 1) and not title.startswith("XYZ")


def test_an_entry_trusted_after_a_re_read_once_settled(site, reads, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read too soon after it changed is read again by the next build, whose table then
    trusts it (rewritten although no stat changed), so it is not read a third time."""
    site.reading().read(site.file)  # within 2 s of the file's writing: not trusted next time
    written = site.table.read_bytes()
    start_builds_later(monkeypatch)
    reads.clear()
    second = site.reading()
    second.read(site.file)
    assert reads == ["item.txt"] and second.counts == (0, 1)
    assert site.table.read_bytes() != written, "rewritten with this build's start"
    reads.clear()
    third = site.reading()
    third.read(site.file)
    assert reads == [] and third.counts == (0, 1)


@pytest.mark.parametrize(
    "damage",
    [
        "empty",
        "garbage",
        "truncated",
        "byte flipped",
        "appended",
        "other format",
        "checksummed garbage",
        "checksummed other layout",
        "gone record",
    ],
)
def test_a_damaged_stat_table_is_ignored(site, later, reads, damage: str) -> None:
    fresh = site.reading().read(site.file)
    whole = site.table.read_bytes()
    if damage == "empty":
        site.table.write_bytes(b"")
    elif damage == "garbage":
        site.table.write_bytes(b"garbage" * 100)
    elif damage == "truncated":
        site.table.write_bytes(whole[: len(whole) // 2])
    elif damage == "byte flipped":  # one bit, near the end: in the last entry
        site.table.write_bytes(whole[:-30] + bytes([whole[-30] ^ 1]) + whole[-29:])
    elif damage == "appended":
        site.table.write_bytes(whole + b"\0")
    elif damage == "other format":
        site.table.write_bytes(whole.replace(stat_table.MAGIC, stat_table.MAGIC[:-2] + b"0\n"))
    elif damage.startswith("checksummed"):  # not a table, though its checksum is right
        body = b"garbage" if damage == "checksummed garbage" else pickle.dumps(["not", "a", "table"])
        site.table.write_bytes(stat_table.MAGIC + hashlib.blake2b(body, digest_size=16).digest() + body)
    else:  # a whole table whose entry names a record the store no longer has
        for pack in site.table.parent.glob("*.pack"):
            pack.unlink()
    reads.clear()
    again = site.reading()
    metadata = again.read(site.file)
    assert reads == ["item.txt"], "the file is read: the table said nothing trustworthy"
    assert again.counts == ((1, 0) if damage == "gone record" else (0, 1))
    assert item_of(metadata) == item_of(fresh) and metadata[PROBLEMS_KEY] == fresh[PROBLEMS_KEY]
    reads.clear()
    third = site.reading()
    third.read(site.file)
    assert reads == [] and third.counts == (0, 1), "the next build trusts its (replaced) table again"


@pytest.mark.parametrize("change", [{"TIMEZONE": "Asia/Tokyo"}, {"NEWS_ASSET_BASE_URL": "https://a.example"}])
def test_other_settings_trust_no_entry(site, later, reads, change: dict) -> None:
    """The table belongs to the settings of the records it names: under other settings its
    digests name records made with the old ones, which must not be used."""
    site.reading().read(site.file)
    reads.clear()
    other = site.reading(**change)
    metadata = other.read(site.file)
    assert reads == ["item.txt"] and other.counts == (1, 0)
    made = site.reading(NEWS_ITEM_STORE=False, **change).read(site.file)
    assert item_of(metadata) == item_of(made) and metadata["date"] == made["date"]


def test_a_real_rebuild_reads_only_the_edited_file_and_equals_a_fresh_build(
    tmp_path: Path, later, reads
) -> None:
    content = tmp_path / "content"
    shutil.copytree(DATA / "seeds", content)
    total = len(list(content.glob("*.txt")))
    build_in_process(content, tmp_path / "site", NEWS_READ_PROCESSES=1)
    assert len(reads) == total
    edited = next(p for p in sorted(content.glob("*.txt")) if "published: false" not in p.read_text("utf-8"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\nexcerpt:", "\nexcerpt: Edited now.", 1), encoding="utf-8")
    reads.clear()
    build_in_process(content, tmp_path / "site", NEWS_READ_PROCESSES=1)
    assert reads == [edited.name]
    build_in_process(content, tmp_path / "fresh", NEWS_ITEM_STORE=False, CACHE_PATH=str(tmp_path / "none"))
    assert tree(tmp_path / "site") == tree(tmp_path / "fresh")
    (page,) = SiteBuild(content, tmp_path / "site", 0, "").article_pages()
    assert "Edited now." in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()


def test_a_table_altered_after_it_was_written_is_not_trusted(site, reads, monkeypatch) -> None:
    """The checksum covers the whole table: here the recorded start is moved 10 s on, which would
    make an entry recorded within 2 s of its file's change look settled."""
    site.reading().read(site.file)  # within 2 s of the file's writing: not trusted next time
    whole = site.table.read_bytes()
    head = len(stat_table.MAGIC) + 16
    _key, start_ns, _entries, _conversions = pickle.loads(whole[head:])  # noqa: S301 - written by the test
    old, new = (ns.to_bytes(8, "little", signed=True) for ns in (start_ns, start_ns + 10**10))
    assert whole.count(old) == 1
    site.table.write_bytes(whole.replace(old, new))
    stat = stat_table.file_stat(str(site.file))
    edit_same_size(site.file)  # in the same clock tick, as far as the (faked) stat shows
    monkeypatch.setattr(item_store, "file_stat", lambda source_path: stat)
    reads.clear()
    again = site.reading()
    metadata = again.read(site.file)
    assert reads == ["item.txt"] and item_of(metadata).title.startswith("XYZ")
