"""The atomic swap's file-system steps, on small folders: exchange, fallback, recovery, retention."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from topicfeed.atomic_output import swap


def make_site(folder: Path, marker: str) -> None:
    (folder / "posts").mkdir(parents=True)
    (folder / "index.html").write_text(f"<p>{marker}</p>", encoding="utf-8")
    (folder / "posts" / "a.html").write_text(marker, encoding="utf-8")


def files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def siblings(output: Path) -> set[str]:
    return {p.name for p in output.parent.iterdir()}


def wait_gone(paths: list[Path]) -> None:
    """The previous site is removed by a background ``rm``; wait (bounded) until it is gone."""
    deadline = time.monotonic() + 30
    while any(p.exists() for p in paths) and time.monotonic() < deadline:
        time.sleep(0.05)


def parked(output: Path) -> list[Path]:
    return [p for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.removing-")]


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    make_site(a, "A")
    make_site(b, "B")
    assert swap.exchange(a, b)  # Linux with renameat2 (the CI runner and this machine)
    assert files(a)["index.html"] == "<p>B</p>"
    assert files(b)["index.html"] == "<p>A</p>"


def test_exchange_starts_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The swap ends every build: finding libc with ``ctypes.util.find_library`` ran ``ldconfig``
    there (about 20 ms a build)."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refused)
    a, b = tmp_path / "a", tmp_path / "b"
    make_site(a, "A")
    make_site(b, "B")
    assert swap.exchange(a, b)
    assert files(a)["index.html"] == "<p>B</p>"


def test_exchange_of_a_missing_path_fails_without_changing_anything(tmp_path: Path) -> None:
    a = tmp_path / "a"
    make_site(a, "A")
    assert not swap.exchange(a, tmp_path / "missing")
    assert files(a)["index.html"] == "<p>A</p>"


@pytest.mark.parametrize("exchange_works", [True, False], ids=["renameat2", "fallback"])
def test_swap_puts_the_new_site_in_place_and_removes_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange_works: bool
) -> None:
    output = tmp_path / "site"
    make_site(output, "old")
    calls: list[tuple[Path, Path]] = []
    real_exchange = swap.exchange

    def exchange(a: Path, b: Path) -> bool:
        calls.append((a, b))
        return real_exchange(a, b) if exchange_works else False

    monkeypatch.setattr(swap, "exchange", exchange)
    building = swap.prepare(output, [])
    assert building == tmp_path / ".site.building"
    make_site(building, "new")
    assert swap.swap(output)
    assert calls == [(building, output)]
    assert files(output) == {"index.html": "<p>new</p>", "posts/a.html": "new"}
    assert not building.exists() and not swap.previous_folder(output).exists()
    wait_gone(parked(output))
    assert siblings(output) == {"site"}


def test_swap_into_a_missing_output_renames_the_build(tmp_path: Path) -> None:
    output = tmp_path / "site"
    building = swap.prepare(output, [])
    make_site(building, "first")
    assert swap.swap(output)
    assert files(output)["index.html"] == "<p>first</p>"
    assert siblings(output) == {"site"}


def test_swap_without_a_finished_build_changes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "old")
    assert not swap.swap(output)
    assert files(output)["index.html"] == "<p>old</p>"


def test_a_swap_killed_between_its_two_renames_is_undone(tmp_path: Path) -> None:
    """The fallback renamed site -> .site.previous and died before .site.building -> site."""
    output = tmp_path / "site"
    make_site(swap.previous_folder(output), "old")
    make_site(swap.building_folder(output), "half")
    swap.recover(output)
    assert files(output) == {"index.html": "<p>old</p>", "posts/a.html": "old"}
    assert not swap.building_folder(output).exists()
    assert not swap.previous_folder(output).exists()
    wait_gone(parked(output))
    assert siblings(output) == {"site"}


def test_a_swap_killed_after_the_exchange_keeps_the_new_site(tmp_path: Path) -> None:
    """renameat2 exchanged the folders; the old site still sits in .site.building."""
    output = tmp_path / "site"
    make_site(output, "new")
    make_site(swap.building_folder(output), "old")
    swap.recover(output)
    assert files(output)["index.html"] == "<p>new</p>"
    wait_gone(parked(output))
    assert siblings(output) == {"site"}


def test_a_killed_build_and_an_unfinished_removal_are_cleared(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "current")
    make_site(swap.building_folder(output), "killed")
    leftover = tmp_path / ".site.removing-123-456"
    make_site(leftover, "older")
    building = swap.prepare(output, [])
    assert list(building.iterdir()) == []
    assert files(output)["index.html"] == "<p>current</p>"
    wait_gone([*parked(output), leftover])
    assert siblings(output) == {"site", ".site.building"}


def test_retained_names_are_carried_into_the_new_build(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "old")
    (output / "CNAME").write_text("news.example.org\n", encoding="ascii")
    (output / ".git" / "refs").mkdir(parents=True)
    (output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="ascii")
    os.symlink("index.html", output / "latest")
    building = swap.prepare(output, ["CNAME", ".git", "latest", "absent"])
    assert files(building) == {
        "CNAME": "news.example.org\n",
        ".git/HEAD": "ref: refs/heads/gh-pages\n",
    }
    assert os.readlink(building / "latest") == "index.html"  # a symlink stays a symlink
    assert (building / ".git" / "refs").is_dir()
    assert not (building / "index.html").exists()  # everything else starts afresh


def wait_for(path: Path) -> None:
    """The retired site is emptied into a skeleton by a background process; wait (bounded)."""
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def test_a_recycled_site_leaves_its_folders_and_no_file_for_the_next_build(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "old")
    (output / "gone" / "deep").mkdir(parents=True)
    (output / "gone" / "deep" / "page.html").write_text("x", encoding="utf-8")
    building = swap.prepare(output, [], recycle=True)  # nothing to take over yet: a fresh folder
    assert list(building.iterdir()) == []
    make_site(building, "new")
    assert swap.swap(output, recycle=True)
    skeleton = swap.skeleton_folder(output)
    wait_for(skeleton)
    assert files(output) == {"index.html": "<p>new</p>", "posts/a.html": "new"}
    assert folders(skeleton) == {"posts", "gone", "gone/deep"}
    assert [p.name for p in skeleton.rglob("*") if not p.is_dir()] == [swap.SKELETON_LIST]

    building = swap.prepare(output, [], recycle=True)
    assert not skeleton.exists()
    assert folders(building) == {"posts", "gone", "gone/deep"}
    assert [p for p in building.rglob("*") if not p.is_dir()] == []  # folders only, no stale page
    (building / "index.html").write_text("<p>third</p>", encoding="utf-8")
    (building / "posts" / "b.html").write_text("b", encoding="utf-8")
    (building / "new").mkdir()
    assert swap.prune(output) == 2  # gone/deep, then gone; posts holds a page
    assert folders(building) == {"posts", "new"}  # what the build made stays, even empty
    assert not swap.folders_list(output).exists()
    assert swap.swap(output, recycle=True)
    assert files(output) == {"index.html": "<p>third</p>", "posts/b.html": "b"}


def test_retained_folders_are_never_pruned(tmp_path: Path) -> None:
    """An empty folder in .git (refs/tags) is part of the retained copy, not a skeleton leftover."""
    output = tmp_path / "site"
    make_site(output, "old")
    (output / ".git" / "refs" / "tags").mkdir(parents=True)
    (output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="ascii")
    building = swap.prepare(output, [".git"], recycle=True)
    make_site(building, "new")
    assert swap.swap(output, recycle=True)
    wait_for(swap.skeleton_folder(output))
    building = swap.prepare(output, [".git"], recycle=True)
    assert (building / ".git" / "HEAD").read_text(encoding="ascii") == "ref: refs/heads/gh-pages\n"
    swap.prune(output)
    assert (building / ".git" / "refs" / "tags").is_dir()
    assert not (building / "posts").exists()


def test_a_skeleton_without_its_folder_list_is_not_used(tmp_path: Path) -> None:
    """Only a finished clearing names a skeleton; anything else there is not trusted."""
    output = tmp_path / "site"
    make_site(output, "current")
    skeleton = swap.skeleton_folder(output)
    (skeleton / "stale").mkdir(parents=True)
    (skeleton / "stale" / "page.html").write_text("stale", encoding="utf-8")
    building = swap.prepare(output, [], recycle=True)
    assert list(building.iterdir()) == []
    assert not swap.folders_list(output).exists()


def test_a_site_being_cleared_is_left_alone_and_an_abandoned_one_removed(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "current")
    busy, abandoned = tmp_path / ".site.clearing-1-1", tmp_path / ".site.clearing-2-2"
    make_site(busy, "busy")
    make_site(abandoned, "abandoned")
    fd = swap._lock(busy)  # as the clearing process holds it
    assert fd is not None
    try:
        swap.recover(output)
        wait_gone([abandoned, *parked(output)])
        assert busy.exists() and not abandoned.exists()
    finally:
        os.close(fd)
    swap.recover(output)
    wait_gone([busy, *parked(output)])
    assert siblings(output) == {"site"}


def test_waiting_for_recycling_ends_when_the_clearer_lets_go(tmp_path: Path) -> None:
    """``make settle`` (CI, before saving the build state) waits while a clearer holds a retired
    site's lock, and no longer: an abandoned clearing or none at all is nothing to wait for."""
    output = tmp_path / "site"
    make_site(output, "current")
    assert swap.wait_for_recycling(output, timeout=0)
    busy = tmp_path / ".site.clearing-1-1"
    make_site(busy, "busy")
    fd = swap._lock(busy)  # as the clearing process holds it
    assert fd is not None
    try:
        started = time.monotonic()
        assert not swap.wait_for_recycling(output, timeout=0.3)
        assert time.monotonic() - started >= 0.3
    finally:
        os.close(fd)
    assert swap.wait_for_recycling(output, timeout=0)  # abandoned: the next build removes it


def test_waiting_for_recycling_sees_the_skeleton_of_a_real_swap(tmp_path: Path) -> None:
    output = tmp_path / "site"
    make_site(output, "old")
    make_site(swap.prepare(output, [], recycle=True), "new")
    assert swap.swap(output, recycle=True)
    assert swap.wait_for_recycling(output, timeout=30)
    skeleton = swap.skeleton_folder(output)
    assert folders(skeleton) == {"posts"} and (skeleton / swap.SKELETON_LIST).is_file()


def filled_folders(folder: Path) -> set[str]:
    """Folders with a file in them or below: what the record step's listing hands the commit."""
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_dir() and any(not q.is_dir() for q in p.rglob("*"))
    }


@pytest.mark.parametrize("told", [True, False])
def test_pruning_only_the_folders_without_a_file_leaves_what_trying_every_folder_leaves(
    tmp_path: Path, told: bool
) -> None:
    """Told the folders holding a file, the commit tries only the others: the same site results."""
    output = tmp_path / "site"
    make_site(output, "old")
    for name in ("gone/deep/deeper/page.html", "half/kept/page.html", "half/gone/page.html", "a/b/c/d.html"):
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text("x", encoding="utf-8")
    building = swap.prepare(output, [], recycle=True)
    make_site(building, "new")
    assert swap.swap(output, recycle=True)
    wait_for(swap.skeleton_folder(output))
    building = swap.prepare(output, [], recycle=True)
    (building / "index.html").write_text("<p>third</p>", encoding="utf-8")
    (building / "posts" / "b.html").write_text("b", encoding="utf-8")
    (building / "half" / "kept" / "page.html").write_text("y", encoding="utf-8")
    (building / "a" / "b" / "e.html").write_text("z", encoding="utf-8")  # c is left empty below b
    (building / "made" / "empty").mkdir(parents=True)  # the build's own empty folder stays
    (building / "gone" / "deep" / "own").mkdir()  # and keeps its taken-over parents
    filled = filled_folders(building) if told else None
    removed = swap.prune(output, filled)
    assert removed == 3  # half/gone, a/b/c, gone/deep/deeper
    assert folders(building) == {
        "posts", "half", "half/kept", "a", "a/b", "made", "made/empty", "gone", "gone/deep", "gone/deep/own",
    }  # fmt: skip
