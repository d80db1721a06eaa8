"""A rebuild from the model has the last site linked while it plans (``atomic_output/ahead.py``).

The linking takes the skeleton of an earlier site (or a folder of its own when there is none),
links every recorded file but the retained names into it, and at the run's start that folder
becomes the building folder; a run that becomes a full build, or a build killed meanwhile,
leaves none of it behind.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from pathlib import Path

import pytest
from support.build import tree
from support.recorded_site import recorded_site

from topicfeed.atomic_output import ahead, swap

PAGES = {
    "index.html": "home",
    "2024/03/01/a/index.html": "a",
    "2024/03/02/b/index.html": "b",
    "api/news/2024/03/01/a/index.json": "{}",
    "feeds/all.atom.xml": "feed",
    "CNAME": "example.org",
}
RETAINED = ["CNAME"]


def _site(root: Path) -> tuple[Path, dict[str, list[int]]]:
    return recorded_site(root, PAGES, RETAINED)


def _skeleton(site: Path, folders: list[str]) -> None:
    skeleton = swap.skeleton_folder(site)
    for folder in folders:
        (skeleton / folder).mkdir(parents=True, exist_ok=True)
    (skeleton / swap.SKELETON_LIST).write_text("\n".join(folders), encoding="utf-8")


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _wait_for_removals(folder: Path) -> None:
    deadline = time.monotonic() + 10
    while any(".removing-" in p.name for p in folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_skeleton_is_taken_and_filled_with_the_last_site_then_made_the_building_folder(
    tmp_path: Path,
) -> None:
    site, recorded = _site(tmp_path)
    _skeleton(site, ["2024", "2024/03", "2024/03/01", "2024/03/01/a"])
    recorded["feeds/all.atom.xml"][2] += 1_000_000  # a record restored on another machine
    linking = ahead.link_ahead(site, recorded, RETAINED, recycle=True)
    assert linking is not None
    assert not swap.skeleton_folder(site).exists()  # taken: no other run gets it
    assert linking.folder.name.startswith(".site.ahead-")
    linked = linking.finish()
    # Every recorded file, each the live site's own, listed as found.
    assert linked.files == {
        name: [*entry[:2], (site / name).stat().st_ino] for name, entry in recorded.items()
    }
    assert set(tree(linking.folder)) == set(recorded)
    for name in recorded:
        assert (linking.folder / name).stat().st_ino == (site / name).stat().st_ino
    # The skeleton's folders and those the linker made, with their parents: a rebuild's
    # removals may leave any of them empty.
    skeleton = ["2024", "2024/03", "2024/03/01", "2024/03/01/a"]
    made = ["2024/03/02", "2024/03/02/b", "api", "api/news", "api/news/2024", "api/news/2024/03"]
    made += ["api/news/2024/03/01", "api/news/2024/03/01/a", "feeds"]
    assert linked.folders == sorted([*skeleton, *made])
    building = swap.prepare(site, RETAINED, recycle=True, ahead=(linking.folder, linked.folders))
    linking.adopted()
    assert building == swap.building_folder(site)
    assert set(tree(building)) == set(PAGES)  # the retained name copied, as ever
    assert (building / "CNAME").stat().st_ino != (site / "CNAME").stat().st_ino
    assert sorted(swap.folders_list(site).read_text(encoding="utf-8").split("\n")) == sorted(linked.folders)
    assert _names(tmp_path) == [".site.building", ".site.building-folders", "site"]


def test_a_page_gone_leaves_no_empty_folder_even_where_the_linker_made_it(tmp_path: Path) -> None:
    """No skeleton (the first rebuild after a cold build whose skeleton failed): the linker makes
    the folders, and the commit removes those the rebuild emptied, as a fresh build has none."""
    site, recorded = _site(tmp_path)
    linking = ahead.link_ahead(site, recorded, RETAINED, recycle=True)
    assert linking is not None
    linked = linking.finish()
    building = swap.prepare(site, RETAINED, recycle=True, ahead=(linking.folder, linked.folders))
    linking.adopted()
    (building / "2024/03/02/b/index.html").unlink()  # the rebuild removes a page gone
    filled = {p.parent.relative_to(building).as_posix() for p in building.rglob("*") if p.is_file()}
    assert swap.prune(site, filled) == 2  # 2024/03/02/b, then 2024/03/02
    assert not (building / "2024/03/02").exists()
    assert (building / "2024/03/01/a/index.html").is_file()


def test_a_file_changed_by_hand_since_the_record_ends_the_linking_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    site, recorded = _site(tmp_path)
    _skeleton(site, ["2024"])
    (site / "2024/03/02/b/index.html").write_text("edited by hand", encoding="utf-8")
    linking = ahead.link_ahead(site, recorded, RETAINED, recycle=True)
    assert linking is not None
    with pytest.raises(
        ahead.ChangedSince, match=re.escape("2024/03/02/b/index.html: not as the last build left it")
    ):
        linking.finish()
    _wait_for_removals(tmp_path)
    assert _names(tmp_path) == ["site"]


def test_a_run_that_became_a_full_build_cancels_the_linking(tmp_path: Path) -> None:
    site, recorded = _site(tmp_path)
    linking = ahead.link_ahead(site, recorded, RETAINED, recycle=False)
    assert linking is not None
    linking.cancel()
    _wait_for_removals(tmp_path)
    assert _names(tmp_path) == ["site"]
    assert set(tree(site)) == set(PAGES)  # the published site untouched


def test_a_folder_linked_for_a_build_killed_meanwhile_is_removed_by_the_next(tmp_path: Path) -> None:
    site, _ = _site(tmp_path)
    left = tmp_path / ".site.ahead-1-2"
    (left / "2024").mkdir(parents=True)
    os.link(site / "index.html", left / "index.html")  # its build is gone: nobody holds its lock
    held = tmp_path / ".site.ahead-3-4"
    held.mkdir()
    lock = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a build planning right now
        swap.recover(site)
        _wait_for_removals(tmp_path)
        assert _names(tmp_path) == [".site.ahead-3-4", "site"]
    finally:
        os.close(lock)
    assert (site / "index.html").read_text(encoding="utf-8") == "home"
