"""The search index in bundles: how pages are split, how Pagefind is pointed at each bundle, and
which bundles a rebuild keeps (a stand-in plays Pagefind; the real one runs in test_search.py
and tests/e2e/test_incremental_equals_fresh.py)."""

from __future__ import annotations

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

from topicfeed.build import page_digest
from topicfeed.site_search.indexer import (
    LISTING,
    IndexWork,
    Outcome,
    ShardedIndexing,
    read_listing,
    shard_key,
)
from topicfeed.site_search.plugin import plan
from topicfeed.site_search.shards import SearchPage, by_folders, plan_shards, shard_size


def pages_by_month(counts: dict[str, int]) -> list[SearchPage]:
    return [
        SearchPage(
            month, f"{month.replace('-', '/')}/01/s{i}/", f"{month.replace('-', '/')}/01/s{i}/index.html"
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


def test_the_globs_name_month_folders_and_match_no_other_bundle() -> None:
    shards = plan_shards(pages_by_month(MONTHS), 16, 200)
    placed = by_folders(shards)
    assert placed is not None
    regrouped, globs = placed
    assert regrouped == shards  # every page already in its folder's bundle
    months = sorted({page.month for page in shards[0].pages})
    assert globs[0] == "{" + ",".join(f"{m.replace('-', '/')}/**/*.html" for m in months) + "}"
    whole = by_folders(plan_shards(pages_by_month({"2024-03": 3, "2024-04": 2}), 1, 200))
    assert whole is not None and whole[1] == ["2024/**/*.html"]  # one bundle: year folders
    assert whole[0][0].name == "2024-03"


def test_a_page_whose_folder_month_differs_from_its_date_goes_where_its_folder_is() -> None:
    """A file named 2024-05-01 whose item is dated 30 April: its page is in 2024/05/01/."""
    pages = pages_by_month({"2024-03": 150, "2024-04": 100, "2024-05": 150})
    straggler = SearchPage("2024-04", "2024/05/01/late/", "2024/05/01/late/index.html")
    shards = plan_shards([*pages, straggler], 16, 200)
    assert straggler in shards[0].pages  # by its date, April: the first bundle (March, April)
    placed = by_folders(shards)
    assert placed is not None
    regrouped, globs = placed
    assert straggler in regrouped[1].pages and straggler not in regrouped[0].pages
    assert globs == ["{2024/03/**/*.html,2024/04/**/*.html}", "2024/05/**/*.html"]
    assert [shard.name for shard in regrouped] == ["2024-03", "2024-05"]


def test_paths_that_do_not_split_by_month_get_one_bundle() -> None:
    pages = [SearchPage(f"2024-{m:02d}", f"posts/s{m}/", f"posts/s{m}.html") for m in range(1, 13)]
    shards = plan_shards(pages, 16, 2)
    assert len(shards) > 1 and by_folders(shards) is None
    planned, globs = plan(pages, 16, 2)
    assert len(planned) == 1 and globs == ["posts/**/*.html"]
    odd = [SearchPage("2024-01", "a/", "a{1}/index.html"), SearchPage("2024-02", "b/", "b/index.html")]
    assert by_folders(plan_shards(odd, 16, 1)) is None  # glob characters in a path
    assert plan([], 16, 2) == ([], [])


# Keeping bundles --------------------------------------------------------------------------------


class FakePagefind:
    """Writes a one-file bundle naming the glob it was given, like a Pagefind run would."""

    def __init__(self) -> None:
        self.runs: list[str] = []

    def __call__(self, site: Path, subdir: str, glob: str | None) -> SimpleNamespace:
        self.runs.append(subdir)
        bundle = site / subdir
        bundle.mkdir(parents=True)
        (bundle / "pagefind-entry.json").write_text(json.dumps({"glob": glob}), encoding="utf-8")
        done = subprocess.CompletedProcess([], 0, "indexed", "")
        return SimpleNamespace(process=SimpleNamespace(poll=lambda: 0), wait=lambda: done)


def write_site(site: Path, pages: list[SearchPage], edited: str = "") -> None:
    for page in pages:
        path = site / page.save_as
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<main data-pagefind-body>{page.url}{edited if page is pages[0] else ''}</main>")


def index(site: Path, pages: list[SearchPage], previous: Path | None, fake: FakePagefind) -> None:
    placed = by_folders(plan_shards(pages, 16, 200))
    assert placed is not None
    shards, globs = placed
    outcome = ShardedIndexing(IndexWork(site, "pagefind", shards, globs, previous, fake), 60).finish()
    assert outcome.complete, outcome.messages


def first_site(tmp_path: Path, pages: list[SearchPage]) -> tuple[Path, Path, FakePagefind]:
    """A site indexed once, where the next site goes, and the stand-in Pagefind."""
    first, second, fake = tmp_path / "first", tmp_path / "second", FakePagefind()
    write_site(first, pages)
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
    write_site(second, pages, edited=" (edited)")  # the oldest page changed
    fake.runs.clear()
    index(second, pages, first / "pagefind", fake)
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
    write_site(second, pages)
    fake.runs.clear()
    index(second, pages, first / "pagefind", fake)
    assert fake.runs == [f"pagefind/{newest}"]
    assert (first / "pagefind" / LISTING).read_bytes() == (second / "pagefind" / LISTING).read_bytes()


def test_the_writers_page_digests_stand_for_reading_the_pages(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    """The keys come out the same from the writer's digests as from the files, and a page with a
    digest is not read (its file may even be gone): reading every page back each build was
    most of the search step's cost on a one-item rebuild."""
    site = tmp_path / "site"
    write_site(site, pages)
    shard = plan_shards(pages, 16, 200)[0]
    read = shard_key(site, shard, "1.5.0", {})
    digests = {page.save_as: page_digest((site / page.save_as).read_bytes()) for page in shard.pages}
    for page in shard.pages:
        (site / page.save_as).unlink()
    assert shard_key(site, shard, "1.5.0", digests) == read
    changed = {**digests, shard.pages[0].save_as: page_digest(b"another page")}
    assert shard_key(site, shard, "1.5.0", changed) != read


class SlowPagefind(FakePagefind):
    """A stand-in whose older bundles take longer, so runs side by side end out of order; it
    fails on the bundles named in ``failing`` and records how many ran at once."""

    def __init__(self, delays: dict[str, float], failing: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.delays, self.failing = delays, failing
        self.lock = threading.Lock()
        self.active = self.most = 0

    def __call__(self, site: Path, subdir: str, glob: str | None) -> SimpleNamespace:
        started = super().__call__(site, subdir, glob)
        name = subdir.rpartition("/")[2]
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
    shards, globs = plan(pages, 16, 200)
    work = IndexWork(site, "pagefind", shards, globs, None, fake, parallel=parallel)
    return ShardedIndexing(work, 60).finish(), [shard.name for shard in shards]


def test_bundles_indexed_side_by_side_give_the_same_index_and_log_as_one_after_another(
    tmp_path: Path, pages: list[SearchPage]
) -> None:
    """A cold build indexes several bundles at once (``SEARCH_PARALLEL_RUNS``); the listing, the
    bundles and the messages (in bundle order, whichever run ends first) are those of one run
    after another."""
    names = [shard.name for shard in plan(pages, 16, 200)[0]]
    delays = {name: 0.05 * (len(names) - i) for i, name in enumerate(names)}  # the oldest: slowest
    results = {}
    for parallel in (1, 2):
        site = tmp_path / f"site{parallel}"
        write_site(site, pages)
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
    names = [shard.name for shard in plan(pages, 16, 200)[0]]
    assert len(names) > 3
    site = tmp_path / "site"
    write_site(site, pages)
    fake = SlowPagefind({names[0]: 0.2}, failing=frozenset({names[1]}))
    outcome, _ = run_index(site, pages, fake, 2)
    assert not outcome.complete
    assert not (site / "pagefind" / LISTING).exists()
    assert len(fake.runs) < len(names)  # the bundles queued after the failure were not started
    assert [m for level, m in outcome.messages if level == logging.ERROR] == [
        f"search: Pagefind failed on pagefind/{names[1]} (exit 1): broken"
    ]
