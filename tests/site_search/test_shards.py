"""The search index in bundles: how pages are split, what Pagefind is given for each bundle, and
which bundles a rebuild keeps (a stand-in plays Pagefind; the real one runs in test_search.py
and tests/e2e/test_incremental_equals_fresh.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from topicfeed.site_search.indexer import (
    LISTING,
    IndexWork,
    Outcome,
    ShardedIndexing,
    read_listing,
    shard_key,
)
from topicfeed.site_search.shards import SearchPage, plan_shards, shard_size


def pages_by_month(counts: dict[str, int]) -> list[SearchPage]:
    return [
        SearchPage(
            month,
            f"{month.replace('-', '/')}/01/s{i}/",
            f"{month.replace('-', '/')}/01/s{i}/index.html",
            f"<main data-pagefind-body><h1>{month} story {i}</h1></main>",
        )
        for month, count in counts.items()
        for i in range(count)
    ]


MONTHS = {
    f"{year}-{month:02d}": 30 + (month * 7 + year) % 40
    for year in (2022, 2023, 2024)
    for month in range(1, 13)
}


def test_the_bundle_size_is_a_power_of_two_that_moves_only_when_the_site_doubles() -> None:
    assert shard_size(8_005, 16, 1000) == 1000  # 10,000 items: the minimum
    assert shard_size(80_000, 16, 1000) == 4096  # 100,000 items: 5,000 a bundle is nearest 4,096
    assert shard_size(80_001, 16, 1000) == shard_size(46_341, 16, 1000) == 4096
    assert shard_size(46_340, 16, 1000) == 2048  # below 2**11.5 pages a bundle: half the size
    assert shard_size(92_682, 16, 1000) == 8192
    assert shard_size(500, 16, 1000) == 1000
    assert shard_size(80_000, 1, 1000) == 80_000  # one bundle


@pytest.mark.parametrize("total", [40_000, 80_000, 120_000])
def test_a_large_site_has_about_as_many_bundles_as_asked(total: int) -> None:
    """Between 0.7 and 1.4 times ``SEARCH_SHARDS`` (16): rounding the size up gave 10 at 80,000."""
    months = {f"{2000 + m // 12}-{m % 12 + 1:02d}": total // 60 for m in range(60)}
    shards = plan_shards(pages_by_month(months), 16, 1000)
    assert 0.7 * 16 <= len(shards) <= 1.4 * 16


def test_bundles_are_runs_of_whole_months_oldest_first() -> None:
    pages = pages_by_month(MONTHS)
    shards = plan_shards(pages, 16, 200)
    assert len(shards) > 3
    assert [page for shard in shards for page in shard.pages] == sorted(
        pages, key=lambda page: (page.month, page.save_as)
    )
    for shard in shards[:-1]:
        assert len(shard.pages) >= 200
        assert len(shard.pages) - 200 < MONTHS[shard.last]  # closed by its last month
    for older, newer in itertools.pairwise(shards):
        assert older.last < newer.first
    assert [shard.name for shard in shards] == [shard.first for shard in shards]
    assert len(plan_shards(pages, 1, 200)) == 1


def test_a_new_item_of_the_newest_month_moves_only_the_newest_bundle() -> None:
    before = plan_shards(pages_by_month(MONTHS), 16, 200)
    after = plan_shards(pages_by_month({**MONTHS, "2024-12": MONTHS["2024-12"] + 1}), 16, 200)
    assert before[:-1] == after[:-1]
    assert len(after[-1].pages) == len(before[-1].pages) + 1


def test_pages_of_any_shape_are_bundled_by_month() -> None:
    """Pagefind reads each bundle's documents from a folder of their own, so a bundle needs no
    folder of the site to itself: pages whose paths carry no date are split by month too."""
    pages = [
        SearchPage(f"2024-{m:02d}", f"posts/s{m}/", f"posts/s{m}.html", f"<h1>{m}</h1>") for m in range(1, 13)
    ]
    shards = plan_shards(pages, 16, 2)
    assert [len(shard.pages) for shard in shards] == [2] * 6
    assert [shard.name for shard in shards] == [f"2024-{m:02d}" for m in range(1, 13, 2)]
    assert plan_shards([], 16, 2) == []


# Keeping bundles --------------------------------------------------------------------------------


class FakePagefind:
    """Writes a one-file bundle listing the documents it was given, like a Pagefind run would."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    def __call__(self, documents: Path, bundle: Path) -> SimpleNamespace:
        self.runs.append(f"{bundle.parent.name}/{bundle.name}")
        bundle.mkdir(parents=True, exist_ok=True)  # as Pagefind: into a folder that may hold files
        found = sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*.html"))
        (bundle / "pagefind-entry.json").write_text(json.dumps({"documents": found}), encoding="utf-8")
        done = subprocess.CompletedProcess([], 0, "indexed", "")
        return SimpleNamespace(process=SimpleNamespace(poll=lambda: 0), wait=lambda: done)


def edited(pages: list[SearchPage]) -> list[SearchPage]:
    """``pages`` with the first (the oldest) page's document changed."""
    return [dataclasses.replace(pages[0], document=pages[0].document + " (edited)"), *pages[1:]]


def index(site: Path, pages: list[SearchPage], previous: Path | None, fake: FakePagefind) -> None:
    shards = plan_shards(pages, 16, 200)
    outcome = ShardedIndexing(IndexWork(site, "pagefind", shards, previous, fake), 60).finish()
    assert outcome.complete, outcome.messages


def first_site(tmp_path: Path, pages: list[SearchPage]) -> tuple[Path, Path, FakePagefind]:
    """A site indexed once, where the next site goes, and the stand-in Pagefind."""
    first, second, fake = tmp_path / "first", tmp_path / "second", FakePagefind()
    index(first, pages, None, fake)
    return first, second, fake


@pytest.fixture
def pages() -> list[SearchPage]:
    return pages_by_month(MONTHS)


def test_a_rebuild_links_the_bundles_whose_pages_are_the_same(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    first, second, fake = first_site(tmp_path, pages)
    names = list(read_listing(first / "pagefind"))
    assert sorted(fake.runs) == sorted(f"pagefind/{name}" for name in names)
    fake.runs.clear()
    index(second, edited(pages), first / "pagefind", fake)  # the oldest page changed
    oldest = names[-1]  # the listing is newest first
    assert fake.runs == [f"pagefind/{oldest}"]
    for name in names[:-1]:
        assert os.path.samefile(
            first / "pagefind" / name / "pagefind-entry.json",
            second / "pagefind" / name / "pagefind-entry.json",
        )
    old, new = read_listing(first / "pagefind"), read_listing(second / "pagefind")
    assert [name for name in names if old[name] != new[name]] == [oldest]


def test_a_bundle_listed_but_missing_from_the_previous_site_is_indexed_again(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    first, second, fake = first_site(tmp_path, pages)
    newest = next(iter(read_listing(first / "pagefind")))
    (first / "pagefind" / newest / "pagefind-entry.json").unlink()
    (first / "pagefind" / newest).rmdir()
    fake.runs.clear()
    index(second, pages, first / "pagefind", fake)
    assert fake.runs == [f"pagefind/{newest}"]
    assert (first / "pagefind" / LISTING).read_bytes() == (second / "pagefind" / LISTING).read_bytes()


def test_a_bundle_key_is_its_pages_paths_and_documents(pages: list[SearchPage]) -> None:
    shard = plan_shards(pages, 16, 200)[0]
    key = shard_key(shard, "1.5.0")
    assert shard_key(dataclasses.replace(shard), "1.5.0") == key
    assert shard_key(plan_shards(edited(pages), 16, 200)[0], "1.5.0") != key
    moved = dataclasses.replace(shard.pages[0], save_as="elsewhere/index.html")
    assert shard_key(dataclasses.replace(shard, pages=(moved, *shard.pages[1:])), "1.5.0") != key
    assert shard_key(shard, "1.6.0") != key  # another Pagefind may write another index


def test_pagefind_is_given_exactly_its_bundles_documents(tmp_path: Path, pages: list[SearchPage]) -> None:
    site = tmp_path / "site"
    index(site, pages, None, FakePagefind())
    for shard in plan_shards(pages, 16, 200):
        entry = json.loads((site / "pagefind" / shard.name / "pagefind-entry.json").read_text("utf-8"))
        assert entry["documents"] == sorted(page.save_as for page in shard.pages)


class SlowPagefind(FakePagefind):
    """A stand-in whose older bundles take longer, so runs side by side end out of order; it
    fails on the bundles named in ``failing`` and records how many ran at once."""

    def __init__(self, delays: dict[str, float], failing: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.delays, self.failing = delays, failing
        self.lock = threading.Lock()
        self.active = self.most = 0

    def __call__(self, documents: Path, bundle: Path) -> SimpleNamespace:
        started = super().__call__(documents, bundle)
        name = bundle.name
        code = 1 if name in self.failing else 0

        def wait() -> subprocess.CompletedProcess[str]:
            with self.lock:
                self.active += 1
                self.most = max(self.most, self.active)
            time.sleep(self.delays.get(name, 0.0))
            with self.lock:
                self.active -= 1
            return subprocess.CompletedProcess([], code, f"indexed {name}", "broken" if code else "")

        return SimpleNamespace(process=started.process, wait=wait)


def run_index(
    site: Path, pages: list[SearchPage], fake: FakePagefind, parallel: int
) -> tuple[Outcome, list[str]]:
    shards = plan_shards(pages, 16, 200)
    work = IndexWork(site, "pagefind", shards, None, fake, parallel=parallel)
    return ShardedIndexing(work, 60).finish(), [shard.name for shard in shards]


def test_bundles_indexed_side_by_side_give_the_same_index_and_log_as_one_after_another(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    """A cold build indexes several bundles at once (``SEARCH_PARALLEL_RUNS``); the listing, the
    bundles and the messages (in bundle order, whichever run ends first) are those of one run
    after another."""
    names = [shard.name for shard in plan_shards(pages, 16, 200)]
    delays = {name: 0.05 * (len(names) - i) for i, name in enumerate(names)}  # the oldest: slowest
    results = {}
    for parallel in (1, 2):
        site = tmp_path / f"site{parallel}"
        fake = SlowPagefind(delays)
        outcome, order = run_index(site, pages, fake, parallel)
        assert outcome.complete, outcome.messages
        assert fake.most == parallel
        results[parallel] = (outcome.indexed, outcome.messages, (site / "pagefind" / LISTING).read_bytes())
        assert outcome.indexed == order
    assert results[1] == results[2]


def test_a_failing_bundle_among_side_by_side_runs_leaves_no_listing(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    names = [shard.name for shard in plan_shards(pages, 16, 200)]
    assert len(names) > 3
    site = tmp_path / "site"
    fake = SlowPagefind({names[0]: 0.2}, failing=frozenset({names[1]}))
    outcome, _ = run_index(site, pages, fake, 2)
    assert not outcome.complete
    assert not (site / "pagefind" / LISTING).exists()
    assert len(fake.runs) < len(names)  # the bundles queued after the failure were not started
    assert [m for level, m in outcome.messages if level == logging.ERROR] == [
        f"search: Pagefind failed on pagefind/{names[1]} (exit 1): broken"
    ]


def test_a_document_path_leaving_its_folder_is_an_error_and_nothing_is_written_outside(
    tmp_path: Path,
) -> None:
    """A page path that climbs out (``../``) is refused, as Pelican's writer refuses it; the
    index is then incomplete and says why."""
    escape = SearchPage("2024-03", "x/", "../../escaped/index.html", "<h1>x</h1>")
    site = tmp_path / "site"
    work = IndexWork(site, "pagefind", plan_shards([escape], 16, 200), None, FakePagefind())
    outcome = ShardedIndexing(work, 60).finish()
    assert not outcome.complete
    [message] = [m for level, m in outcome.messages if level == logging.ERROR]
    assert message.startswith("search: cannot write the documents of pagefind/2024-03")
    assert not list(tmp_path.rglob("escaped"))


def test_documents_folders_of_builds_that_are_gone_are_removed(
    tmp_path: Path, pages: list[SearchPage], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed during a Pagefind run leaves its documents folder (in memory, /dev/shm);
    the next indexing removes it, and leaves a running build's and anything else alone."""
    from topicfeed.site_search import indexer

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(indexer, "scratch_folder", lambda: scratch)
    gone = subprocess.Popen(["true"])
    gone.wait()
    abandoned = scratch / f"{indexer.SCRATCH_PREFIX}{gone.pid}-abc"
    running = scratch / f"{indexer.SCRATCH_PREFIX}{os.getppid()}-def"
    other = scratch / "someone-elses"
    for folder in (abandoned, running, other):
        (folder / "2024/03/01/a").mkdir(parents=True)
        (folder / "2024/03/01/a/index.html").write_text("<h1>a</h1>", encoding="utf-8")
    seen: list[Path] = []
    fake = FakePagefind()

    def start(documents: Path, bundle: Path) -> SimpleNamespace:
        seen.append(documents)
        return fake(documents, bundle)

    index(tmp_path / "site", pages, None, start)  # type: ignore[arg-type]
    assert not abandoned.exists() and running.exists() and other.exists()
    mine = f"{indexer.SCRATCH_PREFIX}{os.getpid()}-"
    assert seen and all(p.parent.parent == scratch and p.parent.name.startswith(mine) for p in seen)
    assert sorted(p.name for p in scratch.iterdir()) == sorted([running.name, other.name])


# A bundle made in memory, placed into the site ---------------------------------------------------


class FragmentPagefind(FakePagefind):
    """Writes a fragment per document, named after its bytes (as Pagefind names its fragments),
    beside the entry file that lists them all. It writes no meta index, so a rebuild cannot tell
    which stand-ins (``prefill.py``) it kept and indexes the bundle again from nothing:
    ``test_prefill.py`` covers the stand-ins with the real Pagefind."""

    def __call__(self, documents: Path, bundle: Path) -> SimpleNamespace:
        started = super().__call__(documents, bundle)
        (bundle / "fragment").mkdir(exist_ok=True)
        for document in documents.rglob("*.html"):
            data = document.read_bytes()
            (bundle / "fragment" / f"en_{hashlib.sha256(data).hexdigest()[:7]}.pf_fragment").write_bytes(data)
        return started


def test_a_bundle_made_in_memory_shares_the_last_sites_files_that_are_the_same(
    tmp_path: Path, pages: list[SearchPage], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the last site's bundles, a re-indexed bundle is made in memory (``/dev/shm``, here a
    folder standing for it) and put into the site with each file the last site's bundle holds
    byte for byte hard-linked from it, and every other file copied: the site has the same bytes
    as a bundle made there."""
    from topicfeed.site_search import indexer

    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(indexer, "MEMORY_FOLDER", memory)
    monkeypatch.setattr(indexer, "scratch_folder", lambda: memory)
    fake = FragmentPagefind()
    first = tmp_path / "first"
    index(first, pages, None, fake)
    oldest = plan_shards(pages, 16, 200)[0]
    work = IndexWork(
        tmp_path / "second",
        "pagefind",
        plan_shards(edited(pages), 16, 200)[:1],
        None,
        fake,
        last=first / "pagefind",
    )
    assert ShardedIndexing(work, 60).finish().complete
    old, new = first / "pagefind" / oldest.name, tmp_path / "second" / "pagefind" / oldest.name
    files = sorted(p.relative_to(new) for p in new.rglob("*") if p.is_file())
    linked = [f for f in files if (old / f).exists() and os.path.samefile(old / f, new / f)]
    assert len(files) == len(oldest.pages) + 1 and len(linked) == len(oldest.pages)
    changed = hashlib.sha256(edited(pages)[0].document.encode()).hexdigest()[:7]
    assert sorted(set(files) - set(linked)) == [Path("fragment") / f"en_{changed}.pf_fragment"]
    fresh = tmp_path / "fresh"
    index(fresh, edited(pages), None, fake)  # no last site: made in the site
    made_there = fresh / "pagefind" / oldest.name
    assert {f: (new / f).read_bytes() for f in files} == {
        f: (made_there / f).read_bytes()
        for f in sorted(p.relative_to(made_there) for p in made_there.rglob("*") if p.is_file())
    }
    assert list(memory.iterdir()) == []  # the bundle made in memory went with its documents


def test_placing_a_bundle_links_only_files_of_the_same_name_and_bytes(tmp_path: Path) -> None:
    from topicfeed.site_search.indexer import place_bundle

    made, last, target = tmp_path / "made", tmp_path / "last", tmp_path / "target"
    for folder, files in (
        (made, {"a": "same", "b/c": "new", "d": "only here"}),
        (last, {"a": "same", "b/c": "old", "e": "gone"}),
    ):
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
    # A file already where one goes, linked to a published site's file, is replaced, not written into.
    live = tmp_path / "live"
    live.write_text("published", encoding="utf-8")
    (target / "b").mkdir(parents=True)
    os.link(live, target / "b/c")
    assert place_bundle(made, target, last) == 1
    assert live.read_text(encoding="utf-8") == "published"
    assert os.path.samefile(target / "a", last / "a")
    assert (target / "b/c").read_text(encoding="utf-8") == "new" and not os.path.samefile(
        target / "b/c", last / "b/c"
    )
    assert (target / "d").read_text(encoding="utf-8") == "only here"
    assert not (target / "e").exists()
    assert place_bundle(made, tmp_path / "alone", tmp_path / "no last site") == 0
    assert (tmp_path / "alone" / "a").read_text(encoding="utf-8") == "same"
