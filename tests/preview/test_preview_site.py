"""The editors' preview as built (previewconf.py): unpublished items shown and marked, nothing indexable.

Seeds (content/: four unpublished items, one published) and the corpus are each built twice,
as the site and as the preview; every assertion reads the files Pelican wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.build import CORPUS, ROOT, Build, run_pelican
from support.items import write_item

from topicfeed.model import build_item
from topicfeed.news_reader.source import decode, load_front_matter

PREVIEWCONF = ROOT / "previewconf.py"
BANNER = "Not published: this page exists only in the preview."
BADGE = "Not published"


def preview_build(input_dir: Path, output: Path) -> Build:
    build = run_pelican(input_dir, output, settings_file=PREVIEWCONF, extra={"PREVIEW_OUTPUT": str(output)})
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def seeds_preview(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return preview_build(ROOT / "content", tmp_path_factory.mktemp("seeds") / "preview")


@pytest.fixture(scope="session")
def corpus_preview(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return preview_build(CORPUS, tmp_path_factory.mktemp("corpus") / "preview")


def read_items(folder: Path) -> list[tuple[str, bool]]:
    """(title, published) of every item in ``folder``, read by the model as the reader reads it."""
    items = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md")):
        raw, _, _ = load_front_matter(decode(path.read_bytes(), 1_000_000))
        item, _ = build_item(raw, path.name)
        assert item is not None, path
        items.append((item.title, item.published))
    return items


def seed_items() -> list[tuple[str, bool]]:
    return read_items(ROOT / "content")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def head(path: Path) -> BeautifulSoup:
    """The page's <head> only (enough for the meta tags, and fast over a thousand pages)."""
    text = path.read_text(encoding="utf-8")
    return BeautifulSoup(text[: text.index("</head>") + 7], "html.parser")


def robots_metas(path: Path) -> list[str]:
    return [meta.get("content") for meta in head(path).find_all("meta", attrs={"name": "robots"})]


def url_of(site: Path, page: Path) -> str:
    return "/" + page.parent.relative_to(site).as_posix() + "/"


def article_titles(site: Path) -> dict[str, str]:
    """URL -> headline of every article page."""
    titles = {}
    for page in Build(site, site, 0, "").article_pages():
        h1 = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("h1")
        titles[url_of(site, page)] = h1.get_text(strip=True)
    return titles


def banner_of(page: Path):
    """The unpublished banner: a note (role=note) whose strong text says 'Not published:'."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for note in soup.find_all(attrs={"role": ["note", "status"]}):
        strong = note.find("strong")
        if strong and strong.get_text(strip=True) == "Not published:":
            return note
    return None


def bannered_urls(site: Path) -> set[str]:
    return {url_of(site, page) for page in Build(site, site, 0, "").article_pages() if banner_of(page)}


# Every page noindex; robots.txt; sitemaps; feeds --------------------------------------------------


@pytest.mark.parametrize("name", ["seeds_preview", "corpus_preview"])
def test_every_preview_page_has_the_noindex_meta(name: str, request: pytest.FixtureRequest) -> None:
    site = request.getfixturevalue(name).output
    pages = html_pages(site)
    assert len(pages) > 10
    wrong = [p.relative_to(site).as_posix() for p in pages if robots_metas(p) != ["noindex,nofollow"]]
    assert not wrong, f"pages without exactly one noindex,nofollow robots meta: {wrong[:10]}"


def test_the_site_has_no_preview_robots_meta(seeds_site: Build) -> None:
    metas = {
        page.name if page.name == "404.html" else "page": robots_metas(page)
        for page in html_pages(seeds_site.output)
    }
    assert metas == {"404.html": ["noindex"], "page": []}  # the 404 page only, and as before


def test_robots_txt_disallows_everything(seeds_preview: Build) -> None:
    robots = RobotFileParser()
    robots.parse((seeds_preview.output / "robots.txt").read_text(encoding="utf-8").splitlines())
    for url in ["/", "/robots.txt", "/feeds/all.atom.xml", *article_titles(seeds_preview.output)]:
        for agent in ("*", "Googlebot", "Googlebot-News"):
            assert not robots.can_fetch(agent, "https://example.org" + url), (agent, url)
    assert "Sitemap" not in (seeds_preview.output / "robots.txt").read_text(encoding="utf-8")


def test_the_preview_has_no_sitemap(seeds_preview: Build, seeds_site: Build) -> None:
    assert (seeds_site.output / "sitemap.xml").is_file()  # the site has them: the check below can fail
    assert not [p.name for p in seeds_preview.output.rglob("*") if "sitemap" in p.name.lower()]


def test_every_feed_title_says_preview(seeds_preview: Build) -> None:
    feeds = seeds_preview.output / "feeds"
    xml_feeds = sorted(feeds.rglob("*.atom.xml")) + sorted(feeds.rglob("*.rss.xml"))
    json_feeds = sorted(feeds.rglob("*.json"))
    assert xml_feeds and json_feeds
    for path in xml_feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert "(preview)" in parsed.feed.title, path
    for path in json_feeds:
        assert "(preview)" in json.loads(path.read_text(encoding="utf-8"))["title"], path
    opml = ElementTree.parse(feeds / "feeds.opml").getroot()  # noqa: S314 (our own output)
    assert "(preview)" in (opml.findtext("head/title") or "")


def test_page_titles_say_preview(seeds_preview: Build) -> None:
    for page in html_pages(seeds_preview.output):
        assert "(preview)" in head(page).find("title").get_text(), page


def test_the_preview_carries_its_marker(seeds_preview: Build, seeds_site: Build) -> None:
    assert (seeds_preview.output / ".topicfeed-preview").is_file()
    assert not (seeds_site.output / ".topicfeed-preview").exists()


# Unpublished items: pages only in the preview, a banner, a badge in every list --------------------


def test_unpublished_seed_items_have_pages_only_in_the_preview(
    seeds_preview: Build, seeds_site: Build
) -> None:
    items = seed_items()
    unpublished = {title for title, published in items if not published}
    assert unpublished and len(unpublished) < len(items)  # the seeds hold both kinds
    preview_titles = set(article_titles(seeds_preview.output).values())
    site_titles = set(article_titles(seeds_site.output).values())
    assert {title for title, _ in items} <= preview_titles
    assert site_titles == {title for title, published in items if published}
    # Not a byte of an unpublished item's headline anywhere in the site.
    for path in seeds_site.output.rglob("*"):
        if path.is_file() and "pagefind" not in path.parts:
            text = path.read_bytes().decode("utf-8", "replace")
            assert not [t for t in unpublished if t in text], path


def test_the_banner_is_on_unpublished_pages_only(seeds_preview: Build, seeds_site: Build) -> None:
    unpublished = {title for title, published in seed_items() if not published}
    for url, title in article_titles(seeds_preview.output).items():
        banner = banner_of(seeds_preview.path(url))
        if title in unpublished:
            assert banner is not None, url
            assert BANNER in " ".join(banner.get_text(" ", strip=True).split()), url
            assert "published: true" in banner.get_text(), url  # says what to change
        else:
            assert banner is None, url
    assert not bannered_urls(seeds_site.output)


def list_pages(site: Path) -> dict[str, list[Path]]:
    return {
        "home": [site / "index.html"],
        "topic": sorted((site / "topics").glob("*/index.html")),
        "source": sorted((site / "sources").glob("*/index.html")),
        "archive": sorted((site / "archives").glob("*/*/index.html")),
    }


def check_lists(site: Path, unpublished_urls: set[str]) -> dict[str, int]:
    """Every story card in a list carries the badge exactly when its item is unpublished."""
    marked: dict[str, int] = {}
    for kind, pages in list_pages(site).items():
        marked[kind] = 0
        for page in pages:
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            for card in soup.select("main article.card"):
                href = card.select_one(".card-title a")["href"]
                badges = [b for b in card.select(".badge") if b.get_text(strip=True) == BADGE]
                if href in unpublished_urls:
                    assert len(badges) == 1, (page, href)
                    marked[kind] += 1
                else:
                    assert not badges, (page, href)
    return marked


def test_lists_topic_and_source_pages_mark_unpublished_items(seeds_preview: Build) -> None:
    unpublished = {title for title, published in seed_items() if not published}
    urls = {url for url, title in article_titles(seeds_preview.output).items() if title in unpublished}
    assert len(urls) == len(unpublished)
    marked = check_lists(seeds_preview.output, urls)
    assert all(marked.values()), marked  # each kind of list shows at least one, marked


def test_corpus_preview_marks_exactly_the_unpublished_items(corpus_preview: Build) -> None:
    site = corpus_preview.output
    items = read_items(CORPUS)
    unpublished = sum(not published for _, published in items)
    assert unpublished > 100
    bannered = bannered_urls(site)
    assert len(bannered) == unpublished
    assert len(article_titles(site)) == len(items)
    marked = check_lists(site, bannered)
    assert all(marked.values()), marked


def test_an_unpublished_item_is_read_in_full_in_the_preview(tmp_path: Path) -> None:
    """Its picture and its own related list are there, as they will be once it is published;
    ``secured`` stays out of the preview too."""
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "a.txt", n=1, title="A published story")
    related = {
        "title": "A related story elsewhere",
        "publishedDateTime": "2024-03-01T09:00:00Z",
        "webUrl": "https://other.example.net/related/9",
    }
    write_item(content, "b.txt", n=2, title="A story not yet published", published=False, related=[related])
    site = preview_build(content, tmp_path / "preview").output
    (url,) = bannered_urls(site)
    page = BeautifulSoup((site / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("h1").get_text(strip=True) == "A story not yet published"
    assert page.select_one("figure.lead img")["src"] == "https://img.example.com/2.jpg"
    links = [a.get_text(" ", strip=True) for a in page.select("section.related li.story-link a")]
    assert any(text.startswith("A related story elsewhere") for text in links), links
    for path in site.rglob("*"):
        assert not path.is_file() or b"SECRETBLOB" not in path.read_bytes(), path
