"""The files a rebuild from the model writes from the site alone (the search bundles) are made
while the rebuild plans and renders: in a process forked for them, or on a thread when the
memory budget has no room for another process. Started ahead of the building folder, the
writers do all they can, wait for it, and write only once the rebuild says where and which
files; what they wrote, or how they failed, reaches the rebuild."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest

from topicfeed import forked
from topicfeed.items import PlainSite
from topicfeed.site_model import site_writes
from topicfeed.site_model.site_writes import SiteWrites, Stopped


def _site(budget_mb: int) -> PlainSite:
    return PlainSite({"MEMORY_BUDGET_MB": budget_mb}, (), {}, ())


def _writer(fail: bool = False, made: Path | None = None) -> Any:
    """A writer of the ``pagefind/`` files asked for, which (given ``made``) notes there, before
    it asks for the folder, the files it was asked for and its process."""

    def write(site: PlainSite, paths: Collection[str], folder: Callable[[], Path]) -> set[str]:
        if fail:
            raise OSError("disk full")
        mine = {path for path in paths if path.startswith("pagefind/")}
        if made is not None:
            with made.open("a", encoding="utf-8") as note:
                note.write(f"{os.getpid()} {' '.join(sorted(mine))}\n")
        if not mine:
            return set()
        place = folder()
        for path in mine:
            (place / path).parent.mkdir(parents=True, exist_ok=True)
            (place / path).write_text(str(os.getpid()), encoding="utf-8")
        return mine

    return write


def _writers(monkeypatch: pytest.MonkeyPatch, *writers: Any) -> None:
    monkeypatch.setattr(site_writes, "site_writers", lambda settings: [("search", w) for w in writers])


def _no_room(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_writes, "extra_processes", lambda settings, wanted, each_mb, **kw: 0)


def _noted(made: Path, lines: int) -> list[str]:
    """The writer's notes, once it has made ``lines`` of them (it runs on its own)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if made.exists() and len(found := made.read_text(encoding="utf-8").splitlines()) >= lines:
            return found
        time.sleep(0.01)
    raise AssertionError(f"the writer made no note in {made}")


def test_the_writers_run_in_a_forked_process_and_say_what_they_wrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _writers(monkeypatch, _writer())
    writes = SiteWrites(_site(0), ["pagefind/a/", "pagefind/shards.json", "index.html"], tmp_path)
    assert writes.finish() == {"pagefind/a/", "pagefind/shards.json"}
    assert (tmp_path / "pagefind/shards.json").read_text(encoding="utf-8") != str(os.getpid())
    assert writes.finish() == {"pagefind/a/", "pagefind/shards.json"}  # asked again: the same


def test_without_room_for_a_process_they_run_on_a_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _writers(monkeypatch, _writer())
    _no_room(monkeypatch)
    writes = SiteWrites(_site(1), ["pagefind/shards.json"], tmp_path)
    assert writes.finish() == {"pagefind/shards.json"}
    assert (tmp_path / "pagefind/shards.json").read_text(encoding="utf-8") == str(os.getpid())


def test_a_failed_writer_fails_the_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _writers(monkeypatch, _writer(fail=True))
    writes = SiteWrites(_site(0), ["pagefind/shards.json"], tmp_path)
    with pytest.raises(forked.ForkedStepFailed, match="disk full"):
        writes.finish()
    _no_room(monkeypatch)
    on_thread = SiteWrites(_site(1), ["pagefind/shards.json"], tmp_path)
    with pytest.raises(OSError, match="disk full"):
        on_thread.finish()


def _ended(pid: int) -> bool:
    """Whether the process has exited (a zombie until its parent waits for it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_writers_that_failed_before_the_folder_was_ready_fail_the_rebuild_with_their_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made = tmp_path / "made"

    def write(site: PlainSite, paths: Collection[str], folder: Callable[[], Path]) -> set[str]:
        made.write_text(str(os.getpid()), encoding="utf-8")
        raise OSError("disk full")

    _writers(monkeypatch, write)
    writes = SiteWrites.ahead(_site(0), lambda: ["pagefind/shards.json"])
    deadline = time.monotonic() + 30
    while not (made.exists() and made.read_text(encoding="utf-8") and _ended(int(made.read_text()))):
        assert time.monotonic() < deadline, "the writers' process never ended"
        time.sleep(0.01)
    writes.go(["pagefind/shards.json"], tmp_path)  # told after it ended: not a broken pipe
    with pytest.raises(forked.ForkedStepFailed, match="disk full"):
        writes.finish()


def test_started_ahead_they_work_before_the_folder_is_ready_and_write_once_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made = tmp_path / "made"
    _writers(monkeypatch, _writer(made=made))
    folder = tmp_path / "building"
    writes = SiteWrites.ahead(_site(0), lambda: {"pagefind/2024/", "pagefind/shards.json"})
    # at work already, in a process of their own, and waiting, though no folder exists yet
    (note,) = _noted(made, 1)
    pid, asked = note.split(" ", 1)
    assert asked == "pagefind/2024/ pagefind/shards.json"
    assert pid != str(os.getpid())
    time.sleep(0.2)
    assert not folder.exists()
    folder.mkdir()
    writes.go({"pagefind/shards.json", "pagefind/2024/"}, folder)
    assert writes.finish() == {"pagefind/2024/", "pagefind/shards.json"}
    assert sorted(p.name for p in (folder / "pagefind").iterdir()) == ["2024", "shards.json"]
    assert len(_noted(made, 1)) == 1  # the guess held: nothing was made twice


def test_without_room_for_a_process_they_start_on_a_thread_when_told_to_go(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ahead on a thread they would share the interpreter with the plan and hold their work at
    its peak of memory: they start once told, on the files named, in this process."""
    made = tmp_path / "made"
    _writers(monkeypatch, _writer(made=made))
    _no_room(monkeypatch)
    writes = SiteWrites.ahead(_site(1), lambda: {"pagefind/2023/"})
    time.sleep(0.2)
    assert not made.exists()  # nothing done yet
    writes.go({"pagefind/2024/"}, tmp_path)
    assert writes.finish() == {"pagefind/2024/"}
    assert _noted(made, 1) == [f"{os.getpid()} pagefind/2024/"]
    assert [p.name for p in (tmp_path / "pagefind").iterdir()] == ["2024"]


def test_files_other_than_the_guessed_ones_are_written_as_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made = tmp_path / "made"
    _writers(monkeypatch, _writer(made=made))
    writes = SiteWrites.ahead(_site(0), lambda: {"pagefind/2023/", "pagefind/shards.json"})
    _noted(made, 1)
    writes.go({"pagefind/2024/", "pagefind/shards.json"}, tmp_path)
    assert writes.finish() == {"pagefind/2024/", "pagefind/shards.json"}
    assert sorted(p.name for p in (tmp_path / "pagefind").iterdir()) == ["2024", "shards.json"]
    assert [line.split(" ", 1)[1] for line in _noted(made, 2)] == [
        "pagefind/2023/ pagefind/shards.json",
        "pagefind/2024/ pagefind/shards.json",
    ]
    # a guess of nothing to write is checked too: the files named are written
    nothing = SiteWrites.ahead(_site(0), frozenset)
    nothing.go({"pagefind/2022/"}, tmp_path)
    assert nothing.finish() == {"pagefind/2022/"}
    assert (tmp_path / "pagefind/2022").exists()


@pytest.mark.parametrize("room", [True, False], ids=["forked", "thread"])
def test_a_rebuild_that_stops_before_its_folder_is_ready_gets_nothing_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, room: bool
) -> None:
    made = tmp_path / "made"
    _writers(monkeypatch, _writer(made=made))
    if not room:
        _no_room(monkeypatch)
    writes = SiteWrites.ahead(_site(0), lambda: {"pagefind/2024/"})
    if room:
        _noted(made, 1)  # at work in their process
    writes.stop()
    writes.go({"pagefind/2024/"}, tmp_path)  # too late: stopped is stopped
    with pytest.raises(forked.ForkedStepFailed if room else Stopped, match="stopped before its folder"):
        writes.finish()
    assert not (tmp_path / "pagefind").exists()
    # never told to go: finishing stops them too, rather than waiting for ever
    never = SiteWrites.ahead(_site(0), lambda: {"pagefind/2024/"})
    with pytest.raises(forked.ForkedStepFailed if room else Stopped):
        never.finish()
    assert not (tmp_path / "pagefind").exists()
