"""A small feed with a known story graph, built with the real Pelican CLI; every link followed.

The graph (dates in May 2024, newest first)::

    A (10th) lists: itself (AMP cache spelling), B (by B's AMP URL), C (http://www. + utm_ +
                    fragment), U (unpublished item of the feed), X (outside story),
                    B again (main URL), X again (www. + fbclid)
    B (9th)  no related list
    C (8th)  lists D
    D (7th)  no related list; shares the rare topic "Submarines" and its headline words with E
    E (6th)  no related list
    F (5th)  lists X (so A and F are one story through X)
    G (4th)  nothing in common with anyone
    U (3rd)  unpublished; its topic "Secret Topic" and source exist nowhere

The build uses ``DEFAULT_PAGINATION = 2`` so topic, source and home pages paginate.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.build import Build, run_pelican
from support.items import item_fields, write_item

ROBO = {"name": "Robo Times", "domain": "robotimes.example"}
DEEP = {"name": "Deep Post", "domain": "deep.example"}


def related(url: str, title: str = "Listed story", **extra: object) -> dict[str, object]:
    """A related entry as the exporter writes it (no topics, related or published)."""
    return {
        "title": title,
        "publishedDateTime": "2024-05-01T00:00:00Z",
        "webUrl": url,
        "type": "article",
        "provider": {"name": "Somebody", "domain": "somebody.example"},
    } | extra


X_URL = "https://outside.example/x"
U_URL = "https://www.uhidden.example/u"

ITEMS: dict[str, dict[str, object]] = {
    "A": item_fields(
        title="Robot arms learn to fold laundry",
        publishedDateTime="2024-05-10T10:00:00Z",
        webUrl="https://www.alpha.example/robots/fold",
        ampWebUrl="https://amp.alpha.example/robots/fold",
        provider=ROBO,
        topics=["Robotics", "Laundry"],
        heat=90,
        quality=80,
        related=[
            related("https://alpha-example.cdn.ampproject.org/c/s/amp.alpha.example/robots/fold", "A itself"),
            related("https://amp.beta.example/story/b", "B via AMP"),
            related("http://www.gamma.example/c/?utm_source=twitter&utm_medium=social#top", "C via utm"),
            related(
                U_URL,
                "Hidden wire story",
                provider={"name": "Hidden Wire", "domain": "uhidden.example"},
                publishedDateTime="2024-05-03T03:00:00Z",
            ),
            related(X_URL, "Outside story X", images=[{"url": "https://img.outside.example/x.jpg"}]),
            related("https://beta.example/story/b", "B again"),
            related("https://www.outside.example/x?fbclid=abc", "X again"),
        ],
    ),
    "B": item_fields(
        title="Laundry robots reach the shops",
        publishedDateTime="2024-05-09T09:00:00Z",
        webUrl="https://beta.example/story/b",
        ampWebUrl="https://amp.beta.example/story/b",
        provider={"name": "Beta Daily", "domain": "beta.example"},
        topics=["Laundry", "Retail"],
    ),
    "C": item_fields(
        title="Warehouse robot fleet doubles",
        publishedDateTime="2024-05-08T08:00:00Z",
        webUrl="https://gamma.example/c",
        provider=ROBO,
        topics=["Robotics"],
        related=[related("https://delta.example/d", "D as listed")],
    ),
    "D": item_fields(
        title="Submarine drones map the deep sea",
        publishedDateTime="2024-05-07T07:00:00Z",
        webUrl="https://delta.example/d",
        provider=DEEP,
        topics=["Submarines"],
    ),
    "E": item_fields(
        title="Deep sea submarine drones find wreck",
        publishedDateTime="2024-05-06T06:00:00Z",
        webUrl="https://epsilon.example/e",
        provider=DEEP,
        topics=["Submarines"],
    ),
    "F": item_fields(
        title="Robot makers meet in Tokyo",
        publishedDateTime="2024-05-05T05:00:00Z",
        webUrl="https://phi.example/f",
        provider={
            "name": "The Robo Times",
            "domain": "robotimes.example",
            "images": [{"url": "https://img.robotimes.example/logo.png", "width": 50, "height": 50}],
        },
        topics=["Robotics"],
        related=[related(X_URL, "Outside story X")],
    ),
    "G": item_fields(
        title="Quarterly cheese output steady",
        publishedDateTime="2024-05-04T04:00:00Z",
        webUrl="https://cheese.example/g",
        provider={"name": "Cheese Weekly", "domain": "cheese.example"},
        topics=["Cheese"],
    ),
    "U": item_fields(
        title="Hidden wire story",
        publishedDateTime="2024-05-03T03:00:00Z",
        webUrl=U_URL,
        provider={"name": "Hidden Wire", "domain": "uhidden.example"},
        topics=["Secret Topic"],
        published=False,
    ),
}
TITLES = {name: str(fields["title"]) for name, fields in ITEMS.items()}
PUBLISHED = [name for name in ITEMS if name != "U"]


@pytest.fixture(scope="module")
def graph_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    content = tmp_path_factory.mktemp("graph-content")
    for name, fields in ITEMS.items():
        write_item(content, f"{name.lower()}.txt", fields)
    build = run_pelican(content, tmp_path_factory.mktemp("graph-site"), extra={"DEFAULT_PAGINATION": 2})
    assert build.returncode == 0, build.log
    return build


def pages(build: Build) -> dict[str, str]:
    """Our page URL of each published item, found through the article pages' titles."""
    found = {}
    for path in build.article_pages():
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        title = soup.find("h1").get_text()
        found[next(n for n, t in TITLES.items() if t == title)] = (
            "/" + path.parent.relative_to(build.output).as_posix() + "/"
        )
    return found


@pytest.fixture(scope="module")
def urls(graph_site: Build) -> dict[str, str]:
    found = pages(graph_site)
    assert sorted(found) == PUBLISHED
    return found


def section(build: Build, url: str, name: str, listed_only: bool = False) -> list[tuple[str, str]]:
    """(link text without the external label, href) of each story in one section of a page."""
    soup = build.soup(url)
    block = soup.find("section", class_=name)
    if block is None:
        return []
    result = []
    for a in block.select("li.story-link" + (":not(.computed)" if listed_only else "") + " > div > a"):
        label = a.find(class_="external-label")
        if label:
            label.extract()
        result.append((a.get_text().strip(), a["href"]))
    return result


def name_of(urls: dict[str, str], href: str) -> str:
    return next((n for n, u in urls.items() if u == href), href)


def test_every_internal_link_resolves(graph_site: Build) -> None:
    """Every <a href> and <link href> on every page (feeds and stylesheet included)."""
    checked = 0
    for path in graph_site.output.rglob("*.html"):
        for href in re.findall(r'<(?:a|link) [^>]*href="([^"]+)"', path.read_text(encoding="utf-8")):
            href = unescape(href)
            if href.startswith("/"):
                assert graph_site.path(href).is_file(), (path, href)
                checked += 1
    assert checked > 200


def test_cross_links_follow_the_rules(graph_site: Build, urls: dict[str, str]) -> None:
    links = section(graph_site, urls["A"], "related")
    # Self (AMP cache spelling) dropped; B through its AMP URL and C through http://www. + utm_
    # are our pages (shown with our own title); U (unpublished) and X (outside) go out; the
    # second B and X are dropped.
    assert links == [
        (TITLES["B"], urls["B"]),
        (TITLES["C"], urls["C"]),
        ("Hidden wire story", U_URL),
        ("Outside story X", X_URL),
    ]
    for _, href in links[:2]:
        assert graph_site.path(href).is_file()
    assert urls["A"] not in {href for _, href in links}


def test_internal_links_show_our_page_data(graph_site: Build, urls: dict[str, str]) -> None:
    soup = graph_site.soup(urls["A"])
    first = soup.select_one("section.related li.story-link")
    assert "external" not in first["class"]
    assert first.find("a")["href"] == urls["B"] and not first.find("a").get("rel")
    assert first.find(class_="provider").get_text() == "Beta Daily"
    assert first.find("time")["datetime"] == "2024-05-09T09:00:00+00:00"
    assert first.find("img", class_="thumb")["src"].startswith("https://img.example.com/")


def test_outside_links_are_marked_as_leaving(graph_site: Build, urls: dict[str, str]) -> None:
    soup = graph_site.soup(urls["A"])
    outside = soup.select("section.related li.story-link.external")
    assert [li.find("a")["href"] for li in outside] == [U_URL, X_URL]
    for li in outside:
        a = li.find("a")
        assert set(a["rel"]) >= {"noopener", "noreferrer"}
        assert "external" in a["class"]
        assert a.find(class_="external-label").get_text().strip() == "(external site)"
    x = outside[1]
    assert x.find("img")["src"] == "https://img.outside.example/x.jpg"
    assert x.find(class_="provider").get_text() == "Somebody"


def test_no_page_links_to_an_unpublished_item_of_ours(graph_site: Build, urls: dict[str, str]) -> None:
    for path in graph_site.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Secret Topic" not in text, path
        assert "secret-topic" not in text, path
        assert "uhidden-example" not in text, path
        for href in re.findall(r'href="(/[^"]*)"', text):
            assert "hidden-wire" not in href, path
    assert not (graph_site.output / "topics" / "secret-topic").exists()
    assert not (graph_site.output / "sources" / "uhidden-example").exists()


def test_backlinks_make_every_cross_link_two_way(graph_site: Build, urls: dict[str, str]) -> None:
    assert section(graph_site, urls["B"], "backlinks") == [(TITLES["A"], urls["A"])]
    assert section(graph_site, urls["C"], "backlinks") == [(TITLES["A"], urls["A"])]
    assert section(graph_site, urls["D"], "backlinks") == [(TITLES["C"], urls["C"])]
    two_way = 0
    for name, url in urls.items():
        for _, href in section(graph_site, url, "related", listed_only=True):
            if href.startswith("/"):
                two_way += 1
                target = name_of(urls, href)
                shown = section(graph_site, href, "related") + section(graph_site, href, "backlinks")
                assert url in {h for _, h in shown}, (name, target)
    assert two_way == 3  # A-B, A-C, C-D


def test_computed_related(graph_site: Build, urls: dict[str, str]) -> None:
    soup = graph_site.soup(urls["D"])
    computed = [li.find("a")["href"] for li in soup.select("section.related li.story-link.computed")]
    assert computed == [urls["E"]]
    assert section(graph_site, urls["E"], "related") == [(TITLES["D"], urls["D"])]
    # F lists X only: the two other Robotics stories fill it up, ours before the outside story.
    f_links = [name_of(urls, href) for _, href in section(graph_site, urls["F"], "related")]
    assert sorted(f_links[:2]) == ["A", "C"] and f_links[2:] == [X_URL]
    # G shares nothing that scores over the threshold: no related section at all.
    assert graph_site.soup(urls["G"]).find("section", class_="related") is None


def test_more_coverage_of_the_story(graph_site: Build, urls: dict[str, str]) -> None:
    more = [name_of(urls, href) for _, href in section(graph_site, urls["A"], "coverage")]
    assert more == ["D", "F"]  # B, C, U and X are already on A's page
    more_b = [name_of(urls, href) for _, href in section(graph_site, urls["B"], "coverage")]
    assert more_b == ["C", "D", "F", U_URL, X_URL]  # ours newest first, then outside
    assert section(graph_site, urls["E"], "coverage") == []
    assert section(graph_site, urls["G"], "coverage") == []


def test_topic_index_counts_published_items_only(graph_site: Build) -> None:
    soup = graph_site.soup("/topics/")
    counts = {
        a.contents[0].strip(): int(a.find(class_="count").contents[0]) for a in soup.select(".topic-list a")
    }
    assert counts == {"Cheese": 1, "Laundry": 2, "Retail": 1, "Robotics": 3, "Submarines": 2}


def test_topic_pages_paginate_newest_first_and_advertise_feeds(
    graph_site: Build, urls: dict[str, str]
) -> None:
    first = graph_site.soup("/topics/robotics/")
    second = graph_site.soup("/topics/robotics/page/2/")
    listed = [a["href"] for page in (first, second) for a in page.select("main .card-title a")]
    assert listed == [urls["A"], urls["C"], urls["F"]]
    assert first.find(class_="count").get_text() == "3 stories"
    advertised = [link["href"] for link in first.select('head link[rel="alternate"]')]
    assert advertised[:2] == ["/feeds/topics/robotics.atom.xml", "/feeds/topics/robotics.rss.xml"]
    for href in advertised:
        assert graph_site.path(href).is_file(), href


def test_source_pages(graph_site: Build, urls: dict[str, str]) -> None:
    index = graph_site.soup("/sources/")
    rows = {
        li.find("a").get_text(): (li.find("a")["href"], li.find(class_="count").get_text())
        for li in index.select(".source-list li")
    }
    assert rows == {
        "Beta Daily": ("/sources/beta-example/", "1 story"),
        "Cheese Weekly": ("/sources/cheese-example/", "1 story"),
        "Deep Post": ("/sources/deep-example/", "2 stories"),
        "Robo Times": ("/sources/robotimes-example/", "3 stories"),
    }
    first = graph_site.soup("/sources/robotimes-example/")
    second = graph_site.soup("/sources/robotimes-example/page/2/")
    assert first.find("h1").get_text() == "Robo Times"
    assert first.find(class_="domain").get_text() == "robotimes.example"
    assert first.select_one(".index-header img.logo")["src"] == "https://img.robotimes.example/logo.png"
    listed = [a["href"] for page in (first, second) for a in page.select("main .card-title a")]
    assert listed == [urls["A"], urls["C"], urls["F"]]
    assert first.select_one('nav.pagination a[rel="next"]')["href"] == "/sources/robotimes-example/page/2/"
    advertised = [link["href"] for link in first.select('head link[rel="alternate"]')]
    assert advertised[:2] == [
        "/feeds/sources/robotimes-example.atom.xml",
        "/feeds/sources/robotimes-example.rss.xml",
    ]  # its own feeds first, then the site's
    for href in advertised:
        assert graph_site.path(href).is_file(), href
    provider = graph_site.soup(urls["A"]).select_one("article.story .provider a")
    assert provider["href"] == "/sources/robotimes-example/"


def test_home_page_top_stories_then_days(graph_site: Build, urls: dict[str, str]) -> None:
    home = graph_site.soup("/")
    top = [a["href"] for a in home.select("section.top-stories .card-title a")]
    # One story per cluster: A (top heat, newest) leads the A-B-C-D-F story; E and G stand alone.
    assert top == [urls["A"], urls["E"], urls["G"]]
    days = [h.find("time")["datetime"] for h in home.select("section.day h3")]
    assert days == ["2024-05-10", "2024-05-09"]
    latest = [a["href"] for a in home.select("section.day .card-title a")]
    assert latest == [urls["A"], urls["B"]]
    page2 = graph_site.soup("/page/2/")
    assert page2.find("section", class_="top-stories") is None
    assert [h.find("time")["datetime"] for h in page2.select("section.day h3")] == [
        "2024-05-08",
        "2024-05-07",
    ]


def test_article_pages_only_for_published(graph_site: Build) -> None:
    assert len(graph_site.article_pages()) == len(PUBLISHED)
    assert not any("hidden" in Path(p).parent.name for p in graph_site.article_pages())


def test_a_theme_without_source_templates_still_builds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for name, fields in ITEMS.items():
        write_item(content, f"{name.lower()}.txt", fields)
    build = run_pelican(content, tmp_path / "site", extra={"THEME": "simple"}, options=("--verbose",))
    assert build.returncode == 0, build.log
    assert "the theme has no sources.html" in build.log and "the theme has no source.html" in build.log
    assert not (tmp_path / "site" / "sources").exists()
    assert len(list((tmp_path / "site").glob("2024/05/*/*/index.html"))) == len(PUBLISHED)
