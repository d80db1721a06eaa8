"""Redirect pages at the URLs where moved stories used to be; never to an unpublished story."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.browser import SiteServer
from support.build import Build, run_pelican
from support.items import write_item

from topicfeed.redirects.plugin import _remember, file_for, load_state, plan


def test_plan_redirects_only_moved_published_stories_from_free_urls() -> None:
    remembered = {"a/": "k1", "b/": "k2", "c/": "k3", "d/": "k4"}
    now = {"k1": "a2/", "k2": "b/", "k4": "c/"}  # k3 unpublished; k4 moved onto k3's old URL
    assert plan(remembered, now, set(now.values())) == {"a/": "a2/", "d/": "c/"}
    assert plan({"x/": "k1"}, {"k1": "y/", "k2": "x/"}, {"x/", "y/"}) == {}  # x/ hosts k2 now
    assert file_for("2024/03/02/x/") == "2024/03/02/x/index.html"
    assert file_for("page.html") == "page.html"


def redirect_target(build: Build, url: str) -> str | None:
    """Where the page at ``url`` sends the reader (None: not a redirect page)."""
    soup = BeautifulSoup(build.path(url).read_bytes(), "html.parser")
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
    if refresh is None:
        return None
    canonical = soup.find("link", rel="canonical")["href"]
    assert refresh["content"] == f"0; url={canonical}"
    assert soup.find("a", href=canonical) is not None and soup.find("script") is None
    return canonical


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "2024-03-02-old-name.md", n=1, title="Moving story")
    write_item(content, "2024-03-03-stays.md", n=2, title="Staying story")
    write_item(content, "2024-03-04-goes-away.md", n=3, title="Story to unpublish")
    return content, tmp_path / "output", {"SITEURL": "https://news.example.org/repo"}


def test_a_renamed_file_leaves_a_working_redirect(site: tuple[Path, Path, dict[str, object]]) -> None:
    content, output, settings = site
    first = run_pelican(content, output, extra=settings)
    assert first.returncode == 0, first.log
    state = json.loads(output.with_name("output.urls.json").read_text(encoding="utf-8"))
    assert sorted(state["published"]) == [
        "2024/03/02/old-name/",
        "2024/03/03/stays/",
        "2024/03/04/goes-away/",
    ]
    (content / "2024-03-02-old-name.md").rename(content / "2024-03-02-new-name.md")
    story = content / "2024-03-04-goes-away.md"
    story.write_text(story.read_text(encoding="utf-8").replace("published: true", "published: false"))
    (content / "2024-03-04-goes-away.md").rename(content / "2024-03-04-gone.md")
    second = run_pelican(content, output, extra=settings)
    assert second.returncode == 0, second.log
    assert (
        redirect_target(second, "/2024/03/02/old-name/")
        == "https://news.example.org/repo/2024/03/02/new-name/"
    )
    assert second.soup("/2024/03/02/new-name/").find("h1").get_text() == "Moving story"
    # the build report lists the redirects it wrote, and only those
    report = json.loads(output.with_name("output.report.json").read_text(encoding="utf-8"))
    assert report["redirects"] == {"2024/03/02/old-name/": "2024/03/02/new-name/"}
    assert "Redirects: 1 moved URLs keep a redirect page" in " ".join(second.log.split())
    assert redirect_target(second, "/2024/03/03/stays/") is None  # a page, not a redirect
    # the unpublished story: no redirect, no page, under either name
    assert not second.path("/2024/03/04/goes-away/").exists()
    assert not second.path("/2024/03/04/gone/").exists()
    # remembered across builds: a third build still redirects the first build's URL
    third = run_pelican(content, output, extra=settings)
    assert (
        redirect_target(third, "/2024/03/02/old-name/")
        == "https://news.example.org/repo/2024/03/02/new-name/"
    )
    # redirect pages are not pages of the site: not in the sitemap, not in the search index
    assert "old-name" not in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_switching_to_title_urls_redirects_every_file_name_url(
    site: tuple[Path, Path, dict[str, object]],
) -> None:
    content, output, settings = site
    assert run_pelican(content, output, extra=settings).returncode == 0
    moved = run_pelican(content, output, extra={**settings, "NEWS_URL_FROM_FILENAME": False})
    assert moved.returncode == 0, moved.log
    assert (
        redirect_target(moved, "/2024/03/03/stays/")
        == "https://news.example.org/repo/2024/03/03/staying-story/"
    )
    assert (
        redirect_target(moved, "/2024/03/02/old-name/")
        == "https://news.example.org/repo/2024/03/02/moving-story/"
    )


def test_the_redirect_is_followed_on_a_served_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "2024-03-02-old-name.md", n=1, title="Moving story")
    with SiteServer(tmp_path / "output") as server:
        settings = {"SITEURL": server.base_url, "FEED_DOMAIN": server.base_url}
        assert run_pelican(content, tmp_path / "output", extra=settings).returncode == 0
        (content / "2024-03-02-old-name.md").rename(content / "2024-03-02-new-name.md")
        build = run_pelican(content, tmp_path / "output", extra=settings)
        assert build.returncode == 0, build.log
        target = redirect_target(build, "/2024/03/02/old-name/")
        with urllib.request.urlopen(target, timeout=30) as response:  # noqa: S310 - loopback only
            assert b"Moving story" in response.read()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url("/2024/03/02/nowhere/"), timeout=30)  # noqa: S310


def test_redirects_off_writes_no_state(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "2024-03-02-a.md")
    build = run_pelican(content, tmp_path / "output", extra={"REDIRECTS": False})
    assert build.returncode == 0, build.log
    assert not (tmp_path / "output.urls.json").exists()


def test_the_state_is_rewritten_only_when_a_url_is_new(tmp_path: Path) -> None:
    """An edit or an unpublished story adds no URL: the state file is left as it is."""
    output, settings = tmp_path / "output", {"REDIRECTS_STATE_PATH": ""}
    state = tmp_path / "output.urls.json"
    _remember(settings, output, {"k1": "a/", "k2": "b/"})
    before = state.stat()
    _remember(settings, output, {"k1": "a/"})  # k2 unpublished: remembered all the same
    _remember(settings, output, {"k1": "a/", "k2": "b/"})
    after = state.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    _remember(settings, output, {"k1": "a/", "k2": "b/", "k3": "c/"})  # a new story
    _remember(settings, output, {"k1": "a/", "k2": "c/"})  # k2 moved onto k3's URL
    assert load_state(state) == {"a/": "k1", "b/": "k2", "c/": "k2"}
    state.write_text("damaged", encoding="utf-8")
    _remember(settings, output, {})  # nothing to add, but an unreadable state is replaced
    assert load_state(state) == {}
