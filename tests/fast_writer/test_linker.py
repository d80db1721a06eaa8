"""Unchanged pages linked by the helper process: what it links, what it refuses, how it fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.build import ROOT, run_pelican, tree
from support.items import item_fields, write_item

from topicfeed.fast_writer.link_pages import link_pages
from topicfeed.fast_writer.linker import Linker, LinkerFailed
from topicfeed.fast_writer.manifest import file_stat


def three_items(folder: Path) -> Path:
    folder.mkdir()
    for n in (1, 2, 3):
        write_item(folder, f"item{n}.txt", item_fields(n))
    return folder


def sites(tmp_path: Path, *pages: str) -> tuple[Path, Path]:
    """A previous site holding ``pages`` and an empty folder for the next build."""
    previous, building = tmp_path / "site", tmp_path / "building"
    for page in pages:
        (previous / page).parent.mkdir(parents=True, exist_ok=True)
        (previous / page).write_text(f"<p>{page}</p>", encoding="utf-8")
    building.mkdir()
    return previous, building


def test_pages_whose_file_is_as_recorded_are_linked_into_their_folders(tmp_path: Path) -> None:
    previous, building = sites(tmp_path, "a/index.html", "b/c/index.html", "top.html")
    (building / "top.html").write_text("something of this build", encoding="utf-8")
    linker = Linker(previous, building)
    for page in ("a/index.html", "b/c/index.html", "top.html"):
        linker.link(page, file_stat(previous / page))
    assert linker.finish() == []
    for page in ("a/index.html", "b/c/index.html", "top.html"):
        assert (building / page).stat().st_ino == (previous / page).stat().st_ino, page


def test_pages_whose_file_changed_or_went_away_are_refused_not_linked(tmp_path: Path) -> None:
    previous, building = sites(tmp_path, "kept.html", "touched.html", "gone.html", "é/page.html")
    recorded = {page: file_stat(previous / page) for page in ("kept.html", "touched.html", "gone.html")}
    (previous / "touched.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    (previous / "gone.html").unlink()
    linker = Linker(previous, building)
    for page, stat in recorded.items():
        linker.link(page, stat)
    size, mtime = file_stat(previous / "é/page.html")
    linker.link("é/page.html", [size, mtime + 1])
    assert linker.finish() == ["touched.html", "gone.html", "é/page.html"]
    assert sorted(p.name for p in building.rglob("*") if p.is_file()) == ["kept.html"]


def test_the_helper_parses_pages_split_anywhere_by_the_pipe(tmp_path: Path) -> None:
    """The fields of a page may arrive in two reads: the helper joins them (``link_pages``)."""
    previous, building = sites(tmp_path, "page.html")
    size, mtime = file_stat(previous / "page.html")
    assert (
        link_pages(str(previous), str(building), [b"page.html", str(size).encode(), str(mtime).encode()])
        == []
    )
    assert (building / "page.html").exists()
    many = [f"p{n}/index.html" for n in range(3000)]  # more than one read of the pipe
    previous, building = sites(tmp_path / "many", *many)
    linker = Linker(previous, building)
    for page in many:
        linker.link(page, file_stat(previous / page))
    assert linker.finish() == []
    assert len(list(building.rglob("index.html"))) == 3000


def test_a_helper_that_fails_fails_the_build_with_its_error(tmp_path: Path) -> None:
    previous, building = sites(tmp_path, "a/index.html")
    (building / "a").write_text("a file where the folder should be", encoding="utf-8")
    linker = Linker(previous, building)
    linker.link("a/index.html", file_stat(previous / "a/index.html"))
    with pytest.raises(LinkerFailed, match="NotADirectoryError"):
        linker.finish()


def test_the_helper_dies_with_the_build(tmp_path: Path) -> None:
    """A build killed with SIGKILL leaves no helper linking into its staging folder.

    The end of the pipe the build writes to is held open by a process the build forked, so the
    helper's input does not end when the build dies: the kernel has to kill it with the build.
    """
    previous, building = sites(tmp_path, "page.html")
    script = (
        "import os, signal, sys, time\n"
        "from pathlib import Path\n"
        "from topicfeed.fast_writer.linker import Linker\n"
        f"linker = Linker(Path({str(previous)!r}), Path({str(building)!r}))\n"
        "holder = os.fork()\n"
        "if holder == 0:  # lets the test's pipes end: only the helper's input stays open\n"
        "    null = os.open(os.devnull, os.O_RDWR)\n"
        "    os.dup2(null, 1)\n"
        "    os.dup2(null, 2)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(linker._process.pid, holder, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    killed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    helper, holder = (int(pid) for pid in killed.stdout.split())
    try:
        assert killed.returncode == -9, killed.stderr
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(helper):
            time.sleep(0.01)
        assert not _alive(helper), "the helper runs on after the build was killed"
    finally:
        os.kill(holder, 9)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_rebuild_links_through_the_helper_and_renders_a_touched_page_again(tmp_path: Path) -> None:
    """In a real rebuild: pages linked by the helper, a page edited by hand in the previous site
    rendered again, and the site the same as a fresh build's."""
    content = three_items(tmp_path / "content")
    # The full build's linker (a rebuild from the model links the last site its own way).
    out, settings = tmp_path / "out" / "site", {"RENDER_LINKER_MIN_PAGES": 0, "REBUILD_FROM_MODEL": False}
    first = run_pelican(content, out, extra=settings)
    assert first.returncode == 0, first.log
    assert "link_pages" not in first.log  # nothing to link from: a first build
    fresh = tree(out)
    touched = sorted(out.glob("20*/*/*/*/index.html"))[0]  # an article page
    touched.write_text(touched.read_text(encoding="utf-8") + "<!-- edited by hand -->", encoding="utf-8")
    second = run_pelican(content, out, extra=settings, options=("--verbose",))
    assert second.returncode == 0, second.log
    found = re.search(
        r"(\d+) unchanged pages linked by link_pages, (\d+) of them", re.sub(r"\s+", " ", second.log)
    )
    assert found, second.log
    assert int(found.group(1)) > 5 and int(found.group(2)) == 1
    assert tree(out) == fresh


def test_a_helper_that_dies_while_pages_are_sent_fails_once_and_stays_failed(tmp_path: Path) -> None:
    """The helper fails on its first page; the pages sent after it find the pipe closed. The
    build's ``finally`` asks again and gets the same error, not one about a closed pipe."""
    previous, building = sites(tmp_path, "a/index.html")
    (building / "a").write_text("a file where the folder should be", encoding="utf-8")
    stat = file_stat(previous / "a/index.html")
    linker = Linker(previous, building)
    with pytest.raises(LinkerFailed, match="NotADirectoryError") as first:
        for _ in range(200_000):  # far more than the pipe holds
            linker.link("a/index.html", stat)
    with pytest.raises(LinkerFailed) as again:
        linker.finish()
    assert again.value is first.value
