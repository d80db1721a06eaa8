"""A build with no skeleton to start from gets the published site's page folders made beside it.

``mirror.py`` lists, then makes, every folder of the site that holds a page or an API document
(and their parents); the build waits for it before the site is listed, and removes the folders it
left empty, so the site still equals a fresh build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

from support.build import run_pelican, tree
from support.items import item_fields, write_item

from topicfeed.atomic_output import mirror, swap


def make_site(site: Path) -> None:
    for page in (
        "index.html",
        "2024/03/01/story/index.html",
        "2024/03/02/other/index.html",
        "api/news/2024/03/01/story/index.json",
        "topics/testing/index.html",
        "feeds/topics/testing.atom.xml",
        "pagefind/all/fragment/en_1.pf_fragment",
        ".git/hooks/index.html",
        "theme/css/site.css",
    ):
        path = site / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    (site / "2024/04/empty").mkdir(parents=True)


PAGE_FOLDERS = [
    "2024",
    "2024/03",
    "2024/03/01",
    "2024/03/01/story",
    "2024/03/02",
    "2024/03/02/other",
    "api",
    "api/news",
    "api/news/2024",
    "api/news/2024/03",
    "api/news/2024/03/01",
    "api/news/2024/03/01/story",
    "topics",
    "topics/testing",
]


def test_the_folders_of_pages_and_api_documents_are_listed_parents_first(tmp_path: Path) -> None:
    make_site(tmp_path / "site")
    # no feeds, theme or search bundle folders (their writers make those), nothing retained
    assert mirror.page_folders(str(tmp_path / "site"), frozenset({".git"})) == PAGE_FOLDERS
    assert ".git/hooks" in mirror.page_folders(str(tmp_path / "site"))


def test_the_folders_are_listed_then_made_beside_what_the_build_made(tmp_path: Path) -> None:
    make_site(tmp_path / "site")
    building = tmp_path / "building"
    (building / "2024/03/01").mkdir(parents=True)  # the build got there first
    assert mirror.main([str(tmp_path / "site"), str(building), str(os.getppid()), ".git"]) == 0
    listing = building / mirror.LIST_NAME
    assert listing.read_text(encoding="utf-8").split("\n") == PAGE_FOLDERS
    listing.unlink()
    made = sorted(p.relative_to(building).as_posix() for p in building.rglob("*") if p.is_dir())
    assert made == PAGE_FOLDERS
    assert not any(p.is_file() for p in building.rglob("*"))


def test_a_staging_folder_set_aside_meanwhile_gets_the_folders_not_its_successor(tmp_path: Path) -> None:
    make_site(tmp_path / "site")
    building = tmp_path / "building"
    building.mkdir()
    fd = os.open(building, os.O_RDONLY | os.O_DIRECTORY)
    try:
        building.rename(tmp_path / "set-aside")  # the build died; the next one parked its folder
        building.mkdir()
        mirror.write_list(fd, ["2024"])
        assert mirror.make(fd, PAGE_FOLDERS) == len(PAGE_FOLDERS)
    finally:
        os.close(fd)
    assert list(building.iterdir()) == []
    assert (tmp_path / "set-aside" / "api/news/2024/03/01/story").is_dir()
    assert (tmp_path / "set-aside" / mirror.LIST_NAME).is_file()


def test_a_list_the_folder_maker_did_not_finish_writing_stays_out_of_the_site(tmp_path: Path) -> None:
    output = tmp_path / "site"
    building = swap.prepare(output, [], recycle=True)
    (building / f"{mirror.LIST_NAME}.tmp").write_text("2024\n2024/03", encoding="utf-8")
    assert swap.take_mirrored_list(output) == 0  # no list: no folder was made
    assert list(building.iterdir()) == []


def test_the_folder_maker_runs_beside_the_build_and_its_empty_folders_are_pruned(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output)
    building = swap.prepare(output, [], recycle=True)  # no skeleton: an empty folder
    process = swap.mirror_in_background(output, building, [".git"])
    assert process is not None
    made, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert made.decode().strip() == f"{len(PAGE_FOLDERS)} of {len(PAGE_FOLDERS)}"
    assert swap.take_mirrored_list(output) == len(PAGE_FOLDERS)
    assert not (building / mirror.LIST_NAME).exists()  # not part of the site
    (building / "2024/03/01/story/index.html").write_text("new", encoding="utf-8")
    (building / "index.html").write_text("home", encoding="utf-8")
    assert swap.prune(output) == len(PAGE_FOLDERS) - 4  # all but 2024/03/01/story and its parents
    assert sorted(p.relative_to(building).as_posix() for p in building.rglob("*") if p.is_dir()) == [
        "2024",
        "2024/03",
        "2024/03/01",
        "2024/03/01/story",
    ]


def test_a_first_rebuild_after_a_cold_build_equals_a_fresh_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for n in range(1, 7):
        write_item(content, f"item-{n}.md", item_fields(n, topics=["Testing", f"Topic {n}"]))
    output = tmp_path / "output"
    cold = run_pelican(content, output, extra={"CACHE_PATH": str(tmp_path / "cache")})
    assert cold.returncode == 0, cold.log
    # A cold build replaced no site: its own page folders become the next build's skeleton, in
    # the background. Taken away here, as when that process failed: the next build makes them.
    assert swap.wait_for_recycling(output, timeout=30)
    assert swap.skeleton_folder(output).is_dir()
    shutil.rmtree(swap.skeleton_folder(output))

    # one story unpublished: its page's folder (made beside the build) must not stay behind
    write_item(content, "item-3.md", item_fields(3, published=False, topics=["Testing", "Topic 3"]))
    rebuilt = run_pelican(content, output, extra={"CACHE_PATH": str(tmp_path / "cache")}, options=("-D",))
    assert rebuilt.returncode == 0, rebuilt.log
    assert "page folders made beside the build:" in rebuilt.log

    fresh = run_pelican(content, tmp_path / "fresh", extra={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert fresh.returncode == 0, fresh.log
    assert tree(output) == tree(tmp_path / "fresh")
    folders = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_dir()}
    fresh_folders = {
        p.relative_to(tmp_path / "fresh").as_posix() for p in (tmp_path / "fresh").rglob("*") if p.is_dir()
    }
    assert folders == fresh_folders


def test_a_build_that_replaced_no_site_leaves_a_skeleton_of_its_own_made_in_the_background(
    tmp_path: Path,
) -> None:
    """A cold build has no retired site to empty into the next build's skeleton: one is made
    from its page folders by a process that outlives it, which ``settle`` waits for."""
    site = tmp_path / "site"
    make_site(swap.building_folder(site))
    assert swap.swap(site, recycle=True, retained=[".git"])
    assert (site / "2024/03/01/story/index.html").is_file()
    assert swap.wait_for_recycling(site, timeout=30)
    skeleton = swap.skeleton_folder(site)
    assert sorted(str(p.relative_to(skeleton)) for p in skeleton.rglob("*") if p.is_dir()) == PAGE_FOLDERS
    assert not any(p.is_file() for p in skeleton.rglob("*") if p.name != swap.SKELETON_LIST)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.skeleton", "site"]
    assert not swap.leave_skeleton_in_background(site, [])  # there is one: none made again
    building = swap.prepare(site, [".git"], recycle=True)  # the next build takes it over
    assert (building / "api/news/2024/03/01/story").is_dir()
    assert swap.folders_list(site).read_text(encoding="utf-8").split("\n") == PAGE_FOLDERS


def test_no_skeleton_is_made_after_a_build_that_does_not_recycle_folders(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(swap.building_folder(site))
    assert swap.swap(site, recycle=False)
    assert swap.wait_for_recycling(site, timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_skeleton_being_made_is_waited_for_and_not_made_twice(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    making = tmp_path / ".site.skeleton-making-1-2"
    making.mkdir()
    held = os.open(making, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # its maker runs
        assert not swap.wait_for_recycling(site, timeout=0.2)
        assert not swap.leave_skeleton_in_background(site, [])
    finally:
        os.close(held)
    assert swap.wait_for_recycling(site, timeout=0)


def test_a_skeleton_left_half_made_by_a_killed_build_is_removed_by_the_next(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    left = tmp_path / ".site.skeleton-making-1-2"
    (left / "2024/03").mkdir(parents=True)  # its build is gone: nobody holds its lock
    swap.recover(site)
    _wait_for_removals(tmp_path)
    assert not left.exists()
    assert not swap.skeleton_folder(site).exists()


def _wait_for_removals(folder: Path) -> None:
    deadline = time.monotonic() + 10
    while any(p.name.startswith(".site.removing-") for p in folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
