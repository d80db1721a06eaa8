"""The benchmark's Hugo site builds, and holds the same published stories as the other two.

A Hugo build that warns about a missing layout, or renders fewer stories than Topicfeed, would
make the benchmark compare unequal work; these builds take well under a second.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from bench import generate, hugo_site
from bench.run import article_pages

COUNT = 200
HUGO = shutil.which("hugo")
needs_hugo = pytest.mark.skipif(
    HUGO is None,
    reason="hugo is not installed: tools/install-bench-deps.sh installs Debian's hugo (make bench and "
    "make test run it)",
)


@pytest.fixture(scope="module")
def hugo_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("hugo-set")
    return out, generate.write(COUNT, out, seed=1)


def build(site: Path, output: Path) -> str:
    """Build ``site`` with the runner's own command; Hugo's output (it must not warn)."""
    result = subprocess.run(
        hugo_site.hugo_command(site, output, output.parent / f"{output.name}-cache"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert not re.search(r"\b(WARN|ERROR)\b", log), log
    return log


def baseline_slugs(markdown: Path) -> set[str]:
    """The slugs plain Pelican publishes: every Markdown story without ``Status: skip``."""
    slugs = set()
    for path in markdown.iterdir():
        text = path.read_text(encoding="utf-8")
        if "\nStatus: skip\n" not in text:
            slugs.add(re.search(r"^Slug: (.+)$", text, re.M)[1])
    return slugs


def test_hugo_content_is_deterministic(hugo_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = hugo_set
    generate.write(COUNT, tmp_path, seed=1)
    for relative in (hugo_site.CONTENT, Path("layouts/_default")):
        first = {p.name: p.read_bytes() for p in (out / "hugo" / relative).iterdir()}
        second = {p.name: p.read_bytes() for p in (tmp_path / "hugo" / relative).iterdir()}
        assert first == second
    assert len(list((out / "hugo" / hugo_site.CONTENT).iterdir())) == manifest["published"]


@needs_hugo
def test_hugo_builds_the_published_stories(hugo_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = hugo_set
    output = tmp_path / "site"
    build(out / "hugo", output)
    pages = article_pages(output)
    assert len(pages) == manifest["published"]
    assert {page.parent.name for page in pages} == baseline_slugs(out / "markdown")
    for page in pages[:20]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.h1.get_text(strip=True)
        assert soup.select("article ul a[href^='/tags/']"), page


@needs_hugo
def test_hugo_paginates_by_20_with_rss_per_term(hugo_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = hugo_set
    output = tmp_path / "site"
    build(out / "hugo", output)
    home = BeautifulSoup((output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(home.select("main li")) == 20
    last = math.ceil(manifest["published"] / 20)
    assert (output / "page" / str(last) / "index.html").is_file()
    assert not (output / "page" / str(last + 1)).exists()

    tags: Counter[str] = Counter()
    for page in article_pages(output):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        tags.update(a["href"] for a in soup.select("article ul a[href^='/tags/']"))
    (top, count), *_ = tags.most_common(1)
    assert count > 20, tags
    term = output / top.strip("/")
    assert len(BeautifulSoup((term / "index.html").read_text(), "html.parser").select("main li")) == 20
    assert (term / "page" / str(math.ceil(count / 20)) / "index.html").is_file()
    feed = feedparser.parse((term / "index.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == min(count, 100)
    for url in tags:
        assert (output / url.strip("/") / "index.xml").is_file(), url
    sources = list((output / "categories").glob("*/index.xml"))
    assert len(sources) == manifest["providers_used"]
    for taxonomy in ("tags", "categories", "authors"):
        assert (output / taxonomy / "index.html").is_file()


@needs_hugo
def test_hugo_one_item_edit_reaches_its_page(hugo_set: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = hugo_set
    site = tmp_path / "hugo"
    shutil.copytree(out / "hugo", site)
    output = tmp_path / "site"
    build(site, output)
    edited = site / manifest["change"]["hugo"]
    edited.write_text(hugo_site.edit_page(edited.read_text(encoding="utf-8"), "Edited: "), encoding="utf-8")
    build(site, output)
    changed = [page for page in article_pages(output) if "Edited: " in page.read_text(encoding="utf-8")]
    assert len(changed) == 1


@needs_hugo
def test_hugo_added_and_unpublished_items(hugo_set: tuple[Path, dict], tmp_path: Path) -> None:
    """The runner's "added" item gets its page; its "unpublished" draft loses it, with clean-up.

    Hugo writes over its previous output: without ``--cleanDestinationDir`` (and a static
    folder, without which that option removes nothing) the draft's old page would stay.
    """
    out, manifest = hugo_set
    site = tmp_path / "hugo"
    shutil.copytree(out / "hugo", site)
    output = tmp_path / "site"
    build(site, output)
    added, hidden = manifest["added"], manifest["unpublished"]
    shutil.copyfile(out / added["extra"] / "hugo" / added["hugo"], site / added["hugo"])
    page = site / hidden["hugo"]
    page.write_text(hugo_site.unpublish_page(page.read_text(encoding="utf-8")), encoding="utf-8")
    build(site, output)  # as an incremental build without clean-up: the draft's page stays
    slugs = {path.parent.name for path in article_pages(output)}
    assert {added["slug"], hidden["slug"]} <= slugs
    result = subprocess.run(
        hugo_site.hugo_command(site, output, tmp_path / "cache", clean=True), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    slugs = {path.parent.name for path in article_pages(output)}
    assert added["slug"] in slugs
    assert hidden["slug"] not in slugs
    assert len(slugs) == manifest["published"]
