"""``make preview``, ``make devserver PREVIEW=1`` and the publishing targets' refusal of a preview.

Each test works in a copy of the project (its current files, a git repository whose ``origin`` is
a bare repository on disk), so ``make github`` can really try to push; no network is used.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from support.build import ROOT, tree
from support.items import write_item
from support.loopback import edit_until_rebuilt, fetch, free_port, wait_for
from support.project import clean_env, copy_project, git, make, make_command

SITE = "https://example.github.io/news"
MARKER = ".topicfeed-preview"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of this project with a bare repository as ``origin``."""
    return copy_project(tmp_path)


def article_pages(site: Path) -> list[Path]:
    return sorted(site.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))


def test_make_preview_builds_apart_and_leaves_output_unchanged(project: tuple[Path, Path]) -> None:
    work, _ = project
    built = make("html", cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    before = tree(work / "output")
    assert len(article_pages(work / "output")) == 1  # the one published seed

    preview = make("preview", cwd=work)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert len(article_pages(work / "preview")) == 5  # every seed, published or not
    assert (work / "preview" / MARKER).is_file()
    assert tree(work / "output") == before  # not a byte of output/ changed, nothing added
    # The preview and the files beside it are git-ignored, and so are the folders both builds
    # leave beside their output for the next one (each cold build's skeleton, made in the
    # background: waited for here).
    for folder in ("output", "preview"):
        assert make("settle", f"OUTPUTDIR={folder}", cwd=work).returncode == 0
    assert (work / ".preview.skeleton").is_dir() and (work / ".output.skeleton").is_dir()
    status = git("status", "--porcelain", cwd=work)
    assert "preview" not in status and "skeleton" not in status


def test_make_github_and_publish_refuse_a_preview_folder(project: tuple[Path, Path], tmp_path: Path) -> None:
    work, remote = project
    # Before any preview exists, the preview folder is refused by name.
    early = make("github", f"SITEURL={SITE}", "OUTPUTDIR=preview", cwd=work)
    assert early.returncode != 0
    assert "refusing to publish preview: it is the preview folder" in early.stderr
    assert not (work / "preview").exists()  # refused before building anything

    assert make("preview", cwd=work).returncode == 0
    preview = tree(work / "preview")
    elsewhere = tmp_path / "copied-preview"
    shutil.copytree(work / "preview", elsewhere)
    for target in ("preview", str(work / "preview"), str(elsewhere)):
        for goal in ("github", "publish"):
            result = make(goal, f"SITEURL={SITE}", f"OUTPUTDIR={target}", cwd=work)
            assert result.returncode != 0, (goal, target, result.stdout)
            assert f"refusing to publish {target}:" in result.stderr, (goal, target, result.stderr)
            assert "unpublished" in result.stderr or "preview folder" in result.stderr
    # Nothing was pushed, nothing in the preview was touched.
    assert git("for-each-ref", cwd=remote) == ""
    assert tree(work / "preview") == preview
    assert tree(elsewhere) == preview

    # A normal build refuses the preview folder too (the preview plugin, at start-up).
    html = make("html", f"OUTPUTDIR={elsewhere}", cwd=work)
    assert html.returncode != 0
    assert f"output: {elsewhere} holds a preview build ({MARKER})" in " ".join(
        (html.stdout + html.stderr).split()
    )
    assert tree(elsewhere) == preview

    # And the site itself still publishes.
    published = make("github", f"SITEURL={SITE}", cwd=work)
    assert published.returncode == 0, published.stdout + published.stderr
    pushed = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert MARKER not in pushed and "index.html" in pushed


# make devserver PREVIEW=1 -------------------------------------------------------------------------


def test_devserver_preview_serves_unpublished_items_and_rebuilds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    item = write_item(content, "story.txt", n=1, title="A draft headline", published=False)
    port = free_port()
    home = f"http://127.0.0.1:{port}/"
    command = make_command(
        "devserver", "PREVIEW=1", f"INPUTDIR={content}", f"PREVIEWDIR={tmp_path / 'preview'}"
    )
    command += [f"OUTPUTDIR={tmp_path / 'output'}", f"PORT={port}"]
    log_path = tmp_path / "devserver.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True
        )
        try:
            assert wait_for(lambda: "A draft headline" in (fetch(home) or ""), 90), log_path.read_text()
            page = fetch(home + "2024/03/02/a-draft-headline/") or ""
            assert "Not published:" in page and 'content="noindex,nofollow"' in page
            changed = item.read_text(encoding="utf-8").replace("A draft headline", "A changed draft")
            assert edit_until_rebuilt(item, changed, log_path), log_path.read_text()
            assert wait_for(lambda: "A changed draft" in (fetch(home) or ""), 90), log_path.read_text()
            assert "Disallow: /" in (fetch(home + "robots.txt") or "")
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # make, pelican and its worker processes
            server.wait(timeout=30)
    assert not (tmp_path / "output").exists()  # the preview server never writes the site
