"""The theme's output, read statically: head metadata, JSON-LD, page kinds, images, one small CSS.

A small crafted site is built with an absolute ``SITEURL`` (as ``make publish`` does): five items
over three months, one of them a video, one with a title made to break out of a ``<script>``.
The browser side (axe, the Nu checker, JavaScript off, 390 px) is in ``test_browser.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.build import ROOT, Build, run_pelican
from support.items import item_fields, write_item

SITE = "https://example.org/news"
CSS = ROOT / "theme" / "static" / "css" / "site.css"
CSS_BUDGET = 15 * 1024
BREAKOUT = 'Closing </script><!-- & "quotes" <b>bold</b>'
LOGO = {"url": "https://logos.example.com/en.png", "width": 50, "height": 50}
ITEMS = {
    "a.txt": item_fields(
        1,
        title="Alpha one",
        publishedDateTime="2024-03-02T10:00:00Z",
        topics=["Alpha", "Beta"],
        ampWebUrl="https://news.example.com/amp/1",
        provider={"name": "Example News", "domain": "example.com", "images": [LOGO]},
    ),
    "b.txt": item_fields(2, title="Alpha two", publishedDateTime="2024-03-05T10:00:00Z", topics=["Alpha"]),
    "c.txt": item_fields(3, title=BREAKOUT, publishedDateTime="2024-04-10T10:00:00Z", topics=["Alpha"]),
    "d.txt": item_fields(
        4,
        title="Gamma on video",
        publishedDateTime="2024-04-11T10:00:00Z",
        type="video",
        topics=["Gamma"],
        featuredContent='<iframe width="800" height="500" src="https://www.youtube.com/embed/abc123"></iframe>',
    ),
    "e.txt": item_fields(
        5, title="No picture, no topic", publishedDateTime="2024-02-01T10:00:00Z", topics=None, images=None
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    content = tmp_path_factory.mktemp("theme-content")
    for name, fields in ITEMS.items():
        write_item(content, name, fields)
    build = run_pelican(
        content, tmp_path_factory.mktemp("theme-site"), extra={"SITEURL": SITE, "FEED_DOMAIN": SITE}
    )
    assert build.returncode == 0, build.log
    return build


def pages(build: Build) -> list[Path]:
    return sorted(build.output.rglob("*.html"))


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(build: Build, title: str) -> tuple[str, BeautifulSoup]:
    """(site path, soup) of the article page whose <h1> is ``title``."""
    for path in build.article_pages():
        soup = soup_of(path)
        if soup.h1.get_text() == title:
            return "/" + path.parent.relative_to(build.output).as_posix() + "/", soup
    raise AssertionError(f"no page for {title!r}")


def site_path(build: Build, path: Path) -> str:
    """The URL path a file is served at (``topics/a/index.html`` -> ``topics/a/``)."""
    relative = path.relative_to(build.output).as_posix()
    return relative.removesuffix("index.html")


def meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    return tag["content"] if tag else None


# -- one stylesheet, no inline style or script ---------------------------------------------------


def test_one_small_stylesheet_and_nothing_inline(site: Build) -> None:
    assert CSS.stat().st_size < CSS_BUDGET, f"site.css is {CSS.stat().st_size} bytes"
    assert (site.output / "theme" / "css" / "site.css").read_bytes() == CSS.read_bytes()
    for path in pages(site):
        soup = soup_of(path)
        sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assert sheets == [f"{SITE}/theme/css/site.css"], path
        assert not soup.find_all("style") and not soup.find_all(style=True), path
        # Scripts: JSON-LD data, or the theme's own file (search page only); nothing inline runs.
        for script in soup.find_all("script"):
            if script.get("type") != "application/ld+json":
                assert path.parts[-2:] == ("search", "index.html"), path
                assert script["src"].startswith(f"{SITE}/theme/js/") and not script.string, path


# -- landmarks, headings, stories --------------------------------------------------------------------


def test_every_page_has_landmarks_one_h1_and_a_skip_link(site: Build) -> None:
    for path in pages(site):
        soup = soup_of(path)
        assert len(soup.find_all("h1")) == 1, path
        assert soup.find("main", id="main") and soup.find("header") and soup.find("footer"), path
        assert soup.find("nav", attrs={"aria-label": "Sections"}), path
        skip = soup.find("a", class_="skip")
        assert skip["href"] == "#main" and soup.body.find("a") is skip, path
        for story in soup.select("main article"):
            assert story.find("time", datetime=True), (path, story.get_text()[:60])


def test_page_kinds_exist(site: Build) -> None:
    out = site.output
    for kind in (
        "index.html",
        "404.html",
        "topics/index.html",
        "topics/alpha/index.html",
        "archives/index.html",
    ):
        assert (out / kind).is_file(), kind
    assert sorted(p.parent.relative_to(out).as_posix() for p in out.glob("archives/*/*/index.html")) == [
        "archives/2024/02",
        "archives/2024/03",
        "archives/2024/04",
    ]


# -- head: title, description, canonical, Open Graph, Twitter, feeds ---------------------------------


def test_canonical_and_og_url_are_the_pages_own_absolute_url(site: Build) -> None:
    checked = 0
    for path in pages(site):
        soup = soup_of(path)
        canonical = soup.find("link", rel="canonical")
        if path.name == "404.html":
            assert canonical is None and meta(soup, "og:url") is None
            assert meta(soup, "robots") == "noindex"
            continue
        expected = f"{SITE}/{site_path(site, path)}"
        assert canonical["href"] == expected, path
        assert meta(soup, "og:url") == expected, path
        assert soup.title.get_text().strip() and meta(soup, "description"), path
        assert meta(soup, "og:title") and meta(soup, "og:description") and meta(soup, "twitter:card"), path
        # X falls back to og:title, og:description and og:image: no second copy of each.
        assert not soup.find_all(
            "meta", attrs={"name": ["twitter:title", "twitter:description", "twitter:image"]}
        )
        checked += 1
    assert checked > 10


def test_article_head(site: Build) -> None:
    _, soup = article(site, "Alpha one")
    assert soup.title.get_text() == "Alpha one · Topicfeed"
    assert meta(soup, "description") == "Excerpt of test story 1 ..."
    assert meta(soup, "og:type") == "article" and meta(soup, "og:title") == "Alpha one"
    assert meta(soup, "og:image") == "https://img.example.com/1.jpg"
    assert (meta(soup, "og:image:width"), meta(soup, "og:image:height")) == ("800", "450")
    assert meta(soup, "twitter:card") == "summary_large_image"
    assert meta(soup, "article:published_time") == "2024-03-02T10:00:00+00:00"
    assert [t["content"] for t in soup.find_all("meta", property="article:tag")] == ["Alpha", "Beta"]
    _, bare = article(site, "No picture, no topic")
    assert meta(bare, "twitter:card") == "summary" and meta(bare, "og:image") is None


def test_feed_autodiscovery_on_every_page_and_topic_feeds_first(site: Build) -> None:
    site_feeds = [f"{SITE}/feeds/all.atom.xml", f"{SITE}/feeds/all.rss.xml", f"{SITE}/feeds/all.json"]
    for path in pages(site):
        hrefs = [link["href"] for link in soup_of(path).select('head link[rel="alternate"]')]
        assert hrefs[-3:] == site_feeds, path
    topic = [
        link["href"]
        for link in soup_of(site.output / "topics/alpha/index.html").select('head link[rel="alternate"]')
    ]
    assert topic[:3] == [f"{SITE}/feeds/topics/alpha.{ext}" for ext in ("atom.xml", "rss.xml", "json")]


# -- JSON-LD -----------------------------------------------------------------------------------------


def json_ld(soup: BeautifulSoup) -> dict:
    (script,) = soup.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_news_article_json_ld(site: Build) -> None:
    path, soup = article(site, "Alpha one")
    data = json_ld(soup)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Alpha one" and data["description"] == "Excerpt of test story 1 ..."
    assert data["url"] == soup.find("link", rel="canonical")["href"] == f"{SITE}{path}"
    assert data["mainEntityOfPage"]["@id"] == data["url"]
    assert data["datePublished"] == "2024-03-02T10:00:00+00:00"
    assert data["image"] == ["https://img.example.com/1.jpg"]
    assert data["isBasedOn"] == "https://news.example.com/stories/1"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Example News",
        "url": "https://example.com/",
        "logo": {"@type": "ImageObject", "url": LOGO["url"]},
    }
    assert data["keywords"] == ["Alpha", "Beta"]


def test_json_ld_cannot_be_broken_out_of(site: Build) -> None:
    path, soup = article(site, BREAKOUT)
    raw = (site.output / path.strip("/") / "index.html").read_text(encoding="utf-8")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&") & set(block)  # nothing in it can end the element or open a comment
    assert "\\u003c/script\\u003e\\u003c!--" in block
    assert json.loads(block)["headline"] == BREAKOUT == soup.h1.get_text()
    assert raw.count("</script>") == 1


def test_script_json_escapes_every_markup_character() -> None:
    from topicfeed.news_theme.jsonld import script_json

    value = {"t": "</script><!--<script>&amp; \u2028\u2029 'x' \"y\""}
    text = str(script_json(value))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_video_json_ld_and_embed(site: Build) -> None:
    _, soup = article(site, "Gamma on video")
    frame = soup.select_one("main figure iframe")
    assert frame["src"] == "https://www.youtube-nocookie.com/embed/abc123"
    assert frame["loading"] == "lazy" and frame["title"] == "Video: Gamma on video"
    assert json_ld(soup)["video"]["embedUrl"] == frame["src"]
    assert "Video" in soup.select_one(".kicker").get_text()
    assert not soup.select("main figure img")  # the video is the lead, not the picture


# -- the article page ----------------------------------------------------------------------------------


def test_article_page_parts(site: Build) -> None:
    _, soup = article(site, "Alpha one")
    story = soup.select_one("main article.story")
    assert story.find("time")["datetime"] == "2024-03-02T10:00:00+00:00"
    assert story.select_one(".provider").get_text() == "Example News"
    lead = story.select_one("figure.lead img")
    assert (
        lead["alt"] == "Alpha one" and lead["loading"] == "lazy" and lead["referrerpolicy"] == "no-referrer"
    )
    assert (lead["width"], lead["height"]) == ("800", "450")
    logo = story.select_one(".logo-box")
    assert logo["aria-hidden"] == "true" and logo.get_text(strip=True) == "E"  # the monogram under it
    assert (
        logo.img["alt"] == ""
        and logo.img["src"] == LOGO["url"]
        and logo.img["referrerpolicy"] == "no-referrer"
    )
    read = story.find("a", class_="button")
    assert (read.get_text(), read["href"]) == ("Read at Example News", "https://news.example.com/stories/1")
    amp = story.find("a", string="AMP version")
    assert amp["href"] == "https://news.example.com/amp/1"
    for link in (read, amp):
        assert set(link["rel"]) == {"noopener", "noreferrer"}
    chips = {a.get_text(): a["href"] for a in story.select(".topics a.chip")}
    assert chips == {"Alpha": f"{SITE}/topics/alpha/", "Beta": f"{SITE}/topics/beta/"}


def test_previous_and_next_within_the_topic(site: Build) -> None:
    paths = {title: article(site, title)[0] for title in ("Alpha one", "Alpha two", BREAKOUT)}

    def pager(title: str) -> dict[str, str]:
        return {a["rel"][0]: a["href"] for a in article(site, title)[1].select(".pager a")}

    assert pager("Alpha one") == {"next": SITE + paths["Alpha two"]}
    assert pager("Alpha two") == {"prev": SITE + paths["Alpha one"], "next": SITE + paths[BREAKOUT]}
    assert pager(BREAKOUT) == {"prev": SITE + paths["Alpha two"]}
    assert pager("Gamma on video") == {} and pager("No picture, no topic") == {}
    assert "More in Alpha" in str(article(site, "Alpha two")[1].select_one("nav:has(.pager)"))


def test_every_image_is_lazy_sized_and_sends_no_referrer(site: Build) -> None:
    for path in pages(site):
        for img in soup_of(path).find_all("img"):
            assert img.has_attr("alt"), (path, img)
            assert img["referrerpolicy"] == "no-referrer", (path, img)
            assert img["loading"] == "lazy" and img.get("width") and img.get("height"), (path, img)


# -- 404 and archives ----------------------------------------------------------------------------------


def test_not_found_page(site: Build) -> None:
    soup = soup_of(site.output / "404.html")
    assert soup.h1.get_text() == "Page not found"
    # GitHub Pages serves it at any depth: every link and asset URL is absolute.
    for tag in soup.find_all(["a", "link", "img"]):
        url = tag.get("href") or tag.get("src")
        assert url.startswith(("https://", "http://", "#")), tag
    assert {a["href"] for a in soup.select("main a")} >= {f"{SITE}/", f"{SITE}/topics/", f"{SITE}/archives/"}
    assert "404.html" not in (site.output / "sitemap.xml").read_text(encoding="utf-8")


def test_monthly_archives(site: Build) -> None:
    index = soup_of(site.output / "archives" / "index.html")
    months = {a.get_text(" ", strip=True): a["href"] for a in index.select("main .months a")}
    assert months == {
        "April 2 stories": f"{SITE}/archives/2024/04/",
        "March 2 stories": f"{SITE}/archives/2024/03/",
        "February 1 story": f"{SITE}/archives/2024/02/",
    }
    april = soup_of(site.output / "archives" / "2024" / "04" / "index.html")
    assert april.h1.get_text() == "April 2024"
    assert [a.get_text() for a in april.select("main article h3 a")] == ["Gamma on video", BREAKOUT]
    assert [t["datetime"] for t in april.select("main .day-title time")] == ["2024-04-11", "2024-04-10"]


def test_home_side_column_lists_the_biggest_topics_and_the_site_feeds(site: Build) -> None:
    aside = soup_of(site.output / "index.html").select_one("main aside")
    topics = [
        (a.contents[0].strip(), a.find(class_="count").contents[0])
        for a in aside.select('.chips a[href*="/topics/"]')
    ]
    assert topics[0] == ("Alpha", "3") and sorted(topics[1:]) == [("Beta", "1"), ("Gamma", "1")]
    feeds = [a["href"] for a in aside.select('a[href*="/feeds/"]')]
    assert feeds[:3] == [f"{SITE}/feeds/all.atom.xml", f"{SITE}/feeds/all.rss.xml", f"{SITE}/feeds/all.json"]
