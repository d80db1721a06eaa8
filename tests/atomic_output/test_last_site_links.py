"""The linker of a rebuild from the model (``atomic_output/link_tree.py``): every file of the
last site but those left out is hard-linked into a folder, each held to the last build's record;
folders are made only for a file, listed, and not asked for when they are there already (the
skeleton of an earlier site)."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.build import tree
from support.recorded_site import recorded_site

from topicfeed.atomic_output import link_tree
from topicfeed.atomic_output.link_tree import ChangedSince

FILES = {
    "index.html": "home",
    "feeds/all.atom.xml": "feed",
    "2024/03/01/a/index.html": "a",
    "2024/03/01/b/index.html": "b",
    "2024/03/02/c/index.html": "c",
    "pagefind/2024-03/index.pf": "bundle",
    "pagefind/2024-03/fragment/x.pf": "fragment",
    "CNAME": "example.org",
}
#: What a rebuild writes anew or removes: two pages, the home page and a search bundle, whole.
LEAVE = {"index.html", "2024/03/01/a/index.html", "2024/03/02/c/index.html", "pagefind/2024-03/"}
KEPT = {"feeds/all.atom.xml", "2024/03/01/b/index.html"}


def _site(root: Path) -> tuple[Path, dict[str, list[int]]]:
    return recorded_site(root, FILES, ("CNAME",))


def _folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def _link(site: Path, into: Path, recorded: dict[str, list[int]]) -> int:
    linked, inodes, _ = link_tree.link_tree(str(site), str(into), LEAVE, {"CNAME"}, recorded)
    assert inodes == {}  # each as recorded
    return linked


def test_inodes_not_as_recorded_are_told(tmp_path: Path) -> None:
    """A record restored from another machine lists other inodes: the linking says which, so
    the record of the new site lists the files as they are without walking them again."""
    site, recorded = _site(tmp_path)
    recorded["feeds/all.atom.xml"][2] += 1_000_000
    del recorded["2024/03/01/b/index.html"][2:]
    into = tmp_path / "building"
    linked, inodes, _ = link_tree.link_tree(str(site), str(into), LEAVE, {"CNAME"}, recorded)
    assert linked == len(KEPT)
    assert inodes == {name: (site / name).stat().st_ino for name in KEPT}


def test_every_file_but_those_left_out_is_linked_with_only_its_folders(tmp_path: Path) -> None:
    site, recorded = _site(tmp_path)
    into = tmp_path / "building"
    into.mkdir()
    (into / "2024/03").mkdir(parents=True)  # a skeleton's folder
    linked, _, made = link_tree.link_tree(str(site), str(into), LEAVE, {"CNAME"}, recorded)
    assert linked == len(KEPT)
    assert set(tree(into)) == KEPT
    for name in KEPT:
        assert (into / name).stat().st_ino == (site / name).stat().st_ino
    # No folder for a file left out: a fresh build has no empty folder.
    assert _folders(into) == {"feeds", "2024", "2024/03", "2024/03/01", "2024/03/01/b"}
    # Those it made are named (without the parents made with them): the rebuild may empty them.
    assert made == ["2024/03/01/b", "feeds"]


def test_folders_already_there_are_not_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild usually starts from the empty folders of an earlier site."""
    site, recorded = _site(tmp_path)
    into = tmp_path / "building"
    for name in FILES:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
    asked: list[str] = []
    makedirs = os.makedirs
    monkeypatch.setattr(os, "makedirs", lambda name, **kw: (asked.append(name), makedirs(name, **kw)))
    assert _link(site, into, recorded) == len(KEPT)
    assert asked == []
    assert set(tree(into)) == KEPT


@pytest.mark.parametrize("where", ["kept", "left out"])
def test_a_file_changed_since_the_record_fails_the_linking_unless_it_is_left_out(
    tmp_path: Path, where: str
) -> None:
    site, recorded = _site(tmp_path)
    name = "2024/03/01/b/index.html" if where == "kept" else "2024/03/01/a/index.html"
    (site / name).write_text("changed by hand", encoding="utf-8")
    into = tmp_path / "building"
    into.mkdir()
    if where == "kept":
        with pytest.raises(ChangedSince, match=re.escape(name)):
            _link(site, into, recorded)
    else:
        assert _link(site, into, recorded) == len(KEPT)


def test_a_recorded_file_gone_fails_the_linking(tmp_path: Path) -> None:
    site, recorded = _site(tmp_path)
    (site / "2024/03/01/b/index.html").unlink()
    with pytest.raises(ChangedSince, match=re.escape("2024/03/01/b/index.html")):
        _link(site, tmp_path / "one", recorded)
    site, recorded = _site(tmp_path / "again")
    (site / "feeds/all.atom.xml").unlink()
    (site / "feeds/all.atom.xml").mkdir()  # a folder where the record has a file
    with pytest.raises(ChangedSince, match=re.escape("feeds/all.atom.xml")):
        _link(site, tmp_path / "two", recorded)


def test_a_file_added_by_hand_is_not_linked(tmp_path: Path) -> None:
    """Not recorded, so not part of the last build's site: the new site has it no more than a
    fresh build would (and the linking goes on)."""
    site, recorded = _site(tmp_path)
    (site / "2024/03/01/b/extra.html").write_text("added by hand", encoding="utf-8")
    (site / "stray").mkdir()
    (site / "stray/page.html").write_text("added by hand", encoding="utf-8")
    into = tmp_path / "building"
    assert _link(site, into, recorded) == len(KEPT)
    assert set(tree(into)) == KEPT


def test_the_helper_prints_the_files_linked_or_the_first_not_as_recorded(tmp_path: Path) -> None:
    site, recorded = _site(tmp_path)
    command = [sys.executable, "-I", "-S", link_tree.__file__, str(site), str(tmp_path / "b1")]
    given = pickle.dumps({"leave": set(LEAVE), "recorded": recorded})
    done = subprocess.run(
        [*command, str(os.getpid()), "CNAME"], input=given, capture_output=True, check=False
    )
    made = '["2024/03/01/b", "feeds"]'
    assert (done.returncode, done.stdout) == (0, f"{len(KEPT)}\n{{}}\n{made}\n".encode())
    (site / "feeds/all.atom.xml").write_text("edited by hand", encoding="utf-8")
    command[-1] = str(tmp_path / "b2")
    done = subprocess.run(
        [*command, str(os.getpid()), "CNAME"], input=given, capture_output=True, check=False
    )
    assert (done.returncode, done.stdout) == (link_tree.CHANGED_SINCE, b"feeds/all.atom.xml\n")


@pytest.mark.parametrize("folder", ["there", "made"])
def test_a_file_gone_between_its_check_and_its_link_fails_the_linking_as_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    """Two rebuilds started together: the first swaps in its site and empties the one it
    retired, which the second is still linking from. The second builds in full (the site is
    not as recorded), rather than failing with the linker's traceback (CI, 2026-12-06)."""
    site, recorded = _site(tmp_path)
    into = tmp_path / "building"
    gone = "2024/03/01/b/index.html"
    if folder == "there":
        (into / gone).parent.mkdir(parents=True)
    link = os.link

    def emptied_meanwhile(src: str, dst: str, **kw: object) -> None:
        if src == gone and (site / gone).exists():
            (site / gone).unlink()
        link(src, dst, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", emptied_meanwhile)
    with pytest.raises(ChangedSince, match=re.escape(gone)):
        _link(site, into, recorded)
