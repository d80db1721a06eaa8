"""Rebuilds from the site model (``REBUILD_FROM_MODEL``, docs/rebuild-plan.md step 5): each of the
corpus's one-item changes, planned from the last build's model without Pelican's article step,
leaves the site and the model a fresh build of the same folder leaves, byte for byte; the files
the change does not reach are the last site's own (hard links); the state the next build reads
stays true; and what the model cannot plan is built in full, saying why.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.build import Build, CorpusRebuilds, model_describes, run_pelican, tree
from support.changes import CHANGES, NEW_ITEM, add, edit
from support.items import item_fields, write_item

from topicfeed.related_stories import memo
from topicfeed.related_stories.graph import KEPT
from topicfeed.site_model import store
from topicfeed.site_model.records import SiteModel
from topicfeed.site_search.indexer import MEMORY_FOLDER, read_listing, scratch_folder
from topicfeed.unchanged_build import state

#: The search index in four bundles, as in the incremental tests, so one change re-indexes one.
SHARDED = {"SEARCH_SHARD_MIN_PAGES": 100}
PLANNED = "Rebuilt from the site model: 1 news file(s) changed"


class Site(CorpusRebuilds):
    """The corpus copied once, rebuilt from the model again and again into one output folder."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, {"REBUILD_FROM_MODEL": True, **SHARDED}, SHARDED)


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def comparable(model: SiteModel) -> SiteModel:
    """The model without what names its own build (its build, recipe: the output and cache paths
    are settings) and with each page's reads written out, pages sorted: a prediction lists the
    pages in another order than the build wrote them."""
    pages = sorted((*page[:-1], model.reads[page[-1]] if page[-1] >= 0 else None) for page in model.pages)
    return model._replace(build="", recipe="", pages=tuple(pages), reads=())


def assert_fresh(site: Site) -> Path:
    """The site and its model are those of a fresh build of the same content."""
    fresh = site.fresh().output
    built, expected = tree(site.output), tree(fresh)
    assert sorted(built) == sorted(expected)
    assert [path for path in expected if built[path] != expected[path]] == []
    kept, made = store.read(store.model_path(site.output)), store.read(store.model_path(fresh))
    assert model_describes(kept, site.output)
    assert comparable(kept) == comparable(made)
    # Every URL the fresh build publishes is remembered for the redirects, with its story.
    remembered, published = (
        json.loads(site.with_name("site.urls.json").read_text(encoding="utf-8"))["published"]
        for site in (site.output, fresh)
    )
    assert published.items() <= remembered.items()
    return fresh


def assert_fresh_report(site: Site, fresh: Path, build: Build) -> None:
    """The report the rebuild wrote says what the fresh build's says of the same folder (every
    file's fate, the rejected files, the warnings, how many pages and feeds), and it printed
    its summary; only the times and how the pages were made differ."""
    made, expected = (
        json.loads(output.with_name(output.name + ".report.json").read_text(encoding="utf-8"))
        for output in (site.output, fresh)
    )
    for part in ("input", "summary", "redirects", "rejected", "warnings", "notices", "files"):
        assert made[part] == expected[part], part
    assert set(made["stages_seconds"]) == {"plan", "write"}
    rendering = made["rendering"]
    assert rendering["pages_rendered"] + rendering["pages_reused"] == expected["summary"]["pages_written"]
    assert f"Pages rendered: {rendering['pages_rendered']}" in build.log


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("planned"))
    first = site.build()
    assert "site model: a full build" in first.log  # no site yet
    return site


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_one_item_changed_is_rebuilt_from_the_model_to_the_fresh_build(
    site: Site, change: Callable[[Path], None]
) -> None:
    before, listed_before = inodes(site.output), read_listing(site.output / "pagefind")
    change(site.content)
    build = site.build()
    assert PLANNED in build.log, build.log
    fresh = assert_fresh(site)
    assert_fresh_report(site, fresh, build)
    for part in ("api/", "pagefind/", "sitemap.xml", "feeds/", "topics/"):
        assert any(path.startswith(part) for path in tree(fresh)), part
    after = inodes(site.output)
    linked = [path for path, inode in after.items() if before.get(path) == inode]
    # The files it says it kept are the last site's own (hard links), not written again, and
    # they are most of the site. (Not a fixed share: an unpublished item moves every later
    # story down the home and topic pages, and its bundle is indexed again, about a fifth of
    # the corpus's files.)
    kept = int(re.search(r"(\d+) kept", build.log).group(1))  # type: ignore[union-attr]
    listed = read_listing(site.output / "pagefind")
    indexed = tuple(f"pagefind/{name}/" for name, key in listed.items() if listed_before.get(name) != key)
    assert len([path for path in linked if not path.startswith(indexed)]) == kept > len(after) / 2
    # A bundle indexed again shares with the last site's each file Pagefind wrote the same
    # again, nearly all of them (made in memory where there is /dev/shm: indexer.place_bundle).
    # (A story of a month after the newest bundle's may start a bundle of its own.)
    again = tuple(folder for folder in indexed if folder.split("/")[1] in listed_before)
    if again and scratch_folder() == MEMORY_FOLDER:
        shared = [path for path in linked if path.startswith(again)]
        assert len(shared) > 0.8 * len([path for path in after if path.startswith(again)])
    # The record of the site, made from what the rebuild linked and wrote (not a walk of it),
    # lists the site as it is, inodes and all.
    record = state.load(site.output)
    assert record is not None and record.site == state.listing(site.output)


def test_the_state_it_leaves_is_true_for_the_next_build(site: Site) -> None:
    """After rebuilds from the model: nothing changed is seen as such, and a full build (the
    model path off) reuses the pages the rebuilds linked and gives the fresh build's site."""
    again = site.build()
    assert "Nothing changed since the last build" in again.log
    full = site.build(REBUILD_FROM_MODEL=False, SKIP_UNCHANGED_BUILD=False)
    assert PLANNED not in full.log
    report = json.loads(site.output.with_name("site.report.json").read_text(encoding="utf-8"))
    assert report["rendering"]["pages_reused"] > 0.8 * report["rendering"]["pages_rendered"], report[
        "rendering"
    ]
    assert_fresh(site)
    edit(site.content)  # and the model that full build left plans the next change
    assert PLANNED in site.build().log
    assert_fresh(site)


def test_what_a_rebuild_parses_is_kept_for_the_next(tmp_path: Path) -> None:
    """A rebuild from the model adds the records it parsed to the item store: the next one
    finds the item edited before it by its file's digest instead of parsing the file again
    (otherwise every rebuild parses each file changed since the last full build)."""
    site = Site(tmp_path)
    site.build()
    edit(site.content)
    first = site.build()
    assert PLANNED in first.log
    assert "news item store: 1 news file(s) parsed, 1 records added" in first.log
    add(site.content)
    second = site.build()
    assert "Rebuilt from the site model: 1 news file(s) changed" in second.log
    assert "news item store: 1 news file(s) parsed, 1 records added" in second.log  # the new one
    assert_fresh(site)


def test_an_edit_takes_the_related_steps_kept_decisions_and_a_new_story_does_not(tmp_path: Path) -> None:
    """An edited excerpt leaves every related list as it was: the rebuild takes the decisions
    the full build kept (``RELATED_STORE``) instead of deciding again; a new story changes the
    inputs, so that rebuild decides and keeps its own. Both sites are the fresh builds'."""
    site = Site(tmp_path)
    assert KEPT not in site.build().log
    kept = tmp_path / "cache" / memo.FOLDER / memo.FILE
    made = kept.stat()
    edit(site.content)
    first = site.build()
    assert PLANNED in first.log and KEPT in first.log
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (made.st_ino, made.st_mtime_ns)
    assert_fresh(site)
    add(site.content)
    second = site.build()
    assert PLANNED in second.log and KEPT not in second.log
    assert kept.stat().st_ino != made.st_ino
    assert_fresh(site)


def test_what_the_model_cannot_plan_is_built_in_full(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.build()
    edit(site.content)
    other = site.build(SITESUBTITLE="Another subtitle")
    assert PLANNED not in other.log
    assert (
        "a full build (the settings, theme, plugins, packages or files besides the news are not" in other.log
    )
    (site.content / "images").mkdir()
    (site.content / "images" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    add(site.content)
    static = site.build(SITESUBTITLE="Another subtitle")
    assert PLANNED not in static.log
    assert "a full build (the content folder holds images" in static.log
    shutil.rmtree(site.content / "images")  # the model of a build with it plans nothing
    assert (
        "files besides the news are not those of the last build"
        in site.build(SITESUBTITLE="Another subtitle").log
    )
    assert_fresh(site)
    edit(site.content)
    assert PLANNED in site.build(SITESUBTITLE="Another subtitle").log


def test_a_setting_that_says_how_the_build_works_does_not_stop_the_plan(tmp_path: Path) -> None:
    """``MEMORY_BUDGET_MB`` changes how many processes a build starts, never a byte it writes
    (``tests/e2e/test_memory_budget_build.py``): a rebuild from the model may follow a build
    made with another budget, as a CI runner's may follow a laptop's."""
    site = Site(tmp_path)
    site.build()
    edit(site.content)
    tight = site.build(MEMORY_BUDGET_MB=1)
    assert PLANNED in tight.log, tight.log
    assert_fresh(site)


def test_a_rebuild_from_the_model_by_default_and_not_when_turned_off(tmp_path: Path) -> None:
    site = Site(tmp_path)
    cache = {"CACHE_PATH": str(tmp_path / "cache")}
    run_pelican(site.content, site.output, extra=cache)
    edit(site.content)
    build = run_pelican(site.content, site.output, extra=cache)
    assert build.returncode == 0, build.log
    assert PLANNED in build.log
    edit(site.content)
    build = run_pelican(site.content, site.output, extra={**cache, "REBUILD_FROM_MODEL": False})
    assert build.returncode == 0, build.log
    assert PLANNED not in build.log


def small_site(root: Path) -> tuple[Path, Path, Callable[[], Build]]:
    """Three stories built from the model into ``root/out/site``: the content, the output, and
    how to build it again."""
    content, output = root / "content", root / "out" / "site"
    content.mkdir()
    for n in (1, 2, 3):
        write_item(content, f"story-{n}.txt", item_fields(n))

    def build() -> Build:
        settings = {"CACHE_PATH": str(root / "cache"), "REBUILD_FROM_MODEL": True}
        built = run_pelican(content, output, extra=settings, options=("--verbose",))
        assert built.returncode == 0, built.log
        return built

    build()
    return content, output, build


@pytest.mark.parametrize("damage", ["edit", "delete", "add"])
def test_an_output_changed_by_hand_is_built_in_full(tmp_path: Path, damage: str) -> None:
    """A file of the last site edited or deleted by hand since the last build: linked into the
    next site it would live on in every rebuild; the rebuild turns into a full build, which
    gives the fresh build's site. A file added by hand is not the last build's: the rebuild
    leaves it out, as a fresh build does, and goes on from the model."""
    content, output, build = small_site(tmp_path)
    style = min(output.glob("theme/**/*.css"))  # a file no change to the news reaches
    expected = style.read_bytes()
    if damage == "edit":
        style.write_bytes(expected + b"\n/* tampered */\n")
    elif damage == "delete":
        style.unlink()
    else:
        (output / "stray.html").write_text("stray", encoding="utf-8")
    write_item(content, "story-2.txt", item_fields(2, excerpt="Edited by the exporter."))
    rebuilt = build()
    if damage == "add":
        assert PLANNED in rebuilt.log
        assert not (output / "stray.html").exists()
    else:
        assert PLANNED not in rebuilt.log
        assert "not as the last build left it" in rebuilt.log
    assert style.read_bytes() == expected
    fresh = run_pelican(
        content, tmp_path / "fresh" / "site", extra={"CACHE_PATH": str(tmp_path / "fresh-cache")}
    )
    assert tree(output) == tree(tmp_path / "fresh" / "site")
    assert fresh.returncode == 0, fresh.log
    # The run that turned into a full build recorded its inputs and site as a full build does:
    # the next change is planned from the model it left.
    write_item(content, "story-3.txt", item_fields(3, excerpt="Edited again."))
    assert PLANNED in build().log


def test_a_story_unpublished_leaves_no_folder_behind(tmp_path: Path) -> None:
    """A fresh build has no empty folder: the folders of a page gone are not made again."""
    content, output, build = small_site(tmp_path)
    write_item(content, "story-2.txt", item_fields(2, published=False))
    assert PLANNED in build().log
    assert not [p for p in output.rglob("*") if "test-story-number-2" in str(p)]
    assert not [p for p in output.rglob("*") if p.is_dir() and not any(p.iterdir())]


def test_a_model_and_a_record_of_two_builds_plan_nothing(tmp_path: Path) -> None:
    """A build stopped between keeping its model and its record of the site's files leaves one
    of each build: the model would plan from a site the record does not list. Built in full."""
    content, output, build = small_site(tmp_path)
    model = store.model_path(output)
    older = model.read_bytes()
    write_item(content, "story-2.txt", item_fields(2, excerpt="Edited by the exporter."))
    assert PLANNED in build().log
    model.write_bytes(older)  # the last model, beside the record of the site after it
    write_item(content, "story-3.txt", item_fields(3, excerpt="Edited again."))
    rebuilt = build()
    assert PLANNED not in rebuilt.log
    assert "the model and the record of the last site's files are of different builds" in rebuilt.log
    run_pelican(content, tmp_path / "fresh" / "site", extra={"CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert tree(output) == tree(tmp_path / "fresh" / "site")
    assert model_describes(store.read(model), output)


def test_inode_numbers_recorded_on_another_file_system_vouch_for_nothing(tmp_path: Path) -> None:
    """A restored cache's record lists another machine's inode numbers, which may be any file's
    here: the next build's record looks every file up, so it lists the site as it is."""
    content, output, _build = small_site(tmp_path)
    path = state.record_path(output)
    record = json.loads(path.read_text(encoding="utf-8"))
    # Every entry with this machine's inode but another size and time, as numbers recorded
    # elsewhere could happen to be; the linked files would keep them if they were trusted.
    record["site"] = {name: [0, 0, inode] for name, (_size, _time, inode) in record["site"].items()}
    record["filesystem"] = "another machine"
    path.write_text(json.dumps(record), encoding="utf-8")
    write_item(content, "story-2.txt", item_fields(2, excerpt="Edited by the exporter."))
    full = {"CACHE_PATH": str(tmp_path / "cache"), "REBUILD_FROM_MODEL": False}
    assert run_pelican(content, output, extra=full).returncode == 0  # most pages linked from the last site
    kept = state.load(output)
    assert kept is not None and state.same_site(state.listing(output), kept.site)


def test_a_story_that_moves_is_built_in_full_with_its_redirect_page(tmp_path: Path) -> None:
    """A new headline moves a story to a new URL: the rebuild cannot write the redirect page
    from the old one, so it builds in full, saying why, and the old URL redirects; while that
    page is there, the next change is built in full as well."""
    content, output, build = small_site(tmp_path)
    old = next(output.glob("2024/*/*/test-story-number-1/index.html"))
    write_item(content, "story-1.txt", item_fields(1, title="A new headline for story one"))
    moved = build()
    assert "a full build (redirect pages are there or due)" in moved.log
    assert "Rebuilt from the site model" not in moved.log
    assert old.exists() and "a-new-headline-for-story-one/" in old.read_text(encoding="utf-8")
    assert next(output.glob("2024/*/*/a-new-headline-for-story-one/index.html")).is_file()
    write_item(content, "story-2.txt", item_fields(2, excerpt="An edited excerpt ..."))
    after = build()
    assert "a full build (redirect pages are there or due)" in after.log
    assert old.exists()


#: A file the reader rejects (no headline), as an exporter's feed holds now and then.
REJECTED = NEW_ITEM.replace('title: "A brand new story about Power Apps"\n', "")


def test_a_folder_with_rejected_files_is_rebuilt_from_the_model_to_the_fresh_build(tmp_path: Path) -> None:
    """One bad file in a feed of thousands must not make every later build a full one: a
    rejected file is logged by every build, as a full build logs it (file and field), and the
    rebuilds around it are planned. Each stage equals a fresh build of the same folder: an
    item added beside a rejected file, a second rejected file, a rejected file mended (now
    published), a published item broken (now rejected), a rejected file deleted."""
    site = Site(tmp_path)
    (site.content / "2026-11-30-no-headline.md").write_text(REJECTED, encoding="utf-8")
    first = site.build()
    assert "2026-11-30-no-headline.md" in first.log and "title" in first.log
    broken = next(
        path
        for path in sorted(site.content.glob("2024-*.md"))
        if re.search(r"^published: true$", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    stages: list[tuple[str, Callable[[], None]]] = [
        ("added", lambda: add(site.content)),
        ("rejected", lambda: (site.content / "2026-12-01-none.md").write_text(REJECTED, encoding="utf-8")),
        (
            "mended",
            lambda: (site.content / "2026-11-30-no-headline.md").write_text(
                REJECTED.replace("excerpt:", 'title: "Mended at last"\nexcerpt:'), encoding="utf-8"
            ),
        ),
        (
            "broken",
            lambda: broken.write_text(
                re.sub(r"^title: .*\n", "", broken.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE),
                encoding="utf-8",
            ),
        ),
        ("deleted", lambda: (site.content / "2026-12-01-none.md").unlink()),
    ]
    for name, change in stages:
        change()
        build = site.build()
        assert PLANNED in build.log, (name, build.log)
        rejected = sorted(
            p.name for p in site.content.iterdir() if "title:" not in p.read_text(encoding="utf-8")
        )
        for file in rejected:  # each rejected file said, with its field, as a full build says it
            assert re.search(rf"{re.escape(file)}.*title", build.log), (name, file, build.log)
        assert_fresh_report(site, assert_fresh(site), build)
    assert "Mended at last" in (site.output / "index.html").read_text(encoding="utf-8")


def test_strict_mode_still_fails_a_rebuild_on_a_rejected_file(tmp_path: Path) -> None:
    """A strict site (``NEWS_STRICT``) built clean, then given a rejected file: the rebuild is
    not planned (a planned one would not fail), and the full build fails on it."""
    site = Site(tmp_path)
    site.build(NEWS_STRICT=True)
    (site.content / "2026-11-30-no-headline.md").write_text(REJECTED, encoding="utf-8")
    settings = {"CACHE_PATH": str(tmp_path / "cache"), **site.settings, "NEWS_STRICT": True}
    strict = run_pelican(site.content, site.output, extra=settings, options=("--verbose",))
    assert strict.returncode != 0, strict.log
    assert "NEWS_STRICT fails the build" in strict.log and PLANNED not in strict.log
    assert "strict mode: 1 news file(s) rejected" in strict.log
