"""A build with the inputs of the last finished build leaves its site alone; any change runs in full.

Real ``pelican`` builds of a small generated feed into a temporary output, each with its own
cache. "Skipped" is checked on the output itself (every file keeps its inode and modification
time), not only on the message.
"""

from __future__ import annotations

import json
import logging
import marshal
import shutil
import types
from pathlib import Path

import pytest
from support.build import ROOT, Build, run_pelican, tree
from support.items import write_item, write_raw

from topicfeed import build_inputs as inputs
from topicfeed.build import Build as TopicfeedBuild
from topicfeed.build import KnownFiles
from topicfeed.model import FROM_CONTENT
from topicfeed.pelican_adapter import skip_run
from topicfeed.racy import RACY_NS
from topicfeed.unchanged_build import plugin, state

SKIPPED = "Nothing changed since the last build"


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    content = tmp_path / "content"
    content.mkdir()
    for n in range(1, 4):
        write_item(content, f"2021-03-0{n}-story-{n}.md", n=n)
    # The same story twice: a warning each full build, repeated by a skipped one.
    write_item(content, "2021-03-04-story-again.md", n=1, title="Story one again")
    return {"content": content, "output": tmp_path / "output", "cache": tmp_path / "cache"}


def build(site: dict[str, Path], **extra: object) -> Build:
    result = run_pelican(site["content"], site["output"], extra={"CACHE_PATH": str(site["cache"]), **extra})
    assert result.returncode == 0, result.log
    return result


def stats(output: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def test_a_second_build_of_the_same_inputs_leaves_the_site_untouched(site: dict[str, Path]) -> None:
    first = build(site)
    assert SKIPPED not in first.log
    assert "same story as" in first.log
    before, files = stats(site["output"]), tree(site["output"])

    second = build(site)

    assert SKIPPED in second.log
    assert "same story as" in second.log  # the last build's warning, said again
    assert stats(site["output"]) == before  # not one file rewritten, not even swapped in
    assert tree(site["output"]) == files


def test_a_touched_but_unchanged_file_changes_nothing(site: dict[str, Path]) -> None:
    build(site)
    item = site["content"] / "2021-03-01-story-1.md"
    item.write_bytes(item.read_bytes())  # new modification time, same bytes
    assert SKIPPED in build(site).log


def test_an_edited_item_runs_a_full_build_that_shows_the_edit(site: dict[str, Path]) -> None:
    build(site)
    item = site["content"] / "2021-03-02-story-2.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace("Test story number 2", "Test story number 2, edited"),
        encoding="utf-8",
    )
    second = build(site)
    assert SKIPPED not in second.log
    assert any("Test story number 2, edited" in p.read_text(encoding="utf-8") for p in second.article_pages())


def test_a_new_or_removed_item_runs_a_full_build(site: dict[str, Path]) -> None:
    build(site)
    write_item(site["content"], "2021-03-05-story-5.md", n=5)
    assert SKIPPED not in build(site).log
    (site["content"] / "2021-03-05-story-5.md").unlink()
    assert SKIPPED not in build(site).log
    assert SKIPPED in build(site).log


def test_a_changed_setting_runs_a_full_build(site: dict[str, Path]) -> None:
    build(site)
    second = build(site, SITENAME="Another name")
    assert SKIPPED not in second.log
    assert "Another name" in (site["output"] / "index.html").read_text(encoding="utf-8")


def test_a_changed_theme_file_runs_a_full_build(site: dict[str, Path], tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    build(site, THEME=str(theme))
    assert SKIPPED in build(site, THEME=str(theme)).log
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("</footer>", "<p>new footer line</p></footer>"),
        encoding="utf-8",
    )
    third = build(site, THEME=str(theme))
    assert SKIPPED not in third.log
    assert "new footer line" in (site["output"] / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["edit", "delete", "add"])
def test_an_output_changed_by_hand_is_built_again(site: dict[str, Path], damage: str) -> None:
    build(site)
    index = site["output"] / "index.html"
    expected = index.read_bytes()
    if damage == "edit":
        index.write_bytes(expected.replace(b"</body>", b"<p>tampered</p></body>"))
    elif damage == "delete":
        index.unlink()
    else:
        (site["output"] / "stray.html").write_text("stray", encoding="utf-8")
    second = build(site)
    assert SKIPPED not in second.log
    assert index.read_bytes() == expected
    assert not (site["output"] / "stray.html").exists()


def test_a_rejected_file_is_said_again_when_nothing_changed(site: dict[str, Path]) -> None:
    """A rejected news file is what the content says: the same files say it again, so the run
    that finds nothing changed repeats it (a feed with one bad file among thousands would
    otherwise build in full every time). Under ``--fatal errors`` (``make html STRICT=1``) that
    run is a full build, which fails on it with strict mode's message."""
    write_raw(site["content"], "2021-03-06-broken.md", "---\ntitle: [unclosed\n---\n")
    first = build(site)
    assert "2021-03-06-broken.md" in first.log
    assert state.record_path(site["output"]).exists()
    second = build(site)
    assert SKIPPED in second.log
    assert "2021-03-06-broken.md" in second.log  # said again, as the full build said it
    extra = {"CACHE_PATH": str(site["cache"])}
    strict = run_pelican(site["content"], site["output"], extra=extra, options=("--fatal", "errors"))
    assert strict.returncode != 0 and SKIPPED not in strict.log, strict.log
    assert "strict mode: 1 news file(s) rejected" in strict.log and "Traceback" not in strict.log
    strict = run_pelican(site["content"], site["output"], extra={**extra, "NEWS_STRICT": True})
    assert strict.returncode != 0 and SKIPPED not in strict.log, strict.log  # another setting
    assert "strict mode: 1 news file(s) rejected" in strict.log


def test_an_error_of_the_build_itself_leaves_no_record() -> None:
    """An error the content does not explain (a search index that failed) is not skipped past:
    the build leaves no record, so the next one runs in full. Only lines marked as the
    content's (:data:`topicfeed.model.FROM_CONTENT`, as the reader logs a rejected file) are not."""
    noted = plugin._Noted()
    log = logging.getLogger("tests.unchanged_build")
    log.addHandler(noted)
    try:
        log.warning("a warning")
        log.error("a rejected file", extra={FROM_CONTENT: True})
        assert not noted.build_error
        log.error("search: cannot build the index")
        assert noted.build_error
    finally:
        log.removeHandler(noted)
    assert [level for level, _ in noted.records] == [logging.WARNING, logging.ERROR, logging.ERROR]


def test_the_setting_turns_it_off(site: dict[str, Path]) -> None:
    build(site, SKIP_UNCHANGED_BUILD=False)
    assert SKIPPED not in build(site, SKIP_UNCHANGED_BUILD=False).log


def test_a_damaged_record_is_ignored(site: dict[str, Path]) -> None:
    build(site)
    state.record_path(site["output"]).write_text("{not json", encoding="utf-8")
    assert SKIPPED not in build(site).log
    assert SKIPPED in build(site).log


def test_stable_forms() -> None:
    def helper(x: int) -> int:
        return x + 1

    assert inputs.stable_form({"b": [1, 2.5], "a": (None, True)}) == inputs.stable_form(
        {"a": (None, True), "b": [1, 2.5]}
    )
    assert inputs.stable_form(helper) == inputs.stable_form(helper)
    assert inputs.stable_form({1, 2, 3}) == inputs.stable_form({3, 2, 1})
    assert inputs.stable_form([1]) != inputs.stable_form((1,))
    with pytest.raises(inputs.Unstable):
        inputs.stable_form(object())


def _listing(values: list[object]) -> list[str]:
    return [str(v) for v in values if (lambda x: x)(v)]


def _listing_changed(values: list[object]) -> list[str]:
    return [repr(v) for v in values if (lambda x: x)(v)]


def test_a_function_with_nested_code_has_a_stable_form() -> None:
    """A filter with a comprehension or a lambda: its constants hold code objects, whose repr
    carries an address that differs in every run. A marshalled copy is the same code at other
    addresses, as the next run would load it."""
    fresh = marshal.loads(marshal.dumps(_listing.__code__))  # noqa: S302 (our own bytes, just made)
    copy = types.FunctionType(fresh, globals(), "_listing")
    copy.__qualname__ = _listing.__qualname__
    assert repr(copy.__code__.co_consts) != repr(_listing.__code__.co_consts)
    assert inputs.stable_form(copy) == inputs.stable_form(_listing)
    assert inputs.stable_form(_listing_changed) != inputs.stable_form(_listing)


def test_a_file_modified_in_the_same_clock_tick_is_hashed_again(tmp_path: Path) -> None:
    """Same size, same recorded mtime, but modified after the record: its digest is not trusted."""
    (tmp_path / "a.md").write_text("one", encoding="utf-8")
    first = inputs.tree_records(tmp_path)
    (tmp_path / "a.md").write_text("two", encoding="utf-8")
    stat = (tmp_path / "a.md").stat()
    forged = {"a.md": [stat.st_size, stat.st_mtime_ns, first["a.md"][2]]}  # stat matches, digest old
    again = inputs.tree_records(tmp_path, known=forged, recorded_ns=stat.st_mtime_ns)
    assert again["a.md"][2] != first["a.md"][2]
    trusted = inputs.tree_records(tmp_path, known=forged, recorded_ns=stat.st_mtime_ns + 10 * RACY_NS)
    assert trusted["a.md"][2] == first["a.md"][2]


def test_the_record_of_a_rebuild_lists_the_site_as_a_full_look_up_does(site: dict[str, Path]) -> None:
    """The record takes a hard-linked file's entry from the last record (same inode, no ``stat``):
    it must still equal what the next check sees, or no build would ever be skipped again."""
    build(site)
    item = site["content"] / "2021-03-02-story-2.md"
    item.write_text(item.read_text(encoding="utf-8").replace("Story 2", "Story two"), encoding="utf-8")
    build(site)  # a full build: most files are the last site's, linked
    record = state.load(site["output"])
    assert record is not None
    assert record.site == state.listing(site["output"])
    assert SKIPPED in build(site).log


def test_a_site_deleted_under_its_record_is_listed_afresh(site: dict[str, Path]) -> None:
    """The output deleted by hand, its record kept (as a benchmark's cold build does): the new
    files get the deleted ones' inode numbers back, with the same sizes, so the last record's
    entries must not be trusted; the record must still list the site as a check sees it."""
    build(site)
    shutil.rmtree(site["output"])
    build(site, SKIP_UNCHANGED_BUILD=True)
    record = state.load(site["output"])
    assert record is not None
    assert record.site == state.listing(site["output"])
    assert SKIPPED in build(site).log


@pytest.mark.parametrize("site_there", [True, False])
def test_a_build_holds_the_last_sites_listing_only_while_that_site_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site_there: bool
) -> None:
    """The listing lets the new record take inodes from the last site; with the output deleted
    and the record left (281,757 entries at 100,000 items), it would only be held all build."""
    output = tmp_path / "site"
    if site_there:
        output.mkdir()
    settings: dict[str, object] = {
        "OUTPUT_PATH": str(output),
        "PATH": str(tmp_path),
        "CACHE_PATH": str(tmp_path / "cache"),
        "SKIP_UNCHANGED_BUILD": True,
    }
    listing = {"index.html": [10, 20, 30]}
    state.save(output, state.Record("last", {}, listing, 0, filesystem="fs"))
    assert state.load(output) is not None  # read, and kept for the next read
    monkeypatch.setattr(inputs, "fingerprint", lambda *args: inputs.Fingerprint("new"))
    plugin.check(types.SimpleNamespace(settings=settings), None)
    _, _, held, filesystem = plugin._TAKEN.pop(id(settings))
    assert (held, filesystem) == ((listing, "fs") if site_there else ({}, ""))
    assert (str(state.record_path(output)) in state._READ) is site_there


def test_a_listing_trusts_a_known_entry_only_for_the_same_inode(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "same.html").write_text("same", encoding="utf-8")
    (site / "replaced.html").write_text("old", encoding="utf-8")
    known = state.listing(site)
    assert known["same.html"][0] == 4 and len(known["same.html"]) == 3
    (site / "new.tmp").write_text("a new file", encoding="utf-8")  # made while the old one lives:
    (site / "new.tmp").replace(site / "replaced.html")  # another inode (a freed one may be reused)
    stale = {name: [999, 1, entry[2]] for name, entry in known.items()}  # sizes a stat would not give
    listed = state.listing(site, known=stale)
    assert listed["same.html"] == stale["same.html"]  # same inode: the known entry, not looked up
    assert listed["replaced.html"][0] == len("a new file")  # another inode: looked up
    assert state.listing(site)["same.html"][0] == 4  # a check looks every file up


def test_the_walk_of_a_site_names_every_folder_with_a_file(tmp_path: Path) -> None:
    """What the output step prunes by: the folders with a file in them or below (the others
    go), the retained names left out (their folders are never pruned)."""
    site = tmp_path / "site"
    for name in ("index.html", "a/b/page.html", "a/c/d/page.html", ".git/HEAD", "only/link"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", encoding="utf-8")
    for name in ("a/c/empty", "e/f/g", "e/h", "a/b/i/j", ".git/refs/tags"):
        (site / name).mkdir(parents=True)
    (site / "only" / "link").unlink()
    (site / "only" / "link").symlink_to(site / "a")  # a link to a folder is a file here
    files, filled = state.walk(site, [".git"])
    assert files == state.listing(site, [".git"])
    assert set(files) == {"index.html", "a/b/page.html", "a/c/d/page.html", "only/link"}
    assert filled == {"a", "a/b", "a/c", "a/c/d", "only"} == state.filled_folders(files)
    assert state.walk(tmp_path / "missing") == ({}, set())


def test_a_rebuild_from_the_model_is_listed_from_what_it_knows(tmp_path: Path) -> None:
    """A rebuild hands the record the files it linked (as it found them) and the files and
    folders it wrote: the listing made from those is the walk's, inodes and all."""
    site = tmp_path / "site"
    for name in ("index.html", "a/page.html", "a/b/page.html", "search/x/1.pf", "search/y/2.pf", ".git/HEAD"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", encoding="utf-8")
    (site / "gone").mkdir()
    walked, filled = state.walk(site, [".git"])
    (site / "new" / "page.html").parent.mkdir()
    (site / "new" / "page.html").write_text("written", encoding="utf-8")
    (site / "search" / "x" / "3.pf").write_text("written", encoding="utf-8")
    (site / "index.html").unlink()
    (site / "index.html").write_text("written anew", encoding="utf-8")
    linked = {name: entry for name, entry in walked.items() if name.startswith(("a/", "search/y/"))}
    written = ["index.html", "new/page.html", "search/x/", "not/written.html"]
    files, folders = state.listed(site, KnownFiles(linked, written))
    assert (files, folders) == state.walk(site, [".git"])
    assert folders == filled | {"new"}


def test_a_replaced_run_that_failed_leaves_its_fingerprint_to_no_later_run(tmp_path: Path) -> None:
    """The fingerprint taken at ``initialized`` is the inputs of the run Pelican starts then: a
    run planned from the site model and the full run it turns into take it; a later run of the
    same instance (autoreload, after the planned run failed) must not, or the record would say
    the site it builds from newer inputs was built from those."""
    output = tmp_path / "site"
    output.mkdir()
    settings: dict[str, object] = {"OUTPUT_PATH": str(output)}
    pelican = types.SimpleNamespace(settings=settings)
    state.save(output, state.Record("f", {}, {}, 0))
    started: list[TopicfeedBuild] = []

    def planned_then_in_full() -> None:
        for _ in range(2):  # the planned run, then the full run it turned into
            started.append(TopicfeedBuild(settings=settings, output=output, target=output))
            plugin.start(pelican, started[-1])
        raise RuntimeError("the full run failed")

    plugin._TAKEN[id(settings)] = ("fingerprint", 0, {}, "")
    skip_run(pelican, planned_then_in_full)
    with pytest.raises(RuntimeError):
        pelican.run()
    assert all(plugin.NAME in build.private for build in started)  # both took it
    for build in started:
        logging.getLogger().removeHandler(build.private[plugin.NAME][1])
    later = TopicfeedBuild(settings=settings, output=output, target=output)
    plugin.start(pelican, later)
    assert plugin.NAME not in later.private
    assert state.load(output) is None  # no record: the next build runs in full


def test_a_record_read_again_is_the_one_on_disk(tmp_path: Path) -> None:
    """Read twice by a run (kept between the reads), yet never an older record than the file."""
    output = tmp_path / "site"
    state.save(output, state.Record("one", {}, {}, 0))
    first = state.load(output)
    assert first is not None and state.load(output) is first  # not read and decoded again
    state.save(output, state.Record("two", {}, {}, 0))
    second = state.load(output)
    assert second is not None and second.fingerprint == "two"
    # Replaced by another process (a build running beside this one).
    path = state.record_path(output)
    other = tmp_path / "other.json"
    other.write_text(path.read_text(encoding="utf-8").replace('"two"', '"three"'), encoding="utf-8")
    other.replace(path)
    third = state.load(output)
    assert third is not None and third.fingerprint == "three"
    state.forget(output)
    assert state.load(output) is None


def test_the_record_is_json_that_keeps_every_value(tmp_path: Path) -> None:
    """Written and read by orjson, the record is still plain JSON (the json module reads it, as
    the Pages workflow's cache and any tool may), with non-ASCII paths and 64-bit numbers
    kept; a record the json module wrote (every record before orjson) is read the same."""
    output = tmp_path / "site"
    site = {
        "2024/01/02/café-über/index.html": [18_234, 1_733_123_456_789_012_345, 2**63 - 1],
        "a.txt": [0, 0, 1],
    }
    inputs = {"content/café.md": [512, 1_733_000_000_123_456_789, "0f" * 16]}
    record = state.Record("fingerprint", inputs, site, 1_733_000_000_000_000_000, [["WARNING", "ü"]])
    state.save(output, record)
    path = state.record_path(output)
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert (on_disk["site"], on_disk["files"]) == (site, inputs) and list(on_disk) == sorted(on_disk)
    state.forget(output)
    state.save(output, record)
    assert state.load(output) == record
    path.write_text(json.dumps(on_disk, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    assert state.load(output) == record
