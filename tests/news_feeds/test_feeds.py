"""Feeds, discovery, OPML and sitemaps, on real publish builds (publishconf.py + SITEURL).

Every build here is what ``make publish SITEURL=https://example.org/news INPUTDIR=...`` runs:
the real ``pelican`` command with publishconf.py, ``SITEURL`` and ``FEED_DOMAIN``. The feeds are
found the way a reader finds them, through the pages' ``<link rel="alternate">`` tags, then
validated with jing (Atom, RFC 4287 RELAX NG schema), our RSS 2.0 and JSON Feed 1.1 checks,
feedparser, and Debian's newsboat reading them from ``file://`` URLs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import shutil
import uuid
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.build import CORPUS, ROOT, Build, run_pelican
from support.feeds import (
    FEED_TYPES,
    Feed,
    check_absolute,
    check_atom_rules,
    check_feedparser,
    check_json_feed,
    check_rss,
    check_safe_html,
    check_unique_ids,
    jing,
    newsboat,
    parse,
    xml_root,
)

from topicfeed.model import NewsItem, build_item
from topicfeed.news_reader.source import decode, load_front_matter
from topicfeed.text import source_slug, topic_key
from topicfeed.urls import story_key

SITE = "https://example.org/news"
MIRROR = "https://mirror.example.net/elsewhere"
FEED_MAX_ITEMS = 100
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# -- builds ------------------------------------------------------------------------------------


def publish(input_dir: Path, output_dir: Path, siteurl: str = SITE, **extra: object) -> Build:
    """What ``make publish SITEURL=... INPUTDIR=...`` runs."""
    build = run_pelican(
        input_dir,
        output_dir,
        settings_file=ROOT / "publishconf.py",
        extra={"SITEURL": siteurl, "FEED_DOMAIN": siteurl, **extra},
    )
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def corpus_items() -> list[NewsItem]:
    """Every item of the corpus that the model accepts, published or not."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    items = []
    for path in sorted(CORPUS.iterdir()):
        raw, _, _ = load_front_matter(decode(path.read_bytes(), 1_000_000))
        item, _ = build_item(raw, path.name)
        assert item is not None, path
        items.append(item)
    assert len(items) == 674
    return items


@pytest.fixture(scope="session")
def published(corpus_items: list[NewsItem]) -> list[NewsItem]:
    return [item for item in corpus_items if item.published]


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return publish(CORPUS, tmp_path_factory.mktemp("feeds-corpus"))


@pytest.fixture(scope="session")
def moved_corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The same corpus on another SITEURL, with Pelican's own theme and other article URLs."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return publish(
        CORPUS,
        tmp_path_factory.mktemp("feeds-corpus-moved"),
        MIRROR,
        THEME="simple",
        ARTICLE_URL="stories/{date:%Y}/{slug}.html",
        ARTICLE_SAVE_AS="stories/{date:%Y}/{slug}.html",
    )


TRICKY_TITLE = "Why <div> soup matters & more"
TRICKY_EXCERPT = "Markup such as <script>alert(1)</script> in an excerpt is text & stays text."
CRAFTED = {
    "100_tricky.txt": """---
category: news
title: "Why <div> soup matters & more"
excerpt: "Markup such as <script>alert(1)</script> in an excerpt is text & stays text."
publishedDateTime: 2024-05-02T09:30:00+05:30
webUrl: "https://www.example.com/stories/div-soup?id=7&utm_source=feed"
type: article
provider:
  name: "Example & Co"
  domain: example.com
topics: ["C++", "Web"]
images:
  - url: "https://img.example.com/div.jpg"
    width: 640
    height: 360
---
""",
    "101_video.txt": """---
category: news
title: "A video about feeds"
excerpt: "Watch this."
publishedDateTime: 2024-05-01T12:00:00-07:00
webUrl: "https://video.example.net/watch/feeds"
type: video
featuredContent: '<iframe width="560" height="315" src="https://www.youtube.com/embed/abc123"></iframe>'
provider: {name: Video Example, domain: video.example.net}
topics: [Web]
---
""",
    "102_unpublished.txt": """---
category: news
title: "Unpublished secret story"
excerpt: "Nobody may see this."
publishedDateTime: 2024-05-02T08:00:00Z
webUrl: "https://secret.example.org/unpublished-story"
type: article
published: false
provider: {name: Secret Source, domain: secret.example.org}
topics: [Secret Topic]
---
""",
    "103_first.txt": """---
category: news
title: "First post of a story"
excerpt: "The first time."
publishedDateTime: 2023-01-10T10:00:00Z
webUrl: "https://news.example.org/a/story"
type: article
provider: {name: News Example, domain: news.example.org}
topics: [Web]
---
""",
    "104_repost.txt": """---
category: news
title: "The same story, posted again"
excerpt: "The second time."
publishedDateTime: 2023-03-10T10:00:00Z
webUrl: "https://www.news.example.org/a/story/?utm_medium=x"
type: article
provider: {name: News Example, domain: news.example.org}
topics: [Web]
---
""",
    "note.md": """Title: A note from the editors
Date: 2024-04-30 10:00
Tags: Web

Hello from the editors.

<script>alert(1)</script>
<iframe src="https://evil.example/"></iframe>
<a href="javascript:alert(1)">click</a> <img src="https://img.example.com/x.png" onerror="alert(1)">
""",
}


def write_crafted(folder: Path, replace: dict[str, tuple[str, str]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in CRAFTED.items():
        old, new = (replace or {}).get(name, ("", ""))
        (folder / name).write_text(text.replace(old, new) if old else text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def crafted_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("feeds-crafted")
    return publish(write_crafted(base / "content"), base / "output")


@pytest.fixture(scope="session")
def crafted_moved_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The crafted site with the tricky headline (so its slug) edited, on another SITEURL."""
    base = tmp_path_factory.mktemp("feeds-crafted-moved")
    content = write_crafted(
        base / "content", {"100_tricky.txt": (f'title: "{TRICKY_TITLE}"', 'title: "Div soup, revisited"')}
    )
    return publish(content, base / "output", MIRROR, NEWS_SITEMAP_DAYS=0.25)


# -- helpers -----------------------------------------------------------------------------------


def local(build: Build, url: str, siteurl: str = SITE) -> Path:
    """The output file behind an absolute URL of the site."""
    assert url.startswith(siteurl + "/"), f"{url} is not on {siteurl}"
    return build.path("/" + url.removeprefix(siteurl + "/"))


def discovered(build: Build, page: str = "/") -> list[tuple[str, str, str]]:
    """The feeds a page announces: (format, title, href), in page order."""
    links = build.soup(page).select('head link[rel="alternate"]')
    return [
        (FEED_TYPES[link["type"]], link["title"], link["href"])
        for link in links
        if link["type"] in FEED_TYPES
    ]


def feed_files(build: Build) -> list[Path]:
    return sorted(p for p in (build.output / "feeds").rglob("*") if p.suffix in (".xml", ".json"))


def entry_count(path: Path) -> int:
    return len(parse(path).entries)


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, "\n".join(problems[:50])


# -- the done-when: from the home page's autodiscovery links to valid feeds ----------------------


def test_home_page_feeds_pass_every_check(corpus_build: Build, published: list[NewsItem]) -> None:
    found = discovered(corpus_build)
    assert [fmt for fmt, _, _ in found] == ["atom", "rss", "json"]
    paths = {fmt: local(corpus_build, href) for fmt, _, href in found}
    expected = min(FEED_MAX_ITEMS, len(published))
    for fmt, path in paths.items():
        assert entry_count(path) == expected, fmt

    code, errors = jing([paths["atom"]])
    assert code == 0, errors
    problems = check_atom_rules(paths["atom"]) + check_rss(paths["rss"]) + check_json_feed(paths["json"])
    for fmt in ("atom", "rss"):
        problems += check_feedparser(paths[fmt], expected)
    for path in paths.values():
        feed = parse(path)
        problems += check_absolute(feed, SITE) + check_safe_html(feed) + check_unique_ids(feed)
    assert_no_problems(problems)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_newsboat_reads_every_entry_of_the_site_feed(corpus_build: Build, fmt: str) -> None:
    href = next(href for kind, _, href in discovered(corpus_build) if kind == fmt)
    path = local(corpus_build, href)
    feed = parse(path)
    output, items = newsboat(path.as_uri())
    assert output == f"{len(feed.entries)} unread articles"
    assert len(items) == len(feed.entries) == FEED_MAX_ITEMS
    by_guid = {item.guid: item for item in items}
    assert set(by_guid) == {entry.id for entry in feed.entries}
    for entry in feed.entries:
        item = by_guid[entry.id]
        assert (item.title, item.url, item.author) == (entry.title, entry.link, entry.author)


# -- every feed of the site --------------------------------------------------------------------


def test_every_atom_feed_is_valid_rfc4287(corpus_build: Build) -> None:
    atoms = [p for p in feed_files(corpus_build) if p.name.endswith(".atom.xml")]
    assert len(atoms) > 20
    code, errors = jing(atoms)
    assert code == 0, errors
    assert_no_problems([problem for path in atoms for problem in check_atom_rules(path)])


def test_jing_and_the_checks_catch_broken_feeds(corpus_build: Build, tmp_path: Path) -> None:
    """The validators are not rubber stamps: a feed without an entry id or with a bad date fails."""
    atom = (corpus_build.output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    no_id = tmp_path / "no-id.atom.xml"
    no_id.write_text(atom.replace("<id>urn:uuid:", "<idx>urn:uuid:", 1), encoding="utf-8")
    assert jing([no_id])[0] != 0
    rss = (corpus_build.output / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
    bad_date = tmp_path / "bad-date.rss.xml"
    bad_date.write_text(rss.replace("<pubDate>", "<pubDate>2024-", 1), encoding="utf-8")
    assert check_rss(bad_date)


def test_every_feed_passes_the_format_checks_and_feedparser(corpus_build: Build) -> None:
    files = feed_files(corpus_build)
    formats = Counter(parse(path).format for path in files)
    problems: list[str] = []
    for path in files:
        feed = parse(path)
        assert feed.entries, path
        problems += check_absolute(feed, SITE) + check_safe_html(feed) + check_unique_ids(feed)
        if feed.format == "rss":
            problems += check_rss(path)
        if feed.format == "json":
            problems += check_json_feed(path)
        else:  # feedparser 6 reads Atom and RSS, not JSON Feed
            problems += check_feedparser(path, len(feed.entries))
    assert_no_problems(problems)
    assert formats["atom"] == formats["rss"] > formats["json"] > 0


def test_topic_pages_announce_their_own_feeds_first(corpus_build: Build) -> None:
    pages = sorted((corpus_build.output / "topics").glob("*/index.html"))
    assert pages
    site_feeds = discovered(corpus_build)
    for page in pages:
        url = "/" + str(page.parent.relative_to(corpus_build.output)) + "/"
        found = discovered(corpus_build, url)
        name = corpus_build.soup(url).h1.get_text(strip=True)
        own = found[:3]
        assert [fmt for fmt, _, _ in own] == ["atom", "rss", "json"], url
        assert all(title.startswith(f"{name} · ") for _, title, _ in own), own
        assert found[3:] == site_feeds
        for fmt, _, href in own:
            feed = parse(local(corpus_build, href))
            assert feed.format == fmt
            assert feed.link == f"{SITE}{url}"


def test_topic_and_source_feeds_hold_their_published_items(
    corpus_build: Build, published: list[NewsItem]
) -> None:
    by_topic = Counter(topic_key(name) for item in published for name in item.topics)
    by_source = Counter(source_slug(item.provider.domain) for item in published)
    topic_counts = {}
    for path in (corpus_build.output / "feeds" / "topics").glob("*.atom.xml"):
        feed = parse(path)
        topic_counts[topic_key(feed.title.rsplit(" · ", 1)[0])] = len(feed.entries)
    assert topic_counts == {key: min(n, FEED_MAX_ITEMS) for key, n in by_topic.items()}
    source_counts = {
        path.name.removesuffix(".rss.xml"): entry_count(path)
        for path in (corpus_build.output / "feeds" / "sources").glob("*.rss.xml")
    }
    assert source_counts == {slug: min(n, FEED_MAX_ITEMS) for slug, n in by_source.items()}


def test_entries_are_the_newest_published_articles(corpus_build: Build, published: list[NewsItem]) -> None:
    feed = parse(corpus_build.output / "feeds" / "all.atom.xml")
    dates = [dt.datetime.fromisoformat(entry.published) for entry in feed.entries]
    assert len(dates) == FEED_MAX_ITEMS
    assert dates == sorted(dates, reverse=True)
    newer = {item.key for item in published if item.published_at > dates[-1]}
    keys = {story_key(entry.related) for entry in feed.entries}
    assert newer <= keys <= {item.key for item in published}
    for entry in feed.entries:
        assert local(corpus_build, entry.link).is_file(), entry.link


def test_nothing_unpublished_in_feeds_sitemaps_or_opml(
    corpus_build: Build, corpus_items: list[NewsItem]
) -> None:
    published_keys = {key for item in corpus_items if item.published for key in item.url_keys}
    hidden = [item for item in corpus_items if not item.published and not published_keys & set(item.url_keys)]
    assert len(hidden) > 100
    hidden_keys = {key for item in hidden for key in item.url_keys}
    for path in feed_files(corpus_build):
        for entry in parse(path).entries:
            assert story_key(entry.related) not in hidden_keys, (path, entry.related)
    for name in ("sitemap.xml", "news-sitemap.xml", "feeds/feeds.opml"):
        text = (corpus_build.output / name).read_text(encoding="utf-8")
        for item in hidden:
            assert item.url not in text, (name, item.url)
    for loc in xml_root(corpus_build.output / "sitemap.xml").iter(f"{SITEMAP_NS}loc"):
        assert local(corpus_build, loc.text or "").is_file(), loc.text


# -- entry ids ---------------------------------------------------------------------------------


def test_entry_ids_survive_siteurl_theme_and_url_changes(
    corpus_build: Build, moved_corpus_build: Build
) -> None:
    before = {p.relative_to(corpus_build.output): parse(p) for p in feed_files(corpus_build)}
    after = {p.relative_to(moved_corpus_build.output): parse(p) for p in feed_files(moved_corpus_build)}
    assert before.keys() == after.keys()
    for path, feed in before.items():
        moved = after[path]
        assert [e.id for e in feed.entries] == [e.id for e in moved.entries], path
        assert all(e.link.startswith(MIRROR + "/stories/") for e in moved.entries), path
        assert not {e.link for e in feed.entries} & {e.link for e in moved.entries}
    ids = {e.id for feed in before.values() for e in feed.entries}
    assert all(i.startswith("urn:uuid:") and "example" not in i for i in ids)


def test_entry_id_is_the_uuid5_of_the_story_key(corpus_build: Build, published: list[NewsItem]) -> None:
    feed = parse(corpus_build.output / "feeds" / "all.json")
    keys = Counter(item.key for item in published)
    checked = 0
    for entry in feed.entries:
        key = story_key(entry.related)
        if keys[key] == 1:
            assert entry.id == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
            checked += 1
    assert checked > 90
    # The same entry has the same id in every format and every feed it is in.
    ids = {}
    for path in feed_files(corpus_build):
        for entry in parse(path).entries:
            assert ids.setdefault(entry.link, entry.id) == entry.id, entry.link


def test_reposted_story_gets_its_own_id_and_the_first_keeps_the_plain_one(crafted_build: Build) -> None:
    entries = {e.title: e for e in parse(crafted_build.output / "feeds" / "all.atom.xml").entries}
    first, repost = entries["First post of a story"], entries["The same story, posted again"]
    key = "news.example.org/a/story"
    assert story_key(first.related) == story_key(repost.related) == key
    assert first.id == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    assert repost.id == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key + '#2023-03-10T10:00:00+00:00')}"


def test_a_new_slug_and_siteurl_keep_the_entry_id(crafted_build: Build, crafted_moved_build: Build) -> None:
    def story(build: Build) -> object:
        feed = parse(build.output / "feeds" / "all.atom.xml")
        return next(e for e in feed.entries if e.related and "div-soup" in e.related)

    before, after = story(crafted_build), story(crafted_moved_build)
    assert before.title == TRICKY_TITLE and after.title == "Div soup, revisited"
    assert before.link != after.link
    assert before.id == after.id


# -- entries: text, links, dates, safety ---------------------------------------------------------


def test_plain_text_headline_survives_every_feed_and_reader(crafted_build: Build) -> None:
    feeds = crafted_build.output / "feeds"
    for name in ("all.atom.xml", "all.rss.xml", "all.json", "topics/c-plus-plus.atom.xml"):
        titles = [entry.title for entry in parse(feeds / name).entries]
        assert TRICKY_TITLE in titles, name
    for name in ("all.atom.xml", "all.rss.xml"):
        assert TRICKY_TITLE in [entry.title for entry in feedparser.parse(str(feeds / name)).entries]
        assert TRICKY_TITLE in [item.title for item in newsboat((feeds / name).as_uri())[1]]
    raw = (feeds / "all.atom.xml").read_text(encoding="utf-8")
    assert "<title>Why &lt;div&gt; soup matters &amp; more</title>" in raw
    summaries = [e.summary for e in parse(feeds / "all.atom.xml").entries]
    assert TRICKY_EXCERPT in summaries


def test_entry_carries_story_link_image_topics_provider_and_offset_dates(crafted_build: Build) -> None:
    feeds = crafted_build.output / "feeds"
    story = "https://www.example.com/stories/div-soup?id=7&utm_source=feed"
    expected_dates = {
        "atom": "2024-05-02T09:30:00+05:30",
        "rss": "Thu, 02 May 2024 09:30:00 +0530",
        "json": "2024-05-02T09:30:00+05:30",
    }
    for name in ("all.atom.xml", "all.rss.xml", "all.json"):
        feed = parse(feeds / name)
        entry = next(e for e in feed.entries if e.title == TRICKY_TITLE)
        assert entry.link == f"{SITE}/2024/05/02/why-div-soup-matters-more/"
        assert entry.published == expected_dates[feed.format]
        assert entry.author == "Example & Co"
        assert entry.categories == ["C++", "Web"]
        assert entry.thumbnail == "https://img.example.com/div.jpg"
        if feed.format != "rss":
            assert entry.related == story
        links = [a["href"] for a in BeautifulSoup(entry.html, "html.parser").find_all("a")]
        assert links == [story]
    assert email.utils.parsedate_to_datetime(expected_dates["rss"]) == dt.datetime.fromisoformat(
        expected_dates["atom"]
    )


def test_no_script_iframe_or_javascript_in_any_feed(crafted_build: Build) -> None:
    problems: list[str] = []
    texts = []
    for path in feed_files(crafted_build):
        feed: Feed = parse(path)
        problems += check_safe_html(feed) + check_absolute(feed, SITE)
        texts += [entry.html for entry in feed.entries]
    assert_no_problems(problems)
    assert any("Hello from the editors." in text for text in texts)  # the note is in, made safe
    assert any("Watch this." in text for text in texts)  # the video is in, without its embed
    assert not any("youtube" in text for text in texts)


def test_unpublished_item_is_in_no_output_file(crafted_build: Build) -> None:
    for path in crafted_build.output.rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".json", ".opml", ".html", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert "secret" not in text.lower(), path


# -- OPML, sitemaps, robots.txt ------------------------------------------------------------------


def test_opml_lists_every_topic_and_source_feed(corpus_build: Build, published: list[NewsItem]) -> None:
    link = corpus_build.soup("/").select_one('head link[rel="outline"]')
    assert link is not None and link["type"] == "text/x-opml"
    root = xml_root(local(corpus_build, link["href"]))
    assert root.get("version") == "2.0"
    body = root.find("body")
    assert body is not None
    groups = {group.get("text"): group.findall("outline") for group in body}
    topics = {topic_key(name) for item in published for name in item.topics}
    sources = {source_slug(item.provider.domain) for item in published}
    assert {topic_key(o.get("text") or "") for o in groups["Topics"]} == topics
    assert len(groups["Sources"]) == len(sources)
    for outline in groups["Topics"] + groups["Sources"]:
        assert outline.get("type") == "rss"
        feed = parse(local(corpus_build, outline.get("xmlUrl") or ""))
        assert feed.entries
        assert feed.link == outline.get("htmlUrl")
    for outline in groups["Topics"]:
        assert local(corpus_build, outline.get("htmlUrl") or "").is_file()


def test_sitemap_lists_every_published_page(corpus_build: Build) -> None:
    root = xml_root(corpus_build.output / "sitemap.xml")
    locs = [loc.text or "" for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(SITE + "/") for loc in locs)
    articles = {
        "/" + str(p.parent.relative_to(corpus_build.output)) + "/" for p in corpus_build.article_pages()
    }
    assert articles <= {loc.removeprefix(SITE) for loc in locs}
    assert SITE + "/" in locs and f"{SITE}/topics/power-apps/" in locs


def test_news_sitemap_holds_the_last_two_days(corpus_build: Build, published: list[NewsItem]) -> None:
    newest = max(item.published_at for item in published)
    recent = {item.title for item in published if item.published_at >= newest - dt.timedelta(days=2)}
    root = xml_root(corpus_build.output / "news-sitemap.xml")
    urls = root.findall(f"{SITEMAP_NS}url")
    assert {u.findtext(f"{NEWS_NS}news/{NEWS_NS}title") for u in urls} == recent
    for url in urls:
        assert local(corpus_build, url.findtext(f"{SITEMAP_NS}loc") or "").is_file()
        assert url.findtext(f"{NEWS_NS}news/{NEWS_NS}publication/{NEWS_NS}name") == "Topicfeed"
        assert url.findtext(f"{NEWS_NS}news/{NEWS_NS}publication/{NEWS_NS}language") == "en"
        date = url.findtext(f"{NEWS_NS}news/{NEWS_NS}publication_date") or ""
        assert dt.datetime.fromisoformat(date).utcoffset() is not None


def test_news_sitemap_window_is_a_setting(crafted_build: Build, crafted_moved_build: Build) -> None:
    def titles(build: Build) -> set[str]:
        root = xml_root(build.output / "news-sitemap.xml")
        return {t.text or "" for t in root.iter(f"{NEWS_NS}title")}

    # Newest item: 2024-05-02 04:00 UTC; two days back reaches the video and the editors' note.
    assert titles(crafted_build) == {TRICKY_TITLE, "A video about feeds", "A note from the editors"}
    assert titles(crafted_moved_build) == {"Div soup, revisited"}  # NEWS_SITEMAP_DAYS=0.25: 6 hours


def test_robots_txt_points_at_both_sitemaps(corpus_build: Build) -> None:
    lines = (corpus_build.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        f"Sitemap: {SITE}/sitemap.xml",
        f"Sitemap: {SITE}/news-sitemap.xml",
    ]


def test_tools_are_installed() -> None:
    """jing and newsboat come from tools/install-test-deps.sh (`make testdeps`)."""
    assert shutil.which("jing"), "jing missing: run tools/install-test-deps.sh as root"
    assert shutil.which("newsboat"), "newsboat missing: run tools/install-test-deps.sh as root"
