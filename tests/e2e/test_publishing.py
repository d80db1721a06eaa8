"""Publishing: ``make publish`` writes the GitHub Pages files, ``make github`` pushes the built
site to a ``gh-pages`` branch (here a bare repository on disk), and Pelican's content cache
(on in publishconf.py, as CI restores it between runs) gives the same site as a cold build.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support.build import CORPUS, ROOT, Build, run_pelican, tree
from support.items import write_item
from support.loopback import edit_until_rebuilt, fetch, free_port, wait_for
from support.project import clean_env, copy_project, git, make, make_command

from topicfeed.github_pages.plugin import cname_host
from topicfeed.news_reader import item_store
from topicfeed.news_reader.item_store import FOLDER

PUBLISHCONF = ROOT / "publishconf.py"
SITE = "https://example.github.io/news"


def same_trees(a: Path, b: Path) -> list[str]:
    """Files that differ between two folders (missing on either side, or other bytes)."""
    files_a, files_b = tree(a), tree(b)
    differ = sorted(set(files_a) ^ set(files_b))
    differ += [n for n in files_a if n in files_b and files_a[n] != files_b[n]]
    return differ


# GitHub Pages files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("news.example.org", "news.example.org"),
        (" News.Example.ORG. ", "news.example.org"),
        ("https://news.example.org/", None),
        ("news.example.org/path", None),
        ("localhost", None),
        ("news_example.org", None),
        ("", None),
    ],
)
def test_cname_takes_a_host_name_only(value: str, host: str | None) -> None:
    assert cname_host(value) == host


def test_make_publish_writes_nojekyll_and_cname(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = make(
        "publish",
        f"OUTPUTDIR={out}",
        "SITEURL=https://news.example.org",
        "GITHUB_PAGES_CNAME=news.example.org",
        f"PELICANOPTS=--cache-path {tmp_path / 'cache'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / ".nojekyll").read_bytes() == b""
    assert (out / "CNAME").read_text(encoding="ascii") == "news.example.org\n"
    assert 'href="https://news.example.org/theme/css/site.css"' in (out / "index.html").read_text(
        encoding="utf-8"
    )
    assert (out / "pagefind" / "shards.json").is_file()
    assert "GITHUB_PAGES_CNAME:" not in result.stdout + result.stderr  # no warning: SITEURL is on that host
    # The news item store went where the cache was told to go.
    assert list((tmp_path / "cache" / "news-items").glob("*.pack"))
    # Nothing of the build machinery is left beside the site but its lock file (flock: harmless).
    assert [p.name for p in tmp_path.glob(".site.*")] == [".site.lock"]


def test_a_local_build_has_no_pages_files(seeds_site: Build) -> None:
    assert not (seeds_site.output / ".nojekyll").exists()
    assert not (seeds_site.output / "CNAME").exists()


def test_a_bad_cname_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    build = run_pelican(
        ROOT / "content",
        tmp_path / "site",
        settings_file=PUBLISHCONF,
        extra={"SITEURL": SITE, "GITHUB_PAGES_CNAME": "https://news.example.org/"},
        options=("--cache-path", str(tmp_path / "cache")),
    )
    assert build.returncode == 0, build.log
    assert "GITHUB_PAGES_CNAME: 'https://news.example.org/' is not a host name" in build.log
    assert not (build.output / "CNAME").exists()
    assert (build.output / ".nojekyll").exists()


# make github --------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A clone of this project (its current files) with a bare repository as ``origin``."""
    return copy_project(tmp_path, gitignore="output/\ncache/\n.output.*/\n*.report.json\n")


def test_make_github_needs_siteurl(project: tuple[Path, Path]) -> None:
    work, _ = project
    result = make("github", cwd=work)
    assert result.returncode != 0
    assert "make github needs the site URL" in result.stderr
    assert not (work / "output").exists()


def test_make_github_pushes_the_built_site_to_gh_pages(project: tuple[Path, Path]) -> None:
    work, remote = project
    first = make("github", f"SITEURL={SITE}", cwd=work)
    assert first.returncode == 0, first.stdout + first.stderr
    pushed = sorted(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split())
    # The branch holds exactly the built site, with .nojekyll, and nothing else.
    assert pushed == sorted(tree(work / "output"))
    assert {".nojekyll", "index.html", "search/index.html", "pagefind/shards.json"} <= set(pushed)
    assert "CNAME" not in pushed
    home = git("show", "gh-pages:index.html", cwd=remote)
    assert f'href="{SITE}/theme/css/site.css"' in home
    # The project's own branch is untouched.
    assert git("rev-parse", "main", cwd=work) == git("rev-parse", "HEAD", cwd=work)
    assert "gh-pages" not in git("status", "--porcelain", cwd=work)

    # A new item, published again: a new commit on top of the last one (history kept).
    write_item(
        work / "content", "2024-05-01-new-story.txt", n=7, title="A brand new story", topics=["Testing"]
    )
    second = make("github", f"SITEURL={SITE}", cwd=work)
    assert second.returncode == 0, second.stdout + second.stderr
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "2"
    pushed = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert "2024/05/01/new-story/index.html" in pushed  # the URL comes from the file name
    assert sorted(pushed) == sorted(tree(work / "output"))


# Content cache ------------------------------------------------------------------------------------


def cached_build(input_dir: Path, output: Path, cache: Path) -> Build:
    build = run_pelican(input_dir, output, settings_file=PUBLISHCONF, options=("--cache-path", str(cache)))
    assert build.returncode == 0, build.log
    return build


def store_records(cache: Path) -> dict[str, bytes]:
    """The news item store's records (name -> pickled record), from every pack."""
    records: dict[str, bytes] = {}
    for pack in sorted((cache / FOLDER).glob("*.pack")):
        loaded = item_store._load_pack(pack)
        assert loaded is not None, pack
        records.update({name: bytes(record) for name, record in loaded.items()})
    return records


def test_a_warm_build_of_the_corpus_is_identical_to_a_cold_one(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    cache = tmp_path / "cache"
    cold = cached_build(CORPUS, tmp_path / "cold", cache)
    assert len(store_records(cache)) == len(list(CORPUS.iterdir()))  # every item, published or not
    warm = cached_build(CORPUS, tmp_path / "warm", cache)
    assert same_trees(cold.output, warm.output) == []
    assert warm.log.count("WARNING") == cold.log.count("WARNING") > 0  # problems are logged again


def test_the_cache_is_used_even_when_every_mtime_changed(tmp_path: Path) -> None:
    """As after a fresh checkout in CI: records are found by the files' bytes, so one written by
    the last build is used. Proven by editing the stored title of the one published seed."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    cached_build(content, tmp_path / "first", cache)
    records = {name: item_store.unpickled(data) for name, data in store_records(cache).items()}
    published = [name for name, (item, _) in records.items() if item is not None and item.published]
    assert len(published) == 1
    item, problems = records[published[0]]
    records[published[0]] = (dataclasses.replace(item, title="Title from the cache"), problems)
    for pack in (cache / FOLDER).glob("*.pack"):
        pack.unlink()
    item_store._write_pack(cache / FOLDER, {name: item_store.pickled(r) for name, r in records.items()})
    later = time.time() + 3600
    for file in content.iterdir():
        os.utime(file, (later, later))
    second = cached_build(content, tmp_path / "second", cache)
    (page,) = second.article_pages()  # the stored title gives the page its slug, too
    assert (
        "Title from the cache" in second.soup(page.parent.relative_to(second.output).as_posix() + "/").h1.text
    )


def test_new_items_beside_cached_ones_build_as_a_cold_build_does(tmp_path: Path) -> None:
    """Cached Tag objects come back with the slugs an earlier build gave them; a new item's
    topics must still land on the same pages as in a cold build (``C#`` beside ``C Sharp``)."""
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "a.txt", n=1, topics=["C#"])
    write_item(content, "b.txt", n=2, topics=["C Sharp"])
    cached_build(content, tmp_path / "before", tmp_path / "cache")
    write_item(content, "c.txt", n=0, topics=["C#"])
    warm = cached_build(content, tmp_path / "warm", tmp_path / "cache")
    cold = cached_build(content, tmp_path / "cold", tmp_path / "cold-cache")
    assert same_trees(cold.output, warm.output) == []


def test_a_settings_change_starts_a_new_cache(tmp_path: Path) -> None:
    """Records are keyed by the reader's settings too: another time zone reads every file again."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    cached_build(content, tmp_path / "utc", cache)
    before = set(store_records(cache))
    build = run_pelican(
        content,
        tmp_path / "tokyo",
        settings_file=PUBLISHCONF,
        extra={"TIMEZONE": "Asia/Tokyo"},
        options=("--cache-path", str(cache)),
    )
    assert build.returncode == 0, build.log
    assert len(set(store_records(cache)) - before) == len(before)  # no record of the UTC build reused
    cold = run_pelican(content, tmp_path / "tokyo-cold", extra={"TIMEZONE": "Asia/Tokyo"})
    assert [p.relative_to(cold.output) for p in cold.article_pages()] == [
        p.relative_to(build.output) for p in build.article_pages()
    ]


# The GitHub Actions workflow ----------------------------------------------------------------------


def test_the_pages_workflow_builds_with_publish_and_the_content_cache() -> None:
    """The workflow and the settings it relies on agree: the Pages base URL becomes SITEURL,
    the cached folder is publishconf's CACHE_PATH, files are compared by hash (a checkout
    resets mtimes), the artifact is the Makefile's output folder, and only deploy may write."""

    import yaml
    from pelican.settings import read_settings

    from topicfeed.fast_writer.manifest import manifest_path
    from topicfeed.redirects.plugin import state_path

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"] == "pages"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    steps = {step.get("uses", step.get("name", "")).split("@")[0]: step for step in build["steps"]}
    assert {"actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/cache"} <= set(
        steps
    )
    assert steps["actions/setup-python"]["with"]["python-version"] == "3.11"
    (run,) = [step for step in build["steps"] if "make publish" in step.get("run", "")]
    assert run["env"]["SITEURL"] == "${{ steps.pages.outputs.base_url }}"
    assert steps["actions/configure-pages"]["id"] == "pages"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "output"
    assert "OUTPUTDIR ?= $(CURDIR)/output" in (ROOT / "Makefile").read_text(encoding="utf-8")
    cache = steps["actions/cache"]["with"]
    assert "github.run_id" in cache["key"] and cache["restore-keys"].strip()

    # The state that makes the next deploy incremental is all kept: the reader cache, the
    # previous site with its render manifest, and the URLs earlier deploys published.
    settings = read_settings(str(PUBLISHCONF))
    kept = {ROOT / line.strip() for line in cache["path"].splitlines() if line.strip()}
    output = ROOT / "output"
    assert ROOT / settings["CACHE_PATH"] in kept  # relative paths are the project root's (make runs there)
    assert {output, manifest_path(output), state_path({"REDIRECTS_STATE_PATH": ""}, output)} <= kept
    assert not settings["CACHE_CONTENT"] and not settings["LOAD_CONTENT_CACHE"]  # the item store instead
    assert settings.get("NEWS_ITEM_STORE", True)
    assert "topicfeed.content_cache" in settings["PLUGINS"]

    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


# make devserver -----------------------------------------------------------------------------------


def test_devserver_rebuilds_and_serves_a_changed_item(tmp_path: Path) -> None:
    """``make devserver``: Pelican rebuilds the same instance on every change (atomic_output
    starts each run afresh) and its server keeps serving the swapped-in folder."""
    import signal

    content = tmp_path / "content"
    content.mkdir()
    item = write_item(content, "2024-03-02-story.txt", n=1, title="The first headline")
    port = free_port()
    home = f"http://127.0.0.1:{port}/"
    command = make_command("devserver")
    command += [f"INPUTDIR={content}", f"OUTPUTDIR={tmp_path / 'output'}", f"PORT={port}"]
    log_path = tmp_path / "devserver.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True
        )
        try:
            assert wait_for(lambda: "The first headline" in (fetch(home) or "")), log_path.read_text()
            changed = item.read_text(encoding="utf-8").replace("The first headline", "A changed headline")
            assert edit_until_rebuilt(item, changed, log_path), log_path.read_text()
            assert wait_for(lambda: "A changed headline" in (fetch(home) or "")), log_path.read_text()
            # the URL comes from the file name: a changed headline stays at the same address
            assert "A changed headline" in (fetch(home + "2024/03/02/story/") or "")
            assert '"pages": 1,' in (fetch(home + "pagefind/shards.json") or "")
            # each rebuild was swapped in (the replaced site is removed by a background rm -rf)
            assert not list(tmp_path.glob(".output.building"))
            assert wait_for(
                lambda: (
                    not list(tmp_path.glob(".output.previous*")) + list(tmp_path.glob(".output.removing-*"))
                )
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # make, pelican and its two worker processes
            server.wait(timeout=30)
