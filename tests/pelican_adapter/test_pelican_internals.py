"""Fails when a Pelican or pelican-sitemap upgrade changes an internal that pelican_adapter uses.

``topicfeed.pelican_adapter`` is the one module that reaches past Pelican's public API. This test
pins what it relies on four ways: the signatures of the private methods it overrides or calls,
the attributes it reads, a hash of the source of every function whose behaviour it depends on
(the writer steps it hooks, the taxonomy loops it speeds up, pelican-sitemap's lastmod), and the
behaviour itself, on Pelican's real classes. When a hash changes, read the new source, check the
adapter still holds, and update the hash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import inspect
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import blinker
import pytest
from feedgenerator import Atom1Feed
from jinja2 import Environment
from pelican import log as pelican_log
from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator
from pelican.log import FatalLogger
from pelican.plugins.sitemap import sitemap
from pelican.settings import DEFAULT_CONFIG, read_settings
from pelican.urlwrappers import Author, Category
from pelican.writers import Writer

from topicfeed import pelican_adapter
from topicfeed.pelican_adapter import HookedWriter, IndexedList, content_written_held

#: sha256 (first 16 hex digits) of ``inspect.getsource`` of each internal the adapter relies on,
#: as of Pelican 4.12.0 and pelican-sitemap 1.2.2.
SOURCE_HASHES = {
    "pelican.writers.Writer.__init__": "2f892e0aa5e8eba8",
    "pelican.writers.Writer._open_w": "69700ea0b4668663",
    "pelican.writers.Writer._create_new_feed": "bc35a96207b4780b",
    "pelican.writers.Writer._add_item_to_the_feed": "c52ed4daa728c7bc",
    "pelican.writers.Writer.write_feed": "a3b5bc0d0a446c10",
    "pelican.writers.Writer.write_file": "6a604ad67bbeec99",
    "pelican.generators.ArticlesGenerator.generate_tags": "37f65d284c713dd4",
    "pelican.generators.ArticlesGenerator.generate_categories": "cfb524524a3caae3",
    "pelican.generators.ArticlesGenerator.generate_authors": "982c57fcfcf0435e",
    "pelican.generators.ArticlesGenerator._build_period_archives": "c19e3024444c4c43",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator.__init__": "be3305c3b1aa0361",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator.init": "4dba4f5b8355e727",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator.queue_page": "9a18a1c5d4f27572",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator.finalize": "e3bdda3a9d520df7",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator._write_out": "81a15f0e8b1388d2",
    "pelican.plugins.sitemap.sitemap.SitemapGenerator._check_config": "811f6fdb0f10b819",
    "pelican.plugins.sitemap.sitemap.format_date": "3fa1365843a59e4d",
    "pelican.main": "0829153a263a5715",
    "pelican.autoreload": "d0558783b92e33b2",
    "pelican.cache.FileDataCacher.__init__": "0e94df62b258a9c2",
    "pelican.cache.FileDataCacher.cache_data": "c434a4bf74465232",
    "pelican.cache.FileDataCacher.get_cached_data": "456291ef6722761b",
    "pelican.cache.FileStampDataCacher.cache_data": "1278c0b3c9b2ca32",
    "pelican.cache.FileStampDataCacher.get_cached_data": "9e22f9c49dede667",
    "pelican.generators.CachingGenerator.__init__": "e7f8f4e24c65f7e5",
    "pelican.readers.Readers.__init__": "3026099450bc1e15",
    "pelican.readers.Readers.read_file": "356c609e59c1b30a",
    "pelican.readers.default_metadata": "a186e7b83875ccce",
    "pelican.readers.path_metadata": "58a616f96fd30100",
    "pelican.readers.parse_path_metadata": "4c2963280a885ad2",
    "pelican.readers._filter_discardable_metadata": "ddc12a0fe7a35f45",
    "pelican.readers.find_empty_alt": "b7bbe9dedfaedd41",
    "pelican.generators.ArticlesGenerator.generate_context": "16f8066e3e5b8a42",
    "pelican.contents.Content.__init__": "38b67e4211facf9d",
    "pelican.contents.Content.get_relative_source_path": "6c1f5107e08bf7ea",
    "pelican.contents.Content.url_format": "979f117511eea6a5",
    "pelican.contents.Content._expand_settings": "371c714a24a4cdd7",
    "pelican.contents.Content.get_url_setting": "e0eb063bf0a5ae24",
    "pelican.log.init": "c9104d97791ed5a8",
    "pelican.log.FatalLogger._log": "5f23223cbcbd0920",
}


def _name(function: Any) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def test_the_adapter_lists_exactly_the_internals_pinned_here() -> None:
    assert {_name(f) for f in pelican_adapter.RELIED_ON} == set(SOURCE_HASHES)


@pytest.mark.parametrize("function", pelican_adapter.RELIED_ON, ids=_name)
def test_source_of_each_internal_is_unchanged(function: Any) -> None:
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == SOURCE_HASHES[_name(function)], (
        f"{_name(function)} changed in this Pelican / pelican-sitemap: re-check pelican_adapter"
    )


def _parameters(function: Any) -> list[tuple[str, Any]]:
    return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]


def test_signatures_of_the_overridden_and_called_methods() -> None:
    empty = inspect.Parameter.empty
    assert _parameters(Writer._open_w) == [
        ("self", empty),
        ("filename", empty),
        ("encoding", empty),
        ("override", False),
    ]
    assert _parameters(Writer._create_new_feed) == [
        ("self", empty),
        ("feed_type", empty),
        ("feed_title", empty),
        ("context", empty),
    ]
    assert _parameters(Writer._add_item_to_the_feed) == [("self", empty), ("feed", empty), ("item", empty)]
    assert _parameters(Writer.write_feed) == [
        ("self", empty),
        ("elements", empty),
        ("context", empty),
        ("path", None),
        ("url", None),
        ("feed_type", "atom"),
        ("override_output", False),
        ("feed_title", None),
    ]
    assert _parameters(Writer.__init__) == [("self", empty), ("output_path", empty), ("settings", None)]


def _settings(tmp_path: Path) -> dict[str, Any]:
    return {**DEFAULT_CONFIG, "OUTPUT_PATH": str(tmp_path), "SITEURL": "https://example.org"}


class Recording(HookedWriter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[tuple[str, bool]] = []
        self.entries: list[Any] = []

    def file_opened(self, filename: str, skipped: bool) -> None:
        self.opened.append((filename, skipped))

    def create_feed(self, feed_type: str, feed_title: str | None, context: dict[str, Any]) -> Any:
        if feed_type != "custom":
            return None
        return Atom1Feed(
            title="ours", link=self.absolute("topics/x/"), description="", feed_url=self.current_feed_url
        )

    def add_feed_entry(self, feed: Any, item: Any) -> bool:
        if feed.feed["title"] != "ours":
            return False
        self.entries.append(item)
        feed.add_item(title=item.title, link=self.absolute(item.url), description="")
        return True


def test_writer_attributes_and_file_hook(tmp_path: Path) -> None:
    writer = Recording(str(tmp_path), settings=_settings(tmp_path))
    assert writer._written_files == set() and writer._overridden_files == set()
    template = Environment(autoescape=True).from_string("<p>{{ output_file }}</p>")
    writer.write_file("a/index.html", template, {"SITEURL": ""})
    path = str(tmp_path / "a" / "index.html")
    assert writer.opened == [(path, False)]
    assert Path(path).read_text(encoding="utf-8") == "<p>a/index.html</p>"
    assert path in writer._written_files
    assert not writer.claim(path)
    assert writer.claim(str(tmp_path / "b.xml")) and str(tmp_path / "b.xml") in writer._written_files
    writer.write_file("a/index.html", template, {"SITEURL": ""}, override_output=True)
    writer.write_file("a/index.html", template, {"SITEURL": ""})  # kept: Pelican writes to devnull
    assert writer.opened[-1] == (path, True)


def _open_steps(writer: Writer, folder: Path) -> list[Any]:
    """What ``_open_w`` does over one file's life: first write, override, skip, refusals."""
    results: list[Any] = []
    path = str(folder / "a.html")
    for override in (False, True, False, True):
        try:
            with writer._open_w(path, "utf-8", override=override) as handle:
                results.append(handle.name.replace(str(folder), "<out>"))
        except Exception as error:
            results.append((type(error), str(error).replace(str(folder), "<out>")))
    try:
        writer._open_w(str(folder / "b.html"), "utf-8").close()
        writer._open_w(str(folder / "b.html"), "utf-8")
    except Exception as error:
        results.append((type(error), str(error).replace(str(folder), "<out>")))
    strip = {name.replace(str(folder), "<out>") for name in writer._written_files}
    results.append((strip, {name.replace(str(folder), "<out>") for name in writer._overridden_files}))
    return results


def test_open_w_keeps_pelicans_checks_and_bookkeeping(tmp_path: Path) -> None:
    """HookedWriter's ``_open_w`` is Pelican's, step for step: the same files, sets and errors."""
    (tmp_path / "p").mkdir()
    (tmp_path / "h").mkdir()
    theirs = _open_steps(Writer(str(tmp_path / "p"), settings=_settings(tmp_path)), tmp_path / "p")
    ours = _open_steps(HookedWriter(str(tmp_path / "h"), settings=_settings(tmp_path)), tmp_path / "h")
    assert ours == theirs
    assert theirs[1] == "<out>/a.html" and theirs[2] == os.devnull  # overridden, then skipped
    assert sorted(p.name for p in (tmp_path / "h").iterdir()) == ["a.html", "b.html"]


def test_a_file_written_later_is_not_created_by_pelican(tmp_path: Path) -> None:
    class Later(HookedWriter):
        def file_opened(self, filename: str, skipped: bool) -> bool:
            return True

    writer = Later(str(tmp_path), settings=_settings(tmp_path))
    template = Environment(autoescape=True).from_string("<p>{{ output_file }}</p>")
    writer.write_file("a/index.html", template, {"SITEURL": ""})
    assert not (tmp_path / "a" / "index.html").exists()
    assert str(tmp_path / "a" / "index.html") in writer._written_files  # Pelican's bookkeeping holds


def _write_steps(writer: Writer, folder: Path) -> list[Any]:
    """What ``write_file`` does for a paginated list, a plain page, relative URLs and an override:
    the files, their text and what ``content_written`` announced, paths relative to ``folder``."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def receiver(path: str, context: dict[str, Any]) -> None:
        seen.append((os.path.relpath(path, folder), context))

    template = Environment(autoescape=True).from_string(
        "{{ output_file }} {{ SITEURL }} {{ localsiteurl }} {{ extra }}"
        "{% if articles_page %} {{ articles_page.number }}/{{ articles_paginator.num_pages }}"
        " {{ articles_page.object_list | join(',') }} {{ articles_previous_page.number }}"
        " {{ articles_next_page.number }}{% endif %}"
    )
    context = {"SITEURL": "https://example.org"}
    signals.content_written.connect(receiver)
    try:
        articles = [f"a{i}" for i in range(5)]
        writer.write_file(
            "list/index.html", template, context, articles=articles, template_name="index", url="list/"
        )
        writer.write_file("deep/er/page.html", template, context, relative_urls=True, extra="x")
        writer.write_file("page.html", template, context, override_output=True)
        writer.write_file("page.html", template, context)  # kept: written to devnull
        writer.write_file("", template, context)
        writer.write_file(None, template, context)
    finally:
        signals.content_written.disconnect(receiver)
    files = sorted(
        (str(p.relative_to(folder)), p.read_text(encoding="utf-8")) for p in folder.rglob("*") if p.is_file()
    )
    announced = [
        (path, sorted((k, str(v)) for k, v in ctx.items() if not k.endswith(("paginator", "_page"))))
        for path, ctx in seen
    ]
    return [files, announced, context.get("localsiteurl")]


def test_write_file_is_pelicans_with_the_folder_made_by_the_hook(tmp_path: Path) -> None:
    """HookedWriter's ``write_file`` is Pelican's step for step (pagination, relative URLs,
    overrides, the signal), and makes each page's folder through ``make_folder``."""
    settings = read_settings(override={"PAGINATED_TEMPLATES": {"index": 2}, "SITEURL": "https://example.org"})
    (tmp_path / "p").mkdir()
    (tmp_path / "h").mkdir()
    theirs = _write_steps(Writer(str(tmp_path / "p"), settings=settings), tmp_path / "p")

    made: list[str] = []

    class Folders(HookedWriter):
        def make_folder(self, folder: str) -> None:
            made.append(os.path.relpath(folder, tmp_path / "h"))
            super().make_folder(folder)

    writer = Folders(str(tmp_path / "h"), settings=settings)
    ours = _write_steps(writer, tmp_path / "h")
    assert ours == theirs
    assert [path for path, _ in theirs[0]] == [
        "deep/er/page.html",
        "list/index.html",
        "list/index2.html",  # Pelican's default PAGINATION_PATTERNS
        "list/index3.html",
        "page.html",
    ]
    assert made == ["list", "list", "list", "deep/er", ".", "."]


def test_feed_hooks_replace_pelicans_steps_and_see_its_urls(tmp_path: Path) -> None:
    writer = Recording(str(tmp_path), settings=_settings(tmp_path))
    article = SimpleNamespace(
        title="A <b>bold</b> headline", url="2024/01/02/a/", date=dt.datetime(2024, 1, 2)
    )
    context = {"SITEURL": "https://example.org", "FEED_DOMAIN": "https://feeds.example.org", "SITENAME": "S"}
    feed = writer.write_feed([article], context, "feeds/x.xml", feed_type="custom")
    assert feed.feed["title"] == "ours"
    assert feed.feed["link"] == "https://example.org/topics/x/"
    assert feed.feed["feed_url"] == "https://feeds.example.org/feeds/x.xml"
    assert writer.feed_site_url == "https://example.org"
    assert writer.entries == [article]
    assert feed.items[0]["title"] == "A <b>bold</b> headline"
    assert (tmp_path / "feeds" / "x.xml").read_text(encoding="utf-8").count("<entry>") == 1
    assert (str(tmp_path / "feeds" / "x.xml"), False) in writer.opened
    plain = HookedWriter(str(tmp_path), settings=_settings(tmp_path)).write_feed([], context, None)
    assert plain.feed["title"] == "S"  # the hooks default to Pelican's own feed


def test_content_written_is_sent_by_write_file_and_held_back(tmp_path: Path) -> None:
    writer = HookedWriter(str(tmp_path), settings=_settings(tmp_path))
    template = Environment(autoescape=True).from_string("x")
    seen: list[str] = []

    def receiver(path: str, context: dict[str, Any]) -> None:
        seen.append(path)

    signals.content_written.connect(receiver)
    try:
        with content_written_held():
            writer.write_file("held.html", template, {"SITEURL": ""})
        assert seen == []
        writer.write_file("sent.html", template, {"SITEURL": ""})
        assert seen == [str(tmp_path / "sent.html")]
    finally:
        signals.content_written.disconnect(receiver)


class Tag:
    """Stands in for a Pelican Tag (hashable, with what the loops read)."""

    save_as = url = page_name = slug = "t"


def test_taxonomy_loops_scan_the_lists_the_adapter_indexes() -> None:
    """Pelican's loops keep using ``in`` on the lists; with IndexedList the result is the same."""
    articles = [SimpleNamespace(name=f"a{i}") for i in range(6)]
    tag = Tag()
    generator = SimpleNamespace(
        tags={tag: [articles[4], articles[1]]},
        categories=[(tag, [articles[2]])],
        authors=[(tag, list(articles))],
        dates=list(reversed(articles)),
        articles=articles,
        context={},
        get_template=lambda name: name,
    )
    pelican_adapter.make_taxonomy_scans_linear(generator)
    assert isinstance(generator.tags[tag], IndexedList) and generator.context["tags"] == [
        (tag, generator.tags[tag])
    ]
    assert all(isinstance(a, IndexedList) for _, a in generator.categories + generator.authors)
    assert SimpleNamespace(name="a4") not in generator.tags[tag]  # identity, not equality
    written: list[dict[str, Any]] = []

    def write(*args: Any, **kwargs: Any) -> None:
        written.append(kwargs)

    ArticlesGenerator.generate_tags(generator, write)
    ArticlesGenerator.generate_categories(generator, write)
    ArticlesGenerator.generate_authors(generator, write)
    assert [w["dates"] for w in written] == [
        [articles[4], articles[1]],
        [articles[2]],
        list(reversed(articles)),
    ]


def test_the_linear_taxonomy_loops_make_pelicans_calls() -> None:
    """Every ``write`` call of Pelican's three loops, made the same by the adapter's loops:
    arguments, keywords and each page's ``dates`` (the same objects, in ``self.dates`` order)."""
    articles = [SimpleNamespace(name=f"a{i}") for i in range(8)]
    terms = [Tag() for _ in range(3)]
    for n, term in enumerate(terms):
        term.save_as, term.url, term.page_name, term.slug = f"t{n}.html", f"t{n}/", f"t{n}", f"t{n}"

    def generator() -> SimpleNamespace:
        return SimpleNamespace(
            tags={terms[0]: [articles[4], articles[1], articles[6]], terms[1]: [articles[2], articles[2]]},
            categories=[(terms[2], [articles[7], articles[0]])],
            authors=[(terms[1], list(articles))],
            dates=[articles[i] for i in (6, 2, 7, 4, 0, 1, 3, 5)],
            articles=articles,
            context={"site": 1},
            get_template=lambda name: f"template:{name}",
        )

    def calls(loop: Any, gen: SimpleNamespace) -> list[tuple[Any, ...]]:
        made: list[tuple[Any, ...]] = []
        loop(gen, lambda *args, **kwargs: made.append((args, kwargs)))
        return made

    plain = generator()
    linear = generator()
    pelican_adapter.make_taxonomy_scans_linear(linear)
    for kind in ("tags", "categories", "authors"):
        theirs = calls(getattr(ArticlesGenerator, f"generate_{kind}"), plain)
        ours = calls(lambda gen, write, kind=kind: getattr(gen, f"generate_{kind}")(write), linear)
        assert [args[:2] for args, _ in ours] == [args[:2] for args, _ in theirs]
        assert all(args[2] is linear.context for args, _ in ours)  # the generator's own context
        for (_, mine), (_, pelicans) in zip(ours, theirs, strict=True):
            assert mine.keys() == pelicans.keys()
            assert [id(a) for a in mine["dates"]] == [id(a) for a in pelicans["dates"]]
            assert {k: v for k, v in mine.items() if k not in ("dates", "articles")} == {
                k: v for k, v in pelicans.items() if k not in ("dates", "articles")
            }
            assert list(mine["articles"]) == list(pelicans["articles"])


def test_sitemap_lastmod_pin_reaches_the_sitemap(tmp_path: Path) -> None:
    generator = sitemap.generator
    saved = (generator.now, generator.page_queue)
    when = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    try:
        assert pelican_adapter.pin_sitemap_lastmod(when)
        assert generator.now == when
        generator.page_queue = [(str(tmp_path / "archives" / "index.html"), None)]
        pelican = SimpleNamespace(output_path=str(tmp_path), settings={"SITEURL": "", "SITEMAP": {}})
        generator._write_out(pelican)
        text = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
        assert "<lastmod>2024-05-06T07:08:09+00:00</lastmod>" in text
        assert "<loc>/archives/</loc>" in text
    finally:
        generator.now, generator.page_queue = saved


def test_a_sitemap_article_is_written_as_pelican_sitemap_writes_an_article(tmp_path: Path) -> None:
    when = dt.datetime(2024, 3, 5, 6, 7, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    article = pelican_adapter.sitemap_article("2024/03/05/a/", when)
    assert isinstance(article, Article)
    assert (article.url, article.status, article.translations) == ("2024/03/05/a/", "published", [])
    assert getattr(article, "modified", None) is None
    settings = {"SITEURL": "https://example.org", "SITEMAP": {"format": "xml"}}
    page = str(tmp_path / "2024" / "03" / "05" / "a" / "index.html")
    assert pelican_adapter.write_sitemap(settings, str(tmp_path), [(page, article)], None)
    text = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/2024/03/05/a/</loc>" in text
    assert "<lastmod>2024-03-05T06:07:08+01:00</lastmod>" in text
    assert "<changefreq>monthly</changefreq>" in text  # an article's (an index page's: daily)


def _pelican_sitemaps_text(
    settings: dict[str, Any], output: Path, pages: list[tuple[str, Any]], now: Any
) -> str:
    maker = sitemap.SitemapGenerator()
    maker.now = now
    maker.page_queue = list(pages)
    maker._write_out(SimpleNamespace(output_path=str(output), settings=settings))
    return (output / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "config",
    [
        {"format": "xml"},
        {
            "format": "xml",
            "exclude": [r"^topics/b", r"/c/$"],
            "changefreqs": {"articles": "never", "indexes": "hourly"},
            "priorities": {"articles": 0.9, "indexes": 0.25},
        },
    ],
    ids=["defaults", "configured"],
)
def test_the_sitemap_of_stand_ins_is_pelican_sitemaps_text(tmp_path: Path, config: dict[str, Any]) -> None:
    """Written for stand-ins and index pages without pelican-sitemap's loop (``_sitemap_text``):
    the bytes its ``_write_out`` writes, in its order, with its exclusions and defaults."""
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30)), ZoneInfo("Europe/Paris")]
    pages: list[tuple[str, Any]] = []
    for number in range(60):
        when = dt.datetime(2020 + number % 7, 1 + number % 12, 1 + number % 28, number % 24, number, 7, 999)
        url = (
            f"{when:%Y/%m/%d}/{'abc'[number % 3]}-{number}/"
            if number % 5
            else f"{when:%Y}/{'abc'[number % 3]}/c/"
        )
        article = pelican_adapter.sitemap_article(url, when.replace(tzinfo=zones[number % 3]))
        pages.append((str(tmp_path / url / "index.html"), article))
    for name in (
        "index.html",
        "page/2/index.html",
        "topics/b-x/index.html",
        "topics/a-y/index.html",
        "a/index.htm",
    ):
        pages.append((str(tmp_path / name), None))
    pages.reverse()
    now = dt.datetime(2026, 12, 5, 10, 11, 12, tzinfo=dt.UTC)
    settings = {"SITEURL": "https://example.org/news", "SITEMAP": config}
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    expected = _pelican_sitemaps_text(
        settings, theirs, [(p.replace(str(tmp_path), str(theirs)), a) for p, a in pages], now
    )
    ours = tmp_path / "ours"
    ours.mkdir()
    queue = [(p.replace(str(tmp_path), str(ours)), a) for p, a in pages]
    assert (
        pelican_adapter._sitemap_text(settings, str(ours), queue, now) is not None
    )  # not asked of pelican-sitemap
    assert pelican_adapter.write_sitemap(settings, str(ours), queue, now)
    assert (ours / "sitemap.xml").read_text(encoding="utf-8") == expected
    listed = expected.count("<url>")
    assert 0 < listed < 65 if config.get("exclude") else listed == 65


class _NoOffset(dt.tzinfo):
    """A time zone that knows no offset: ``%z`` gives nothing, so pelican-sitemap's date ends in ':'."""

    def utcoffset(self, when: dt.datetime | None) -> None:
        return None

    def dst(self, when: dt.datetime | None) -> None:
        return None


@pytest.mark.parametrize(
    "zone",
    [
        dt.UTC,
        dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
        dt.timezone(dt.timedelta(hours=14)),
        dt.timezone(dt.timedelta(hours=1, seconds=30)),
        dt.timezone(dt.timedelta(minutes=-1, microseconds=-5)),
        ZoneInfo("Europe/Paris"),
        ZoneInfo("America/St_Johns"),
        _NoOffset(),
        None,
    ],
    ids=[
        "utc",
        "minus-0530",
        "plus-14",
        "seconds",
        "microseconds",
        "paris",
        "st-johns",
        "no-offset",
        "naive",
    ],
)
def test_a_stand_ins_lastmod_is_pelican_sitemaps_date(zone: dt.tzinfo | None) -> None:
    """``_lastmod`` takes ``isoformat`` where it equals pelican-sitemap's ``format_date``, and
    ``format_date`` itself elsewhere (odd offsets, early years, no offset, no zone)."""
    for year, month, day, hour, micro in [
        (2024, 3, 31, 1, 0),
        (2024, 10, 27, 2, 999_999),
        (999, 1, 2, 3, 4),
        (1, 1, 1, 0, 0),
    ]:
        when = dt.datetime(year, month, day, hour, 59, 59, micro, tzinfo=zone)
        assert pelican_adapter._lastmod(when, sitemap.format_date) == sitemap.format_date(when), when


@pytest.mark.parametrize("output", ["/srv/site", "/srv/site/", "site", "./site", "/", "site/../other"])
def test_an_index_pages_name_is_pelican_sitemaps_relative_path(output: str) -> None:
    """``_relative`` cuts a plain name off the output folder and leaves every other path to
    ``os.path.relpath``, as pelican-sitemap's ``to_url`` takes it."""
    prefix = os.path.join(output, "")
    names = [
        "index.html",
        "page/2/index.html",
        ".",
        "..",
        "../x/index.html",
        "a/../b.html",
        "a//b.html",
        "a/./b.html",
        "/x.html",
        "..x/index.html",
        "a/",
    ]
    for name in names:
        path = prefix + name
        assert pelican_adapter._relative(path, output, prefix) == os.path.relpath(path, output), path
    assert pelican_adapter._relative("/elsewhere/a.html", output, prefix) == os.path.relpath(
        "/elsewhere/a.html", output
    )


@pytest.mark.parametrize(
    "odd",
    ["changefreq", "priority", "modified", "private", "translations", "text-format", "bad-frequency"],
)
def test_pages_with_values_of_their_own_go_through_pelican_sitemap(tmp_path: Path, odd: str) -> None:
    article = pelican_adapter.sitemap_article("2024/03/05/a/", dt.datetime(2024, 3, 5, tzinfo=dt.UTC))
    settings: dict[str, Any] = {"SITEURL": "", "SITEMAP": {"format": "xml"}}
    if odd == "text-format":
        settings["SITEMAP"] = {"format": "txt"}
    elif odd == "bad-frequency":
        settings["SITEMAP"] = {"format": "xml", "changefreqs": {"articles": "sometimes"}}
    elif odd == "translations":
        article.translations = [SimpleNamespace(lang="de", url="de/a/")]
    else:
        setattr(
            article, odd, {"changefreq": "daily", "priority": "0.7", "private": "True"}.get(odd, article.date)
        )
    page = (str(tmp_path / "2024/03/05/a/index.html"), article)
    assert pelican_adapter._sitemap_text(settings, str(tmp_path), [page], article.date) is None


def test_sitemap_written_now_is_not_written_again(tmp_path: Path) -> None:
    generator = sitemap.generator
    saved = (generator._main_pelican, generator.page_queue)
    pelican = SimpleNamespace(
        output_path=str(tmp_path), settings={"SITEURL": "", "SITEMAP": {"format": "txt"}}
    )
    try:
        assert not pelican_adapter.write_sitemap_now(pelican)  # not initialised for this run
        assert not (tmp_path / "sitemap.txt").exists()
        generator.init(pelican)
        generator.page_queue = []  # pages other tests in this process announced
        generator.queue_page(str(tmp_path / "a" / "index.html"), {"article": None})
        assert pelican_adapter.write_sitemap_now(pelican)
        assert (tmp_path / "sitemap.txt").read_text(encoding="utf-8") == "/a/\n"
        (tmp_path / "sitemap.txt").unlink()
        generator.finalize(pelican)  # pelican-sitemap's own finalized handler, later
        assert not (tmp_path / "sitemap.txt").exists()
    finally:
        generator._main_pelican, generator.page_queue = saved


def test_period_archives_are_pelicans_own_grouped_in_one_pass() -> None:
    """The linear version gives exactly the archives Pelican's method gives, order included."""
    start = dt.datetime(2023, 11, 28, 12, tzinfo=dt.UTC)
    articles = [
        SimpleNamespace(name=f"a{i}", date=start + dt.timedelta(days=(i * 7) % 90)) for i in range(40)
    ]
    dates = sorted(articles, key=lambda a: a.date)  # Pelican's self.dates; articles keep their order
    settings = {
        **DEFAULT_CONFIG,
        "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
        "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
        "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html",
    }
    generator = SimpleNamespace()
    expected = ArticlesGenerator._build_period_archives(generator, dates, articles, settings)
    got = pelican_adapter.linear_period_archives(generator, dates, articles, settings)
    assert set(got) == {"year", "month", "day"}
    assert got == expected
    month = got["month"][0]
    assert [a.name for a in month["articles"]] == [
        a.name for a in articles if (a.date.year, a.date.month) == (2023, 11)
    ]


def test_the_generator_uses_the_linear_period_archives() -> None:
    generator = SimpleNamespace()
    pelican_adapter.make_period_archives_linear(generator)  # type: ignore[arg-type]
    assert generator._build_period_archives.__func__ is pelican_adapter.linear_period_archives


def test_a_skipped_run_calls_the_replacement_once_then_pelicans_run(tmp_path: Path) -> None:
    """``pelican.main`` sends ``initialized`` while creating the instance, then calls ``run()``:
    a replacement set in an ``initialized`` receiver is what ``main`` runs, and only once."""
    import pelican as pelican_package

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("Title: A\nDate: 2020-01-01\n\nBody\n", encoding="utf-8")
    calls: list[str] = []
    instances: list[Any] = []

    def receiver(instance: Any) -> None:
        instances.append(instance)
        assert not pelican_adapter.run_replaced(instance)
        pelican_adapter.skip_run(instance, lambda: calls.append("skipped"))
        assert pelican_adapter.run_replaced(instance)

    signals.initialized.connect(receiver)
    try:
        pelican_package.main(
            [str(content), "-o", str(tmp_path / "out"), "-s", str(_empty_settings(tmp_path)), "-q"]
        )
    finally:
        signals.initialized.disconnect(receiver)
    assert calls == ["skipped"]
    assert not (tmp_path / "out").exists()  # Pelican's run did not happen
    # The next run of the same instance is Pelican's own (not run here: plugins that other
    # tests of this process registered would take part in it).
    assert "run" not in vars(instances[0])
    assert instances[0].run.__func__ is pelican_package.Pelican.run


def _empty_settings(tmp_path: Path) -> Path:
    settings = tmp_path / "conf.py"
    cache = str(tmp_path / "cache")
    settings.write_text(
        f"PLUGINS = []\nCACHE_PATH = {cache!r}\nTHEME = 'simple'\nFEED_ALL_ATOM = None\n"
        "CATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n"
        "AUTHOR_FEED_RSS = None\n",
        encoding="utf-8",
    )
    return settings


# Content caches that keep nothing ---------------------------------------------------------------


@pytest.fixture
def plugins_muted() -> Iterator[None]:
    """Pelican's signals without receivers: plugins other tests registered in this process
    (the news reader's ``readers_init``, say) would expect their own settings."""
    with contextlib.ExitStack() as stack:
        for value in vars(signals).values():
            if isinstance(value, blinker.Signal):
                stack.enter_context(value.muted())
        yield


def _articles_generator(tmp_path: Path, **overrides: Any) -> ArticlesGenerator:
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        (content / f"a{n}.md").write_text(f"Title: A{n}\nDate: 2020-01-0{n + 1}\n\nBody\n", encoding="utf-8")
    settings = {
        **DEFAULT_CONFIG,
        "PATH": str(content),
        "CACHE_PATH": str(tmp_path / "cache"),
        "OUTPUT_PATH": str(tmp_path / "out"),
        **overrides,
    }
    return ArticlesGenerator(
        context={**settings, "static_content": {}, "generated_content": {}, "static_links": set()},
        settings=settings,
        path=str(content),
        theme=settings["THEME"],
        output_path=str(tmp_path / "out"),
    )


def _count_stamps(generator: ArticlesGenerator) -> list[str]:
    stamped: list[str] = []
    for cacher in (generator, generator.readers):
        stamp = cacher._filestamp_func

        def counted(filename: str, stamp: Any = stamp) -> Any:
            stamped.append(filename)
            return stamp(filename)

        cacher._filestamp_func = counted
    return stamped


@pytest.mark.usefixtures("plugins_muted")
def test_pelican_stamps_each_file_four_times_with_caching_off(tmp_path: Path) -> None:
    """What :func:`pelican_adapter.skip_unkept_file_stamps` saves, and that the cachers keep nothing."""
    generator = _articles_generator(tmp_path)
    stamped = _count_stamps(generator)
    generator.generate_context()
    assert len(generator.articles) == 3
    assert len(stamped) == 4 * 3
    for cacher in (generator, generator.readers):
        assert cacher._cache_data_policy is False
        assert cacher._cache == {}


@pytest.mark.usefixtures("plugins_muted")
def test_unkept_file_stamps_are_not_taken_and_the_articles_are_the_same(tmp_path: Path) -> None:
    plain = _articles_generator(tmp_path / "plain")
    plain.generate_context()
    generator = _articles_generator(tmp_path / "skipped")
    stamped = _count_stamps(generator)
    assert pelican_adapter.skip_unkept_file_stamps(generator) == 2
    generator.generate_context()
    assert stamped == []
    assert [(a.title, a.date, a.save_as) for a in generator.articles] == [
        (a.title, a.date, a.save_as) for a in plain.articles
    ]


@pytest.mark.usefixtures("plugins_muted")
@pytest.mark.parametrize(
    ("overrides", "changed"),
    [
        ({"CACHE_CONTENT": True}, 1),  # the readers' layer caches: only the generator is changed
        ({"CACHE_CONTENT": True, "CONTENT_CACHING_LAYER": "generator"}, 1),
        ({"LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}, 1),
    ],
)
def test_a_cacher_that_caches_keeps_its_stamps(
    tmp_path: Path, overrides: dict[str, Any], changed: int
) -> None:
    generator = _articles_generator(tmp_path, **overrides)
    assert pelican_adapter.skip_unkept_file_stamps(generator) == changed
    caching = [c for c in (generator, generator.readers) if c._cache_data_policy]
    assert len(caching) == 1
    assert "get_cached_data" not in vars(caching[0])
    assert "cache_data" not in vars(caching[0])
    stamped = _count_stamps(generator)
    generator.generate_context()
    assert len(stamped) == 2 * 3  # the caching layer still stamps each file twice


@pytest.mark.usefixtures("plugins_muted")
def test_a_loaded_cache_keeps_its_stamps(tmp_path: Path) -> None:
    _articles_generator(tmp_path, CACHE_CONTENT=True).readers.save_cache()
    first = _articles_generator(tmp_path, CACHE_CONTENT=True)
    first.generate_context()
    first.readers.save_cache()
    loaded = _articles_generator(tmp_path, LOAD_CONTENT_CACHE=True)  # loads, caches nothing new
    assert loaded.readers._cache
    assert pelican_adapter.skip_unkept_file_stamps(loaded) == 1  # the generator only
    assert "get_cached_data" not in vars(loaded.readers)


# The default author ------------------------------------------------------------------------------


def test_the_default_author_is_the_one_pelican_gives() -> None:
    settings = {**DEFAULT_CONFIG, "AUTHOR": "Topicfeed Team"}
    metadata = {"title": "A", "date": dt.datetime(2020, 1, 2), "slug": "a"}
    own = Article("", metadata=dict(metadata), settings=settings, source_path="/c/a.md")
    author = pelican_adapter.default_author(settings)
    assert author is not None
    given = Article("", metadata={**metadata, "author": author}, settings=settings, source_path="/c/a.md")
    assert given.author is author
    assert given.authors == [author]
    assert (own.author.name, own.author.slug) == (author.name, author.slug)
    assert [(a.name, a.slug) for a in own.authors] == [(author.name, author.slug)]
    assert own.url_format == given.url_format
    assert (own.url, own.save_as) == (given.url, given.save_as)


@pytest.mark.parametrize("value", [None, "", 5])
def test_no_default_author_without_a_name(value: Any) -> None:
    settings = {**DEFAULT_CONFIG, "AUTHOR": value}
    assert pelican_adapter.default_author(settings) is None
    settings = {key: item for key, item in DEFAULT_CONFIG.items() if key != "AUTHOR"}
    assert pelican_adapter.default_author(settings) is None
    assert not hasattr(Article("", metadata={"title": "A"}, settings=settings), "author")


# A content's relative source path ---------------------------------------------------------------

#: (content path, source path): under, beside, above and outside it, relative, odd separators.
SOURCE_PATHS = [
    ("/site/content", "/site/content/a.md"),
    ("/site/content", "/site/content/news/2024/a b.txt"),
    ("/site/content/", "/site/content/a.md"),
    ("/site/content//", "/site/content//x//y.md"),
    ("/site/./content", "/site/content/a.md"),
    ("/site/content", "/site/./content/../content/a.md"),
    ("/site/content", "/site/content"),
    ("/site/content", "/site/content/"),
    ("/site/content", "/site/contents/a.md"),
    ("/site/content", "/site/other/a.md"),
    ("/site/content", "/a.md"),
    ("/", "/a.md"),
    ("//server/content", "//server/content/a.md"),
    ("/site/content", "news/a.md"),
    ("/site/content", "../a.md"),
    ("content", "content/a.md"),
    ("content", "/site/content/a.md"),
    ("/site/content", "/site/content/ü/ñ.md"),
]


@pytest.mark.parametrize(("content_path", "source_path"), SOURCE_PATHS)
def test_relative_source_path_is_pelicans(content_path: str, source_path: str) -> None:
    settings = {**DEFAULT_CONFIG, "PATH": content_path}
    article = Article("", metadata={"title": "A", "slug": "a"}, settings=settings, source_path=source_path)
    expected = pelican_adapter._pelican_relative_source_path(article)
    assert pelican_adapter.relative_source_path(article) == expected
    assert pelican_adapter.relative_source_path(article, source_path) == expected
    other = "/site/content/b/c.md"
    assert pelican_adapter.relative_source_path(article, other) == (
        pelican_adapter._pelican_relative_source_path(article, other)
    )


def test_relative_source_path_without_a_source() -> None:
    article = Article("", metadata={"title": "A", "slug": "a"}, settings=dict(DEFAULT_CONFIG))
    assert pelican_adapter.relative_source_path(article) is None


def test_relative_source_paths_are_direct_once_made_so() -> None:
    pelican_adapter.make_relative_source_paths_direct()
    pelican_adapter.make_relative_source_paths_direct()  # idempotent: still Pelican's underneath
    settings = {**DEFAULT_CONFIG, "PATH": "/site/content"}
    article = Article(
        "", metadata={"title": "A", "slug": "a"}, settings=settings, source_path="/site/content/n/a.md"
    )
    assert article.relative_source_path == "n/a.md"
    assert article.get_relative_source_path() == "n/a.md"
    assert article.get_relative_source_path("/site/x.md") == "../x.md"


URL_METADATA = [
    {"title": "A", "slug": "a", "date": dt.datetime(2024, 5, 2)},
    {"title": "A", "date": dt.datetime(2024, 5, 2), "lang": "fr", "custom": "x", "path": "p/q r.md"},
    {
        "title": "A",
        "slug": "a",
        "date": dt.datetime(2024, 5, 2),
        "author": Author("Jo Doe", DEFAULT_CONFIG),
        "category": Category("FT com", DEFAULT_CONFIG),
        "slug_extra": 3,
    },
]


@pytest.mark.parametrize("metadata", URL_METADATA)
def test_url_fields_are_url_formats_entries(metadata: dict[str, Any]) -> None:
    settings = {**DEFAULT_CONFIG, "PATH": "/site/content"}
    article = Article("", metadata=dict(metadata), settings=settings, source_path="/site/content/n/a b.md")
    expected = article.url_format
    assert pelican_adapter.url_fields(article, expected) == expected
    assert pelican_adapter.url_fields(article, ["slug", "date", "nothing"]) == {
        "slug": expected["slug"],
        "date": expected["date"],
    }


URL_SETTINGS = [
    ("{date:%Y}/{date:%m}/{date:%d}/{slug}/", "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"),
    ("{category}/{slug}.html", "{author}/{lang}/{path}"),
    ("{date.year}/{slug}/", "{slug!s}.html"),  # str.format's own, with the whole url_format
    ("{custom}/{slug}", "{missing}/{slug}"),  # a name url_format lacks: KeyError, as Pelican
]


@pytest.mark.parametrize("metadata", URL_METADATA)
@pytest.mark.parametrize(("url", "save_as"), URL_SETTINGS)
def test_url_settings_expand_as_pelicans(metadata: dict[str, Any], url: str, save_as: str) -> None:
    settings = {**DEFAULT_CONFIG, "PATH": "/site/content", "ARTICLE_URL": url, "ARTICLE_SAVE_AS": save_as}
    settings |= {"ARTICLE_LANG_URL": "{lang}/" + url, "ARTICLE_LANG_SAVE_AS": "{lang}/" + save_as}
    article = Article("", metadata=dict(metadata), settings=settings, source_path="/site/content/n/a b.md")
    for key, klass in (("url", None), ("save_as", None), ("lang_url", None), ("url", "Article")):
        try:
            expected = pelican_adapter._pelican_expand_settings(article, key, klass)
        except KeyError:
            with pytest.raises(KeyError):
                pelican_adapter.expand_url_setting(article, key, klass)
        else:
            assert pelican_adapter.expand_url_setting(article, key, klass) == expected


def test_url_settings_are_direct_once_made_so() -> None:
    pelican_adapter.make_url_settings_direct()
    pelican_adapter.make_url_settings_direct()  # idempotent
    settings = {**DEFAULT_CONFIG, "PATH": "/c", "ARTICLE_URL": "{date:%Y}/{slug}/"}
    article = Article("", metadata=dict(URL_METADATA[0]), settings=settings, source_path="/c/a.md")
    assert Article.__mro__[1]._expand_settings is pelican_adapter.expand_url_setting  # Content
    assert article.url == "2024/a/"


def test_run_in_full_is_pelicans_own_run_into_the_output_path(monkeypatch) -> None:
    import pelican as pelican_package

    ran: list[tuple[str, bool]] = []

    def run(self: Any) -> None:
        ran.append((self.output_path, pelican_adapter.within_replaced_run(self)))

    monkeypatch.setattr(pelican_package.Pelican, "run", run)
    instance = object.__new__(pelican_package.Pelican)
    instance.settings = {"OUTPUT_PATH": "/site/output"}
    instance.output_path = "/site/.output.building"  # where a replacement pointed it
    pelican_adapter.skip_run(instance, lambda: pelican_adapter.run_in_full(instance))
    assert not pelican_adapter.within_replaced_run(instance)
    instance.run()
    assert ran == [("/site/output", True)]  # Pelican's run, within the replaced one
    assert not pelican_adapter.within_replaced_run(instance)
    instance.run()  # a later run (autoreload) is not the replaced one
    assert ran == [("/site/output", True), ("/site/output", False)]


@pytest.mark.parametrize(
    ("fatal", "level"), [("", None), ("errors", logging.ERROR), ("warnings", logging.WARNING)]
)
def test_the_fatal_level_is_the_one_pelicans_fatal_option_sets(fatal: str, level: int | None) -> None:
    """What ``--fatal`` sets is what :func:`fatal_level` reads, and a line at that level fails the run."""
    before = FatalLogger.fatal_lvl
    try:
        pelican_log.init(fatal=fatal, handler=logging.NullHandler())
        if level is None:
            assert pelican_adapter.fatal_level() > logging.CRITICAL
            return
        assert pelican_adapter.fatal_level() == level
        log = logging.getLogger("topicfeed.tests.fatal")
        assert isinstance(log, FatalLogger)
        with pytest.raises(RuntimeError):
            log.log(level, "a line at the fatal level (%s)", fatal)
        log.log(level - 10, "a line below it (%s)", fatal)
    finally:
        FatalLogger.fatal_lvl = before
