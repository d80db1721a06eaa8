"""Search that fits news, in Chromium on the corpus built under a sub-path (``/repo/``).

Newest first by default, filters by topic, source, year and kind with counts, relevance as the
other order, the state in the address (reload restores it, Back undoes a change), and links from
the topic and source pages that open the search pre-filtered. The expected stories come from the
built article pages themselves (their topics, source and publication time).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from support.browser import COLOUR_RULES, ServedBuild, axe_violations, open_page, wait_for_status

PAGE_SIZE = 20
WORD = "dataverse"  # in 58 stories, 2 of them on Canvas apps


@dataclass(frozen=True)
class Story:
    path: str
    published: dt.datetime
    topics: tuple[str, ...]
    source: str
    video: bool
    text: str


@pytest.fixture(scope="module")
def stories(served_corpus: ServedBuild) -> dict[str, Story]:
    """Every article page of the build, by its full URL."""
    out = served_corpus.build.output
    found = {}
    for page in served_corpus.build.article_pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        path = "/" + page.parent.relative_to(out).as_posix() + "/"
        found[served_corpus.url(path)] = Story(
            path=path,
            published=dt.datetime.fromisoformat(
                soup.find("meta", property="article:published_time")["content"]
            ),
            topics=tuple(m["content"] for m in soup.find_all("meta", property="article:tag")),
            source=soup.select_one(".byline .provider").get_text(strip=True),
            video=(soup.select_one(".story .kicker") or soup.new_tag("p")).get_text().endswith("· Video"),
            text=soup.select_one("article.story").get_text(" ").lower(),
        )
    return found


def results(page) -> list[str]:
    return page.locator("#search-results h2 a").evaluate_all("links => links.map(a => a.href)")


def newest_first(found: list[str], stories: dict[str, Story]) -> bool:
    times = [stories[url].published for url in found]
    return times == sorted(times, reverse=True)


def state(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_query_filter_sort_and_the_address(page_context, served_corpus: ServedBuild, stories) -> None:
    report = open_page(page_context, served_corpus.url("/search/"))
    page = report.page
    try:
        # A query: newest first, and every result has the word.
        page.get_by_label("Search the stories").fill(WORD)
        page.get_by_role("button", name="Search").click()
        status = wait_for_status(page, f"for “{WORD}”")
        found = results(page)
        total = int(re.match(r"(\d+) stor", status).group(1))
        assert total > PAGE_SIZE and len(found) == PAGE_SIZE and "newest first" in status
        assert newest_first(found, stories)
        assert all(WORD in stories[url].text for url in found)
        assert state(page) == {"q": [WORD]}
        # Each result shows its source and date.
        first = page.locator("#search-results li").first
        meta = first.locator(".meta").inner_text()
        story = stories[found[0]]
        assert (
            story.source in meta
            and first.locator("time").get_attribute("datetime") == story.published.isoformat()
        )

        # A topic filter: the counts beside the values, then only that topic's stories.
        topic = "Canvas apps"
        expected = [u for u, s in stories.items() if topic in s.topics and WORD in s.text]
        labels = page.locator("#search-topic option").all_inner_texts()
        assert f"{topic} ({len(expected)})" in labels, labels
        page.get_by_label("Topic").select_option(topic)
        status = wait_for_status(page, f"in {topic}")
        narrowed = results(page)
        assert status.startswith(f"{len(expected)} stor") and sorted(narrowed) == sorted(expected)
        assert newest_first(narrowed, stories)
        assert state(page) == {"q": [WORD], "topic": [topic]}

        # The other order: the same stories, best match first, in the address too.
        page.get_by_label("Order").select_option("relevance")
        wait_for_status(page, "best match first")
        assert sorted(results(page)) == sorted(expected)
        assert state(page) == {"q": [WORD], "topic": [topic], "sort": ["relevance"]}
        by_relevance = results(page)

        # Reloading the address restores the whole search.
        page.reload()
        wait_for_status(page, "best match first")
        assert results(page) == by_relevance
        assert page.get_by_label("Search the stories").input_value() == WORD
        assert page.get_by_label("Topic").input_value() == topic
        assert page.get_by_label("Order").input_value() == "relevance"

        # Back undoes the last change (the order), then the filter.
        page.go_back()
        wait_for_status(page, "newest first")
        assert (
            state(page) == {"q": [WORD], "topic": [topic]} and page.get_by_label("Order").input_value() == ""
        )
        assert results(page) == narrowed
        page.go_back()
        wait_for_status(page, f"{total} stor")
        assert page.get_by_label("Topic").input_value() == "" and results(page) == found
        assert report.problems == [] and report.offsite_requests == []
    finally:
        page.close()


@pytest.mark.parametrize("kind", ["topic", "source"])
def test_topic_and_source_pages_open_the_search_pre_filtered(
    page_context, served_corpus: ServedBuild, stories, kind: str
) -> None:
    index = "/topics/" if kind == "topic" else "/sources/"
    soup = served_corpus.build.soup(index)
    links = soup.select(".topic-list a.chip") if kind == "topic" else soup.select(".source-list a")
    listing = urlsplit(links[1]["href"]).path.removeprefix("/repo")
    report = open_page(page_context, served_corpus.url(listing))
    page = report.page
    try:
        name = page.locator("h1").inner_text().strip()
        with page.expect_navigation():
            page.get_by_role("link", name=f"Search within {name}").click()
        assert state(page) == {kind: [name]}
        status = wait_for_status(page, f"in {name}")
        if kind == "topic":
            expected = [u for u, s in stories.items() if name in s.topics]
        else:
            expected = [u for u, s in stories.items() if s.source == name]
        expected.sort(key=lambda u: stories[u].published, reverse=True)
        assert status.startswith(f"{len(expected)} stor")
        found = results(page)
        assert found == expected[:PAGE_SIZE] or (
            sorted(found) == sorted(expected[:PAGE_SIZE]) and newest_first(found, stories)
        )
        # Stories without words show their own summary, not the page's first words.
        assert page.locator("#search-results .excerpt").first.inner_text().strip()
        assert report.problems == []
    finally:
        page.close()


def test_year_and_kind_filters_with_more_results(page_context, served_corpus: ServedBuild, stories) -> None:
    videos = [u for u, s in stories.items() if s.video]
    year = max(stories[u].published.year for u in videos)
    expected = sorted(
        (u for u in videos if stories[u].published.year == year), key=lambda u: stories[u].published
    )
    report = open_page(page_context, served_corpus.url(f"/search/?kind=Video&year={year}"))
    page = report.page
    try:
        wait_for_status(page, "in ")
        assert page.get_by_label("Kind").input_value() == "Video"
        assert sorted(results(page)) == sorted(expected[-PAGE_SIZE:])
        assert all(page.locator("#search-results .badge").all_inner_texts())
        labels = page.locator("#search-kind option").all_inner_texts()
        in_year = [u for u, s in stories.items() if s.published.year == year]
        assert f"Article ({len(in_year) - len(expected)})" in labels, labels
        # Every video, newest first; then every article: more than a page, with a button for more.
        page.get_by_label("Year").select_option("")
        wait_for_status(page, f"{len(videos)} stor")
        assert sorted(results(page)) == sorted(videos) and newest_first(results(page), stories)
        assert page.locator("#search-more").is_hidden()
        page.get_by_label("Kind").select_option("Article")
        wait_for_status(page, f"{len(stories) - len(videos)} stor")
        page.get_by_role("button", name="Show more stories").click()
        page.locator("#search-results li").nth(PAGE_SIZE).wait_for()
        shown = results(page)
        assert len(shown) == 2 * PAGE_SIZE and newest_first(shown, stories)
        assert not any(stories[url].video for url in shown)
        assert state(page) == {"kind": ["Article"]}
        assert report.problems == []
    finally:
        page.close()


def test_newest_results_show_before_the_older_bundles_load(
    page_context, served_corpus: ServedBuild, stories
) -> None:
    """Newest first, the newest bundle's results are on the page while the older bundles are still
    loading; once they answer, the page is the same as if they had answered at once."""
    out = served_corpus.build.output
    listing = json.loads((out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    older = [f"/pagefind/{shard['path'].strip('/')}/" for shard in listing["shards"][1:]]
    assert older, "the served corpus has a single search bundle"
    matching = sorted((u for u, s in stories.items() if WORD in s.text), key=lambda u: stories[u].published)
    newest = matching[::-1]
    with served_corpus.server.holding(older) as gate:
        report = open_page(page_context, served_corpus.url(f"/search/?q={WORD}"))
        page = report.page
        try:
            page.locator("#search-results li").first.wait_for()
            early = results(page)
            assert early == newest[: len(early)] and len(early) <= PAGE_SIZE
            assert gate.held and page.locator("#search-status").inner_text() == ""
            gate.opened.set()
            status = wait_for_status(page, f"{len(matching)} stor")
            assert results(page) == newest[:PAGE_SIZE] and "newest first" in status
            assert report.problems == []
        finally:
            page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_with_results_passes_axe(browser, served_corpus: ServedBuild, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    try:
        report = open_page(context, served_corpus.url(f"/search/?q={WORD}&topic=Canvas+apps"))
        wait_for_status(report.page, "found")
        options = {"runOnly": {"type": "rule", "values": COLOUR_RULES}} if scheme == "dark" else None
        assert axe_violations(report.page, options=options) == []
        # The results are announced: the status line is a live region.
        assert report.page.locator("#search-status").get_attribute("role") == "status"
        report.page.close()
    finally:
        context.close()
