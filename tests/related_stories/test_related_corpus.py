"""The related step on the real corpus: links resolve, indexes count published items only.

The corpus has no ``related`` lists, so every related story on it is computed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache
from html import unescape

from bs4 import BeautifulSoup
from support.build import CORPUS, Build

from topicfeed.model import NewsItem, build_item
from topicfeed.news_reader.source import load_front_matter
from topicfeed.text import source_slug, topic_slug


@cache
def corpus() -> tuple[NewsItem, ...]:
    items = []
    for path in sorted(CORPUS.iterdir()):
        raw = load_front_matter(path.read_text(encoding="utf-8"))[0]
        item, _ = build_item(raw, path.name)
        if item is not None:
            items.append(item)
    return tuple(items)


def published() -> tuple[NewsItem, ...]:
    return tuple(item for item in corpus() if item.published)


def unpublished() -> tuple[NewsItem, ...]:
    return tuple(item for item in corpus() if not item.published)


def test_every_internal_link_and_feed_link_resolves(corpus_site: Build) -> None:
    checked = 0
    for path in corpus_site.output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for href in re.findall(r'<(?:a|link) [^>]*href="(/[^"]*)"', text):
            href = unescape(href)
            assert corpus_site.path(href).is_file(), (path, href)
            checked += 1
    assert checked > 8_000


def test_topic_index_counts_published_items_only(corpus_site: Build) -> None:
    expected = Counter(topic_slug(t) for item in published() for t in item.topics)
    soup = corpus_site.soup("/topics/")
    shown = {a["href"]: int(a.find(class_="count").contents[0]) for a in soup.select(".topic-list a")}
    assert shown == {f"/topics/{slug}/": count for slug, count in expected.items()}
    assert shown["/topics/power-apps/"] == 428
    for slug, count in expected.items():
        page = corpus_site.soup(f"/topics/{slug}/")
        assert page.find(class_="count").get_text() == f"{count} {'story' if count == 1 else 'stories'}"


def test_topic_pages_list_newest_first(corpus_site: Build) -> None:
    page = corpus_site.soup("/topics/portals/")
    pages = [page]
    while (nxt := pages[-1].select_one('nav.pagination a[rel="next"]')) is not None:
        pages.append(corpus_site.soup(nxt["href"]))
    times = [t["datetime"] for p in pages for t in p.select("main .card time")]
    assert len(times) == 36 and len(pages) == 2
    assert times == sorted(times, reverse=True)


def test_source_pages_for_published_providers_only(corpus_site: Build) -> None:
    expected = Counter(item.provider.domain for item in published())
    soup = corpus_site.soup("/sources/")
    rows = {li.find("a")["href"]: li.find(class_="count").get_text() for li in soup.select(".source-list li")}
    assert rows == {
        f"/sources/{source_slug(domain)}/": f"{count} {'story' if count == 1 else 'stories'}"
        for domain, count in expected.items()
    }
    hidden = {item.provider.domain for item in unpublished()} - set(expected)
    assert len(hidden) > 50
    for domain in hidden:
        assert not (corpus_site.output / "sources" / source_slug(domain)).exists(), domain


def test_computed_related_on_the_corpus(corpus_site: Build) -> None:
    with_related = 0
    for path in corpus_site.article_pages():
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        own = "/" + path.parent.relative_to(corpus_site.output).as_posix() + "/"
        block = soup.find("section", class_="related")
        if block is None:
            continue
        with_related += 1
        links = block.select("li.story-link")
        assert 1 <= len(links) <= 3
        hrefs = [li.find("a")["href"] for li in links]
        assert len(set(hrefs)) == len(hrefs) and own not in hrefs
        for li, href in zip(links, hrefs, strict=True):
            assert li["class"] == ["story-link", "computed"]  # no related lists in the corpus
            assert corpus_site.path(href).is_file()
    assert 100 < with_related < 428


def test_home_page_top_stories_follow_the_documented_rank(corpus_site: Build) -> None:
    items = published()

    def pct(values: list[int | None]) -> list[float]:
        known = sorted(v for v in values if v is not None)
        return [0.5 if v is None else sum(1 for k in known if k <= v) / len(known) for v in values]

    heat, quality = pct([i.heat for i in items]), pct([i.quality for i in items])
    newest = max(i.published_at for i in items)
    rank = [
        (1 + 1.0 * h + 0.5 * q) * 2 ** (-(newest - i.published_at).total_seconds() / 3600 / 24)
        for i, h, q in zip(items, heat, quality, strict=True)
    ]
    best = sorted(range(len(items)), key=lambda n: (-rank[n], -items[n].published_at.timestamp()))
    expected = []
    for n in best:
        if items[n].key not in {items[m].key for m in expected}:  # one per story
            expected.append(n)
    home = corpus_site.soup("/")
    titles = [a.get_text() for a in home.select("section.top-stories .card-title a")]
    assert titles == [items[n].title for n in expected[:5]]
    assert not math.isclose(rank[expected[0]], rank[expected[4]])
    days = [h.find("time")["datetime"] for h in home.select("section.day h3")]
    assert days and days == sorted(days, reverse=True)
