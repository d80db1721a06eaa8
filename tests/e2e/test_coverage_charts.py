"""Coverage charts and trending topics in real builds.

The chart numbers are checked against counts the test makes itself from the built article pages
(their ``article:published_time`` and ``article:tag`` meta, and the source link of the byline),
so a bug in the plugin's counting cannot hide behind the same bug in the test. The pages with
charts pass the Nu HTML checker and axe-core in light and dark mode.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support.browser import COLOUR_RULES, ServedBuild, axe_violations, nu_check, open_page
from support.build import Build, run_pelican

WEEKLY_MAX_DAYS = 371  # the default of COVERAGE_WEEKLY_MAX_DAYS


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def corpus_days(build: Build) -> tuple[dict[str, list[dt.date]], dict[str, list[dt.date]]]:
    """(topic slug -> days, source slug -> days), read from every article page of the build."""
    topics: dict[str, list[dt.date]] = defaultdict(list)
    sources: dict[str, list[dt.date]] = defaultdict(list)
    for page in build.article_pages():
        soup = _soup(page)
        published = soup.find("meta", property="article:published_time")["content"]
        day = dt.datetime.fromisoformat(published).astimezone(dt.UTC).date()  # TIMEZONE = "UTC"
        for chip in soup.select("nav.topics a.chip"):
            topics[chip["href"].rstrip("/").rsplit("/", 1)[-1]].append(day)
        source = soup.select_one(".byline .provider a")
        sources[source["href"].rstrip("/").rsplit("/", 1)[-1]].append(day)
    return topics, sources


def expected_buckets(days: list[dt.date], newest: dt.date) -> tuple[str, dict[dt.date, int]]:
    """The unit and the count per bucket start, every bucket from the first day's to the newest's."""
    first = min(days)
    if (newest - first).days <= WEEKLY_MAX_DAYS:
        key = lambda day: day - dt.timedelta(days=day.weekday())  # noqa: E731
        starts, start = [], key(first)
        while start <= key(newest):
            starts.append(start)
            start += dt.timedelta(weeks=1)
        unit = "week"
    else:
        key = lambda day: day.replace(day=1)  # noqa: E731
        starts = sorted({key(first + dt.timedelta(days=n)) for n in range((newest - first).days + 1)})
        unit = "month"
    counted = Counter(key(day) for day in days)
    return unit, {start: counted.get(start, 0) for start in starts}


def chart_numbers(soup: BeautifulSoup) -> tuple[str, dict[dt.date, int], list[str], str]:
    """What a page shows: (unit, table counts, bar tooltips, the chart's description)."""
    section = soup.select_one("section.coverage-chart")
    assert section is not None, "no coverage chart"
    unit = section.select_one("thead th").get_text().strip().lower()
    table = {
        dt.date.fromisoformat(row.th.time["datetime"]): int(row.td.get_text())
        for row in section.select("tbody tr")
    }
    svg = section.select_one("svg.chart")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.find("title", id=title_id).get_text().strip()
    bars = [rect.title.get_text() for rect in svg.select("rect")]
    return unit, table, bars, svg.find("desc", id=desc_id).get_text()


@pytest.fixture(scope="module")
def corpus_counts(corpus_site: Build) -> tuple[dict, dict, dt.date]:
    topics, sources = corpus_days(corpus_site)
    newest = max(day for days in topics.values() for day in days)
    assert len(topics) >= 5 and len(sources) >= 10  # the corpus is the real one
    return topics, sources, newest


@pytest.mark.parametrize("kind", ["topics", "sources"])
def test_chart_numbers_equal_the_corpus_counts(corpus_site: Build, corpus_counts, kind: str) -> None:
    topics, sources, newest = corpus_counts
    groups = topics if kind == "topics" else sources
    units = set()
    for slug, days in sorted(groups.items()):
        soup = corpus_site.soup(f"/{kind}/{slug}/")
        unit, table, bars, desc = chart_numbers(soup)
        assert (
            soup.select_one("svg.chart title")
            .get_text()
            .split(" per ")[0]
            .endswith(soup.h1.get_text(strip=True))
        )
        expected_unit, expected = expected_buckets(days, newest)
        units.add(unit)
        assert unit == expected_unit, slug
        assert table == expected, slug
        stories = ["1 story" if n == 1 else f"{n} stories" for n in expected.values() if n]
        assert [bar.rsplit(": ", 1)[1] for bar in bars] == stories, slug
        assert f", {len(days)} stor" in desc, (slug, desc)
    assert units == {"month"}  # the corpus spans years (the small site below has weekly charts)


def test_second_pages_have_no_chart(corpus_site: Build) -> None:
    second = sorted(corpus_site.output.glob("topics/*/page/2/index.html"))
    assert second and _soup(second[0]).select_one("section.coverage-chart") is None


def test_topic_list_has_a_named_sparkline_per_topic(corpus_site: Build, corpus_counts) -> None:
    topics, _, _ = corpus_counts
    entries = corpus_site.soup("/topics/").select(".topic-list li")
    assert len(entries) == len(topics)
    for entry in entries:
        slug = entry.a["href"].rstrip("/").rsplit("/", 1)[-1]
        spark = entry.select_one("svg.sparkline")
        assert spark is not None and spark["role"] == "img", slug
        total = len(topics[slug])
        assert f": {total} stor" in spark["aria-label"], (slug, spark["aria-label"])


def test_corpus_home_has_no_trending_topics_because_no_share_grew(corpus_site: Build, corpus_counts) -> None:
    """Every story of the corpus is on Power Apps: no topic's share can grow, so nothing trends."""
    topics, _, newest = corpus_counts
    all_days = [p for p in corpus_site.article_pages()]
    recent_total = sum(1 for d in _page_days(all_days) if 0 <= (newest - d).days < 7)
    base_total = sum(1 for d in _page_days(all_days) if 7 <= (newest - d).days < 63)
    for days in topics.values():
        recent = sum(1 for d in days if 0 <= (newest - d).days < 7)
        base = sum(1 for d in days if 7 <= (newest - d).days < 63)
        assert recent < 2 or recent / recent_total <= base / base_total
    assert corpus_site.soup("/").select_one("section.trending") is None


def _page_days(pages: list[Path]) -> list[dt.date]:
    days = []
    for page in pages:
        published = _soup(page).find("meta", property="article:published_time")["content"]
        days.append(dt.datetime.fromisoformat(published).astimezone(dt.UTC).date())
    return days


# Trending topics on a small site made for it -----------------------------------------------------

NEWEST = dt.datetime(2024, 5, 31, 12, tzinfo=dt.UTC)


def _item(folder: Path, n: int, days_back: int, topics: list[str]) -> None:
    fields = {
        "category": "news",
        "title": f"Story number {n}",
        "excerpt": f"What happened in story {n}.",
        "publishedDateTime": (NEWEST - dt.timedelta(days=days_back)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "webUrl": f"https://example.com/news/story-{n}",
        "type": "article",
        "provider": {"name": "Example News", "domain": "example.com"},
        "topics": topics,
    }
    (folder / f"{n:03d}.txt").write_text("---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n")


@pytest.fixture(scope="module")
def trending_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trending-content")
    # Recent window (the 7 days up to the newest item): 3 stories.
    _item(folder, 1, 0, ["Rising", "Other"])
    _item(folder, 2, 2, ["Rising", "Other", "Base"])
    _item(folder, 3, 6, ["Rising"])
    # The 8 weeks before: 11 stories; one Rising, two Other, ten Base.
    for n in range(11):
        topics = ["Base"] if n else ["Rising", "Base"]
        if n in (1, 2):
            topics = ["Other"]
        _item(folder, 10 + n, 8 + 4 * n, topics)
    _item(folder, 40, 200, ["Rising"])  # outside both windows: never counted
    return folder


def test_trending_topics_on_the_home_page(trending_content: Path, tmp_path: Path) -> None:
    build = run_pelican(trending_content, tmp_path / "out")
    assert build.returncode == 0, build.log
    section = build.soup("/").select_one("section.trending")
    assert section is not None
    names = [a.get_text() for a in section.select(".trend a")]
    # Rising: 3/3 recent vs 1/11 before; Other: 2/3 vs 2/11; Base: 1/3 recent (falls, and too few).
    assert names == ["Rising", "Other"]
    notes = [p.get_text() for p in section.select(".trend .meta")]
    assert notes == ["100% of stories, up from 9%", "67% of stories, up from 18%"]
    sparks = [svg["aria-label"] for svg in section.select("svg.sparkline")]
    assert sparks[0] == "Rising: stories per 7 days, oldest first: 0, 0, 0, 0, 0, 0, 0, 1, 3"
    assert section.select_one("time")["datetime"] == "2024-05-31"
    # A span under a year is charted per week (the corpus only has monthly charts).
    topics, _ = corpus_days(build)
    unit, table, _, _ = chart_numbers(build.soup("/topics/rising/"))
    assert (unit, table) == expected_buckets(topics["rising"], NEWEST.date())
    assert unit == "week" and sum(table.values()) == 5


def test_trending_settings_are_read_and_checked(trending_content: Path, tmp_path: Path) -> None:
    build = run_pelican(trending_content, tmp_path / "one", extra={"TRENDING_TOPICS": 1})
    assert build.returncode == 0, build.log
    assert [a.get_text() for a in build.soup("/").select(".trend a")] == ["Rising"]
    bad = run_pelican(trending_content, tmp_path / "bad", extra={"TRENDING_RECENT_DAYS": 0})
    assert bad.returncode != 0
    assert "TRENDING_RECENT_DAYS: expected an integer >= 1, got 0" in bad.log


# Validity and accessibility ---------------------------------------------------------------------


def _chart_pages(build: Build) -> list[Path]:
    out = build.output
    topic = sorted(out.glob("topics/*/page/2/index.html"))[0].parents[2] / "index.html"
    source = sorted(out.glob("sources/*/index.html"))[0]
    return [topic, source, out / "topics" / "index.html"]


@pytest.mark.browser  # needs the Nu checker (vnu.jar)
def test_chart_pages_pass_the_nu_checker(corpus_site: Build) -> None:
    assert nu_check(_chart_pages(corpus_site)) == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_pages_pass_axe(browser, served_corpus: ServedBuild, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    try:
        for path in _chart_pages(served_corpus.build):
            site_path = "/" + path.parent.relative_to(served_corpus.build.output).as_posix() + "/"
            report = open_page(context, served_corpus.url(site_path))
            page = report.page
            try:
                assert report.problems == [], site_path
                chart = page.locator("svg.chart, svg.sparkline").first
                assert chart.is_visible(), site_path
                colour = page.evaluate("e => getComputedStyle(e).color", chart.element_handle())
                assert colour not in ("rgb(0, 0, 0)", ""), site_path  # the theme's colours reach the SVG
                options = {"runOnly": {"type": "rule", "values": COLOUR_RULES}} if scheme == "dark" else None
                assert axe_violations(page, options=options) == [], f"{site_path} ({scheme})"
            finally:
                page.close()
    finally:
        context.close()
