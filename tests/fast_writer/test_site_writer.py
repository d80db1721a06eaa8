"""SiteWriter on its own: pages deferred then announced, feeds in the build's feed format or Pelican's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from feedgenerator import Rss201rev2Feed
from jinja2 import Environment
from pelican import signals
from pelican.settings import DEFAULT_CONFIG

from topicfeed import template_reads as tracking
from topicfeed.build import Build
from topicfeed.fast_writer.manifest import file_stat
from topicfeed.fast_writer.settings import SETTINGS
from topicfeed.fast_writer.writer import SiteWriter, flush, take_writer
from topicfeed.feed_format import FeedRequest
from topicfeed.settings import apply


class Format:
    """A feed format that makes RSS feeds titled after their path, one entry per headline."""

    def __init__(self) -> None:
        self.requests: list[FeedRequest] = []

    def create_feed(self, request: FeedRequest) -> Any:
        self.requests.append(request)
        return Rss201rev2Feed(title=f"feed {request.path}", link=request.absolute("x/"), description="d")

    def add_entry(self, feed: Any, item: Any, request: FeedRequest) -> bool:
        feed.add_item(title=f"entry {item.title}", link=request.absolute(item.url), description="")
        return True

    def feed_key(self, path: str, items: Sequence[Any]) -> Any:
        return path


@pytest.fixture
def build(tmp_path: Path) -> Iterator[tuple[Build, Path]]:
    settings = {**DEFAULT_CONFIG, "OUTPUT_PATH": str(tmp_path / "site"), "SITEURL": "https://example.org"}
    apply(settings, SETTINGS)
    pelican = SimpleNamespace(settings=settings, output_path=settings["OUTPUT_PATH"])
    started = Build.start(pelican)
    building = tmp_path / "site-building"
    building.mkdir()
    yield started, building
    Build.end(pelican)
    take_writer(settings)


def article(n: int) -> Any:
    return SimpleNamespace(
        title=f"Story {n}",
        url=f"s{n}/",
        date=dt.datetime(2024, 1, n),
        summary="",
        tags=[],
        get_content=lambda site_url: f"<p>{n}</p>",
    )


def test_pages_are_written_and_announced_in_the_write_step(build: tuple[Build, Path]) -> None:
    run, building = build
    writer = SiteWriter(str(building), settings=run.settings)
    template = Environment(autoescape=True).from_string("<h1>{{ title }}</h1>")
    announced: list[tuple[str, str]] = []

    def receiver(path: str, context: dict[str, Any]) -> None:
        announced.append((context["output_file"], Path(path).read_text(encoding="utf-8")))

    signals.content_written.connect(receiver)
    try:
        writer.write_file("a/index.html", template, {"SITEURL": ""}, title="A")
        writer.write_file("b/index.html", template, {"SITEURL": ""}, title="B")
        assert announced == []  # deferred: nothing is on disk yet
        assert not (building / "a").exists()  # not even an empty file, nor its folder
        assert take_writer(run.settings) is writer
        stats, _ = flush(writer)
    finally:
        signals.content_written.disconnect(receiver)
    assert announced == [("a/index.html", "<h1>A</h1>"), ("b/index.html", "<h1>B</h1>")]
    assert (stats.rendered, stats.reused) == (2, 0)
    for name in ("a/index.html", "b/index.html"):  # the size and time noted are the file's
        assert writer.manifest.new[name]["stat"] == file_stat(building / name)


def test_a_deferred_page_renders_with_the_context_pelican_gives_it(
    build: tuple[Build, Path],
) -> None:
    """A recorded page holds the shared context as it is and its own values beside it (not a
    copy of the whole context per page); merged, they are what Pelican's writer renders with."""
    run, building = build
    writer = SiteWriter(str(building), settings=run.settings)
    template = Environment(autoescape=True).from_string("{{ SITEURL }}|{{ title }}")
    shared = {"SITEURL": "https://example.org", "SITENAME": "S"}
    writer.write_file("a/index.html", template, shared, title="A")
    writer.write_file("b/c/index.html", template, shared, relative_urls=True, title="C")
    first, second = writer.jobs
    assert first.base is shared and second.base is shared
    assert first.changes == {"localsiteurl": None, "output_file": "a/index.html", "title": "A"}
    assert first.context() == {**shared, "localsiteurl": None, "output_file": "a/index.html", "title": "A"}
    assert second.context() == {
        "SITEURL": "../..",
        "SITENAME": "S",
        "localsiteurl": "../..",
        "output_file": "b/c/index.html",
        "title": "C",
    }
    take_writer(run.settings)
    flush(writer)
    assert (building / "b" / "c" / "index.html").read_text(encoding="utf-8") == "../..|C"


def test_the_writer_holds_no_page_value_once_the_pages_are_written(build: tuple[Build, Path]) -> None:
    """The writer lives until the build ends (the API and search steps come after the pages):
    the values pages read are not kept alive by it once every page is keyed."""
    import gc
    import weakref

    run, building = build
    environment = Environment(autoescape=True)
    tracking.install(SimpleNamespace(env=environment))
    template = environment.from_string("<h1>{{ story.title }}</h1>")
    writer = SiteWriter(str(building), settings=run.settings)

    class Story:  # weakly referenceable, unlike SimpleNamespace
        title = "Story 1"

    class FeedStory:
        title, url, date, summary, tags = "Story 2", "s2/", dt.datetime(2024, 1, 2), "", []

        def get_content(self, site_url: str) -> str:
            return "<p>2</p>"

    story, in_feed = Story(), FeedStory()
    watch, watch_feed = weakref.ref(story), weakref.ref(in_feed)
    writer.write_file("a/index.html", template, {"SITEURL": ""}, story=story)
    writer.write_feed([in_feed], {**run.settings, "FEED_DOMAIN": "https://e.org"}, "feeds/a.xml")
    flush(writer)
    assert (building / "a" / "index.html").read_text(encoding="utf-8") == "<h1>Story 1</h1>"
    del story, in_feed
    gc.collect()
    assert watch() is None, "the writer still holds a value a page read"
    assert watch_feed() is None, "the writer still holds an article a feed showed"


def test_without_deferral_pelican_renders_and_announces_at_once(build: tuple[Build, Path]) -> None:
    run, building = build
    run.settings["RENDER_DEFERRED"] = False
    writer = SiteWriter(str(building), settings=run.settings)
    seen: list[str] = []

    def receiver(path: str, context: dict[str, Any]) -> None:
        seen.append(Path(path).read_text(encoding="utf-8"))

    signals.content_written.connect(receiver)
    try:
        writer.write_file("a.html", Environment(autoescape=True).from_string("x"), {"SITEURL": ""})
        assert seen == ["x"]
    finally:
        signals.content_written.disconnect(receiver)
    stats, _ = flush(writer)
    assert (stats.rendered, stats.reused) == (1, 0) and seen == ["x"]


def test_feeds_use_the_builds_feed_format_or_pelicans(build: tuple[Build, Path]) -> None:
    run, building = build
    writer = SiteWriter(str(building), settings=run.settings)
    context = {**run.settings, "FEED_DOMAIN": "https://example.org"}
    plain = writer.write_feed([article(1)], context, "feeds/plain.xml")
    assert plain.feed["title"] == run.settings["SITENAME"]  # no feed format: Pelican's own feed
    assert plain.items[0]["title"] == "Story 1"
    run.feed_format = feed_format = Format()
    ours = writer.write_feed([article(1), article(2)], context, "feeds/ours.xml", feed_type="rss")
    assert ours.feed["title"] == "feed feeds/ours.xml"
    assert [item["title"] for item in ours.items] == ["entry Story 1", "entry Story 2"]
    assert feed_format.requests[0].feed_url == "https://example.org/feeds/ours.xml"
    assert feed_format.requests[0].absolute("x/") == "https://example.org/x/"
    assert "entry Story 2" in (building / "feeds" / "ours.xml").read_text(encoding="utf-8")


def test_an_unchanged_feed_is_reused_and_a_changed_one_rewritten(build: tuple[Build, Path]) -> None:
    run, building = build
    run.feed_format = Format()
    context = {**run.settings, "FEED_DOMAIN": "https://example.org"}
    first = SiteWriter(str(building), settings=run.settings)
    first.write_feed([article(1)], context, "feeds/a.xml", feed_type="rss")
    first.write_feed([article(1)], context, "feeds/b.xml", feed_type="rss")
    flush(first)
    building.rename(run.output)  # what the output step does between builds
    building.mkdir()
    second = SiteWriter(str(building), settings=run.settings)
    assert second.write_feed([article(1)], context, "feeds/a.xml", feed_type="rss") is None  # reused
    assert second.write_feed([article(2)], context, "feeds/b.xml", feed_type="rss") is not None
    stats, _ = flush(second)
    assert stats.feeds_reused == 1
    assert (building / "feeds" / "a.xml").samefile(run.output / "feeds" / "a.xml")
    assert "entry Story 2" in (building / "feeds" / "b.xml").read_text(encoding="utf-8")
    assert not (building / "feeds" / "b.xml").samefile(run.output / "feeds" / "b.xml")


class TitleOnlyFormat(Format):
    """A format whose entries read only the title and URL of an article, and say so."""

    def entry_inputs(self, item: Any) -> Any:
        return (item.title, item.url)


@pytest.mark.parametrize("format_class", [Format, TitleOnlyFormat])
def test_a_feed_is_keyed_by_what_its_format_says_entries_read(
    build: tuple[Build, Path], format_class: type[Format]
) -> None:
    """A format naming its entries' inputs keeps a feed when only the article's page would change
    (its related stories); without one, the whole article counts. An input changed: rewritten."""
    run, building = build
    run.feed_format = format_class()
    context = {**run.settings, "FEED_DOMAIN": "https://example.org"}
    first = SiteWriter(str(building), settings=run.settings)
    first.write_feed([article(1), article(2)], context, "feeds/a.xml", feed_type="rss")
    first.write_feed([article(3)], context, "feeds/b.xml", feed_type="rss")
    flush(first)
    building.rename(run.output)
    building.mkdir()
    second = SiteWriter(str(building), settings=run.settings)
    related = article(1)
    related.related_links = ("another story",)  # shown on the article's page, not in its entry
    renamed = article(3)
    renamed.title = "Story 3, renamed"
    reused_a = second.write_feed([related, article(2)], context, "feeds/a.xml", feed_type="rss") is None
    assert second.write_feed([renamed], context, "feeds/b.xml", feed_type="rss") is not None
    assert reused_a is (format_class is TitleOnlyFormat)
    assert "Story 3, renamed" in (building / "feeds" / "b.xml").read_text(encoding="utf-8")
