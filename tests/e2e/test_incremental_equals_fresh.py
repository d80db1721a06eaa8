"""One item changed: the incremental rebuild equals a fresh build byte for byte, and redoes little.

The corpus is built once; then, one after another, an item is edited, a new item added, one
unpublished and one deleted. After each change the same output folder is rebuilt (pages and
feeds reused from the previous build where their inputs did not change) and compared, file by
file, with a fresh build of the same content into an empty folder: pages, feeds, sitemaps, the
search index and the API. The number of pages rendered is bounded: adding the newest story
shifts every page of the home page's, its topic's and its source's lists, but nothing else.
The search index is in four bundles (``SEARCH_SHARD_MIN_PAGES``); an edit indexes one again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.build import CorpusRebuilds, model_describes, tree
from support.changes import add, delete, edit, unpublish

from topicfeed.site_model import store

#: (change, the most pages it may render, as a share of all pages). Main rendered 2.5% for an
#: edit but every page (100%) for an item added, unpublished or deleted.
CHANGES: list[tuple[Callable[[Path], None], float]] = [
    (edit, 0.05),
    (add, 0.2),
    (unpublish, 0.2),
    (delete, 0.2),
]


#: The search index in four bundles (of at least 100 pages), in every build here.
SHARDED = {"SEARCH_SHARD_MIN_PAGES": 100}
#: Rebuilds work as on large sites (the corpus is below each threshold): unchanged pages linked
#: through the helper process, the articles digested and the API written in the process beside
#: the build. The fresh builds have nothing to link or to digest ahead.
AS_LARGE_SITES = {"RENDER_LINKER_MIN_PAGES": 0, "RENDER_PREDIGEST_MIN_ITEMS": 0, "API_FORK_MIN_ITEMS": 0}


class Site(CorpusRebuilds):
    """The corpus copied once, built again and again into the same output folder."""

    def __init__(self, root: Path) -> None:
        # The full build's own rebuild (a rebuild from the model: test_rebuild_from_model.py).
        super().__init__(root, {**SHARDED, **AS_LARGE_SITES, "REBUILD_FROM_MODEL": False}, SHARDED)

    def bundles_written_since(self, start: float) -> int:
        """Search bundles Pagefind wrote after ``start``: a kept bundle keeps its files' times."""
        listing = json.loads((self.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
        entries = [
            self.output / "pagefind" / shard["path"] / "pagefind-entry.json" for shard in listing["shards"]
        ]
        assert len(entries) == 4
        return sum(entry.stat().st_mtime > start for entry in entries)

    def rendering(self) -> dict[str, int]:
        report = json.loads(self.output.with_name("site.report.json").read_text(encoding="utf-8"))
        return report["rendering"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("incremental"))
    site.build()
    return site


@pytest.mark.parametrize(("change", "share"), CHANGES, ids=[change.__name__ for change, _ in CHANGES])
def test_one_item_changed_rebuilds_to_the_fresh_build(
    site: Site, change: Callable[[Path], None], share: float
) -> None:
    second_page = site.output / "page" / "2" / "index.html"  # of the home page's list
    newer_page = second_page.stat().st_ino
    change(site.content)
    start = time.time()
    build = site.build()
    assert re.search(r"fast_writer: \d{3} article digests made beside the build", build.log), build.log
    if change is edit:
        assert site.bundles_written_since(start) == 1  # the edited item's bundle only
    fresh = site.fresh()
    incremental, expected = tree(site.output), tree(fresh.output)
    assert sorted(incremental) == sorted(expected)
    differing = [path for path in expected if incremental[path] != expected[path]]
    assert differing == []
    for part in ("api/", "pagefind/", "sitemap.xml", "feeds/", "topics/"):
        assert any(path.startswith(part) for path in expected), part
    kept, made = store.read(store.model_path(site.output)), store.read(store.model_path(fresh.output))
    assert model_describes(kept, site.output)
    # the rebuild's site model is a fresh build's (but for the build that made it and the
    # recipe, which names the output and cache folders among the settings)
    assert kept._replace(build=made.build, recipe=made.recipe) == made
    rendering = site.rendering()
    pages = rendering["pages_rendered"] + rendering["pages_reused"]
    assert pages > 500
    assert 0 < rendering["pages_rendered"] <= share * pages, rendering
    if change in (unpublish, delete):  # a story far down the list: the pages before it are kept
        # (their key leaves out how many stories the list holds, which the home page never shows)
        assert second_page.stat().st_ino == newer_page


def test_nothing_changed_renders_nothing_and_keeps_the_render_manifest(site: Site) -> None:
    """The writer's own check, with the unchanged-build skip off: every page and feed reused."""
    site.build(SKIP_UNCHANGED_BUILD=False)  # the same settings as the build measured below
    manifest = site.output.with_name("site.render.json")
    before = manifest.stat()
    site.build(SKIP_UNCHANGED_BUILD=False)
    assert site.rendering()["pages_rendered"] == 0
    after = manifest.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_nothing_changed_leaves_the_site_as_it_is(site: Site) -> None:
    """With the skip on (the default), a build after an unchanged one does nothing at all."""
    site.build()  # records its inputs (the build before ran with the skip off)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.output.rglob("*")}
    files = tree(site.output)
    again = site.build()
    assert "Nothing changed since the last build" in again.log
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.output.rglob("*")} == before
    assert files == tree(site.fresh().output)
