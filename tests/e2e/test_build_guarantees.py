"""Build report, atomic output and deterministic output, on real builds."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.build import CORPUS, ROOT, Build, run_pelican, tree
from support.items import item_fields, write_item, write_raw


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Build:
    content = tmp_path_factory.mktemp("mixed")
    write_item(content, "good.txt")
    write_item(content, "hidden.txt", item_fields(2, published=False))
    write_item(content, "warned.txt", item_fields(3, quality="high"))
    write_raw(content, "broken.txt", "---\ntitle: [x\n---\n")
    write_raw(content, "notes.json", "{}")
    write_raw(content, "essay.md", "Title: Essay\nDate: 2024-01-01\n\nHello.\n")
    out = tmp_path_factory.mktemp("mixed-out") / "site"
    build = run_pelican(content, out)
    assert build.returncode == 0, build.log
    return build


def test_report_lists_every_input_file_with_its_fate(mixed: Build) -> None:
    report_file = mixed.output.with_name("site.report.json")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["files"] == {
        "broken.txt": "rejected",
        "essay.md": "article published",
        "good.txt": "published",
        "hidden.txt": "unpublished",
        "notes.json": "not read (no reader for this file)",
        "warned.txt": "published",
    }
    summary = report["summary"]
    assert (summary["items_read"], summary["published"], summary["unpublished"], summary["rejected"]) == (
        4,
        2,
        1,
        1,
    )
    assert summary["warnings"] == 1 and summary["pages_written"] > 3
    assert report["rejected"] == [
        {
            "file": "broken.txt",
            "field": "(yaml)",
            "message": report["rejected"][0]["message"],
            "level": "error",
        }
    ]
    assert "malformed YAML" in report["rejected"][0]["message"]
    assert report["warnings"][0]["file"] == "warned.txt" and report["warnings"][0]["field"] == "quality"
    assert {"read", "process", "write"} <= set(report["stages_seconds"])  # other steps may add theirs
    assert not list(mixed.output.rglob("*.report.json"))


def test_summary_printed(mixed: Build) -> None:
    assert "Items read: 4  published: 2  unpublished: 1  rejected: 1  warnings: 1" in mixed.log
    assert "rejected broken.txt: (yaml): malformed YAML" in mixed.log


def test_failed_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "one.txt")
    out = tmp_path / "site"
    assert run_pelican(content, out).returncode == 0
    before = tree(out)
    # A second build that dies while writing pages: its template cannot even be loaded.
    write_item(content, "two.txt", item_fields(2))
    broken = tmp_path / "broken-theme"
    broken.mkdir()
    (broken / "article.html").write_text("{{ article.title | no_such_filter }}", encoding="utf-8")
    failed = run_pelican(content, out, extra={"THEME_TEMPLATES_OVERRIDES": [str(broken)]})
    assert failed.returncode != 0
    assert tree(out) == before
    # A strict build with a rejected file fails before writing: the site is still the old one.
    write_raw(content, "bad.txt", "")
    assert run_pelican(content, out, options=("--fatal", "errors")).returncode != 0
    assert tree(out) == before
    # The next good build replaces the site and removes what failed builds left.
    (content / "bad.txt").unlink()
    assert run_pelican(content, out).returncode == 0
    assert len([p for p in out.rglob("index.html") if "test-story-number" in str(p)]) == 2
    # Left aside, maybe still at work in the background: the failed builds' folders
    # (.site.removing-*) and the replaced site, being emptied (.site.clearing-*) into the next
    # build's skeleton of folders (.site.skeleton).
    background = (".site.removing-", ".site.clearing-", ".site.skeleton")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(background)) == [
        ".site.lock",
        "broken-theme",
        "content",
        "site",
        "site.api.json",  # the digest of each API document, for reusing unchanged ones
        "site.inputs.json",  # the fingerprint of this build's inputs (unchanged_build)
        "site.model.pickle",  # the model of the site (site_model)
        "site.render.json",
        "site.report.json",
        "site.urls.json",  # the URLs published so far, for redirects
    ]


def test_unpublished_page_does_not_linger_after_rebuild(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "one.txt")
    out = tmp_path / "site"
    run_pelican(content, out)
    assert any("test-story-number-1" in str(p) for p in out.rglob("index.html"))
    write_item(content, "one.txt", item_fields(published=False))
    run_pelican(content, out)
    assert not any("test-story-number-1" in str(p) for p in out.rglob("*"))


def folders_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def test_folders_taken_over_from_an_earlier_site_go_with_their_pages(tmp_path: Path) -> None:
    """The third build takes over the first site's folders (cleared in the background after the
    second build's swap) and must remove those of an item unpublished since: its folders equal
    a fresh build's, none of them empty."""
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "one.txt")
    write_item(content, "two.txt", item_fields(2))
    out = tmp_path / "site"
    assert run_pelican(content, out).returncode == 0
    write_item(content, "two.txt", item_fields(2, excerpt="Edited."))  # else nothing to rebuild
    assert run_pelican(content, out).returncode == 0
    skeleton = tmp_path / ".site.skeleton"
    for _ in range(600):  # the second build's swap retired the first site: wait for its folders
        if skeleton.is_dir():
            break
        time.sleep(0.05)
    assert skeleton.is_dir()
    write_item(content, "one.txt", item_fields(published=False))
    assert run_pelican(content, out).returncode == 0
    fresh = tmp_path / "fresh"
    assert run_pelican(content, fresh, extra={"CACHE_PATH": str(tmp_path / "fresh-cache")}).returncode == 0
    assert not any("test-story-number-1" in str(p) for p in out.rglob("*"))
    assert folders_under(out) == folders_under(fresh)
    assert tree(out) == tree(fresh)


def test_output_retention_is_carried_over(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "one.txt")
    out = tmp_path / "site"
    run_pelican(content, out)
    (out / "CNAME").write_text("news.example.org\n")
    run_pelican(content, out, extra={"OUTPUT_RETENTION": ["CNAME"]})
    assert (out / "CNAME").read_text() == "news.example.org\n"


def test_corpus_build_is_byte_identical_twice(corpus_site: Build, tmp_path: Path) -> None:
    again = run_pelican(CORPUS, tmp_path / "again")
    assert again.returncode == 0
    comparison = filecmp.dircmp(corpus_site.output, again.output)
    first, second = tree(corpus_site.output), tree(again.output)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, (different[:5], comparison.diff_files)


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a pseudo-terminal")
@pytest.mark.parametrize(("ci", "shown"), [("", True), ("true", False)])
def test_progress_on_a_terminal_only(tmp_path: Path, ci: str, shown: bool) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for n in range(3):
        write_item(content, f"{n}.txt", item_fields(n))
    command = f"{sys.executable} -m pelican {content} -o {tmp_path / 'out'} -s {ROOT / 'pelicanconf.py'}"
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    typescript = tmp_path / "typescript"
    subprocess.run(
        ["script", "-qec", command, str(typescript)], cwd=ROOT, env=env, check=True, capture_output=True
    )
    assert ("Reading items" in typescript.read_text(errors="replace")) is shown
    plain = run_pelican(content, tmp_path / "out2")
    assert "Reading items" not in plain.log
