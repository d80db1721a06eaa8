"""The site model: what it records about a built site agrees with the pages, and its file is safe.

Nothing reads the model yet (docs/rebuild-plan.md, step 1), so these tests hold it to the site it
claims to describe: every article page is an item of it, in the site's order, and the links each
page shows (related stories, backlinks, more coverage, its neighbours in its topic) are the keys
it records. The incremental and kill tests (tests/e2e) check that a rebuild's model equals a
fresh build's and that a stopped build never leaves a model of a site that is not the output.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from support import feeds
from support.build import CORPUS, Build, model_describes

from topicfeed.coverage.counts import series_of
from topicfeed.coverage.svg import bar_chart, sparkline
from topicfeed.site_model import plugin, store
from topicfeed.site_model.records import VERSION, ItemRecord, SiteModel

SECTIONS = {"related": "related", "backlinks": "backlinks", "more_coverage": "coverage"}


@pytest.fixture(scope="module")
def model(corpus_site: Build) -> SiteModel:
    found, why = store.load(store.model_path(corpus_site.output))
    assert found is not None, why
    return found


@pytest.fixture(scope="module")
def records(model: SiteModel) -> list[ItemRecord]:
    return model.records()


def test_the_model_describes_the_output_folder(corpus_site: Build, model: SiteModel) -> None:
    assert model.version == VERSION
    assert model_describes(model, corpus_site.output)
    assert not model_describes(model._replace(build="another build"), corpus_site.output)
    assert not store.next_path(corpus_site.output).exists()  # published, not left half-way


def test_every_article_page_is_an_item_newest_first(corpus_site: Build, records: list[ItemRecord]) -> None:
    pages = {page.relative_to(corpus_site.output).as_posix() for page in corpus_site.article_pages()}
    assert sorted(record.save_as for record in records) == sorted(pages)
    assert len({record.source_path for record in records}) == len(records) == 428
    assert len({record.key for record in records}) == 425  # three stories come in two files each
    stamps = [record.timestamp for record in records]
    assert stamps == sorted(stamps, reverse=True)
    for record in records[:20]:  # the home page's first stories, in the model's order
        assert record.save_as.removesuffix("index.html") in corpus_site.path("/").read_text(encoding="utf-8")


def test_every_file_read_has_its_fate(
    corpus_site: Build, model: SiteModel, records: list[ItemRecord]
) -> None:
    report = json.loads(corpus_site.output.with_name(corpus_site.output.name + ".report.json").read_text())
    assert sorted(model.files) == sorted(path.name for path in CORPUS.iterdir())
    assert sum(fate == "published" for fate in model.files.values()) == report["summary"]["published"]
    assert sum(fate == "unpublished" for fate in model.files.values()) == report["summary"]["unpublished"]
    assert {record.source_path for record in records} == {
        p for p, fate in model.files.items() if fate == "published"
    }


def test_topics_and_sources_are_the_sites(
    corpus_site: Build, model: SiteModel, records: list[ItemRecord]
) -> None:
    assert {slug for record in records for slug in record.topics} == set(model.topics)
    assert {record.source for record in records} - {""} == set(model.sources)
    for slug in model.topics:
        assert (corpus_site.output / "topics" / slug / "index.html").is_file(), slug
    for slug in model.sources:
        assert (corpus_site.output / "sources" / slug / "index.html").is_file(), slug


def _hrefs(soup: BeautifulSoup, selector: str) -> list[str]:
    return [str(a["href"]) for a in soup.select(selector)]


def test_the_links_each_page_shows_are_the_keys_recorded(
    corpus_site: Build, records: list[ItemRecord]
) -> None:
    urls_of: dict[str, set[str]] = {}
    for record in records:  # a story two files carry has two pages; a link goes to one of them
        urls_of.setdefault(record.key, set()).add("/" + record.url)
    linked = 0
    for record in records:
        soup = BeautifulSoup((corpus_site.output / record.save_as).read_bytes(), "html.parser")
        for field, section in SECTIONS.items():
            keys: tuple[str, ...] = getattr(record, field)
            hrefs = _hrefs(soup, f"section.{section} li.story-link > div > a")
            assert len(hrefs) == len(keys), (record.save_as, field)
            for key, href in zip(keys, hrefs, strict=True):
                assert href in urls_of.get(key, set()) if href.startswith("/") else key not in urls_of, (
                    record.save_as,
                    key,
                )
                linked += href.startswith("/")
        for field in ("older", "newer"):
            key = getattr(record, field)
            hrefs = _hrefs(soup, f"li.{field} > a")
            assert len(hrefs) == bool(key) and all(href in urls_of[key] for href in hrefs), (
                record.save_as,
                field,
            )
    assert linked > 100  # the corpus links its own stories: the check above compared something


def test_every_page_written_is_recorded_with_the_items_it_shows(corpus_site: Build, model: SiteModel) -> None:
    report = json.loads(corpus_site.output.with_name(corpus_site.output.name + ".report.json").read_text())
    pages = model.page_records()
    assert len(pages) == len({page.path for page in pages}) == report["summary"]["pages_written"]
    records = model.records()
    lists: dict[str, dict[int, tuple[int, ...]]] = {}
    for page in pages:
        soup = BeautifulSoup((corpus_site.output / page.path).read_bytes(), "html.parser")
        shown = ["/" + records[i].url for i in page.items]
        if page.page_name == "article":
            assert [records[i].save_as for i in page.items] == [page.path]
            continue
        cards = _hrefs(soup, "article.card .card-title a")
        if page.list_name:
            lists.setdefault(page.list_name, {})[page.number] = page.items
            # the home page's first page leads with its top stories, then its list
            assert cards[len(cards) - len(shown) :] == shown, page.path
            assert 0 < len(page.items) <= page.per_page + 10, page.path  # the last page takes orphans
    # the pages of each list hold the whole list once, in the site's order (newest first)
    counts = {page.list_name: page.count for page in pages if page.list_name}
    assert {"index.html", "topics/power-apps/index.html"} <= set(lists), sorted(lists)
    for name, numbered in lists.items():
        whole = [i for number in sorted(numbered) for i in numbered[number]]
        assert sorted(numbered) == list(range(1, len(numbered) + 1)), name
        assert len(whole) == len(set(whole)) == counts[name], name
        assert whole == sorted(whole), name
    assert [i for n in sorted(lists["index.html"]) for i in lists["index.html"][n]] == list(
        range(len(records))
    )


def test_each_page_has_the_names_its_template_read(corpus_site: Build, model: SiteModel) -> None:
    manifest = json.loads(corpus_site.output.with_name(corpus_site.output.name + ".render.json").read_text())
    table, outputs = manifest["reads"], manifest["outputs"]
    pages = model.page_records()
    assert len(model.reads) == len({tuple(names) for names in table})  # each distinct list once
    for page in pages:
        assert model.reads[page.reads] == tuple(table[outputs[page.path]["reads"]]), page.path
    reads = {page.path: set(model.reads[page.reads]) for page in pages}
    assert {"top_stories", "articles_page"} <= reads["index.html"]
    assert "articles[:5]" in reads["404.html"]
    assert any(name.startswith("coverage_topics[") for name in reads["topics/power-apps/index.html"])


def test_the_home_pages_own_values_are_recorded(corpus_site: Build, model: SiteModel) -> None:
    records = model.records()
    soup = corpus_site.soup("/")
    tiles = _hrefs(soup, "section.top-stories article.card .card-title a")
    assert tiles and tiles == ["/" + records[i].url for i, _ in model.home["top_stories"]]
    assert len(soup.select("section.trending li")) == len(model.home["trending_topics"])  # none here
    first, last, days = model.home["trending_window"]
    assert days == (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    assert last == max(dt.datetime.fromtimestamp(r.timestamp, dt.UTC) for r in records).date().isoformat()


def test_every_feed_file_is_recorded_with_the_stories_it_shows(
    corpus_site: Build, model: SiteModel, records: list[ItemRecord]
) -> None:
    """Each feed record names a feed written, and its entries: the recorded stories' pages, in
    order, with the recorded entry ids; the OPML list is recorded too."""
    url_of = {record.source_path: record.url for record in records}
    written = {
        path.relative_to(corpus_site.output).as_posix()
        for path in (corpus_site.output / "feeds").rglob("*")
        if path.is_file()
    }
    recorded = {feed[0]: feed for feed in model.feeds}
    assert recorded.keys() == written  # every feed file and the OPML list, nothing else
    kinds = {feed[1] for feed in model.feeds}
    assert kinds == {"site", "topic", "source", "opml"}
    for path, kind, _slug, name, shown, ids in model.feeds:
        if kind == "opml":
            continue
        feed = feeds.parse(corpus_site.output / path)
        assert name in feed.title, path
        assert [entry.link.lstrip("/") for entry in feed.entries] == [  # SITEURL is empty here
            url_of[f] for f in shown
        ], path
        assert [entry.id for entry in feed.entries] == list(ids), path
    site = [feed for feed in model.feeds if feed[1] == "site"]
    assert site and all(len(feed[4]) == min(100, len(records)) for feed in site)  # FEED_MAX_ITEMS


def test_every_api_document_is_recorded_with_what_it_shows(corpus_site: Build, model: SiteModel) -> None:
    """Each API record names a document written (the schemas aside), and what it shows: an item's
    document its item and its collections' names, a page its entries in order and its
    collection's name, size and pages, a list and the entry point every collection."""
    api = corpus_site.output / "api"
    written = {
        path.relative_to(corpus_site.output).as_posix()
        for path in api.rglob("*.json")
        if path.parent.name != "schema"
    }
    recorded = {document[0]: document for document in model.api}
    assert recorded.keys() == written
    assert {document[1] for document in model.api} == {"item", "page", "list", "index"}
    for path, kind, shown, extra in model.api:
        document = json.loads((corpus_site.output / path).read_text(encoding="utf-8"))
        if kind == "item":
            assert [document["path"]] == list(shown), path
            assert [(c["kind"] + ":" + c["slug"], c["name"]) for c in document["collections"]] == list(
                extra
            ), path
        elif kind == "page":
            assert [entry["path"] for entry in document["value"]] == list(shown), path
            assert (document["title"], document["count"], document["pages"]) == extra, path
        elif kind == "list":
            assert sorted((c["slug"], c["name"], c["items"]) for c in document["value"]) == sorted(extra), (
                path
            )
        else:
            assert document["items"] == len(model.items)
            assert [(c["name"], c["items"]) for c in document["collections"]] == [
                (n, size) for _, n, size in extra
            ]


def test_the_search_bundles_and_sitemaps_are_recorded_with_what_they_show(
    corpus_site: Build, model: SiteModel, records: list[ItemRecord]
) -> None:
    """The search records name the bundles the listing names, each with its number of stories;
    the sitemap records name the sitemaps written, the news sitemap with its stories in order."""
    listing = json.loads((corpus_site.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    bundles = {entry[0]: entry for entry in model.search if entry[1] == "bundle"}
    assert {f"pagefind/{shard['name']}/": shard["pages"] for shard in listing["shards"]} == {
        path: len(entry[2]) for path, entry in bundles.items()
    }
    assert all((corpus_site.output / path).is_dir() for path in bundles)
    assert sum(len(entry[2]) for entry in bundles.values()) == len(records)
    assert [entry[0] for entry in model.search if entry[1] == "listing"] == ["pagefind/shards.json"]
    sitemaps = {entry[0]: entry for entry in model.sitemaps}
    assert set(sitemaps) == {"sitemap.xml", "news-sitemap.xml"}
    assert all((corpus_site.output / path).is_file() for path in sitemaps)
    url_of = {record.source_path: record.url for record in records}
    news = feeds.xml_root(corpus_site.output / "news-sitemap.xml")
    listed = [
        (loc.text or "").lstrip("/") for loc in news.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert listed and listed == [url_of[f] for f in sitemaps["news-sitemap.xml"][2]]


def test_every_chart_is_recorded_as_its_page_draws_it(corpus_site: Build, model: SiteModel) -> None:
    """Each topic's and source's chart is recorded by what its page's chart is drawn from (its
    title, unit, first and last buckets and counts), each sparkline by what the topics index's
    is drawn from (its counts and label): drawn again from the record, each is the one its page
    shows."""
    assert {key.split(":")[0] for key in model.charts} == {"chart", "sparkline"}
    index = corpus_site.path("/topics/").read_text(encoding="utf-8")
    for key, recorded in model.charts.items():
        if key.startswith("sparkline:"):
            counts, label = recorded
            assert str(sparkline(counts, label)) in index, key
            continue
        _, kind, slug = key.split(":")
        page = corpus_site.path(f"/{'topics' if kind == 'topic' else 'sources'}/{slug}/").read_text(
            encoding="utf-8"
        )
        title, unit, first, last, counts = recorded
        series = series_of(unit, dt.date.fromisoformat(first), dt.date.fromisoformat(last), counts)
        assert series.total, key
        assert str(bar_chart(series, title, f"coverage-{slug}")) in page and title in page, key
    assert len([k for k in model.charts if k.startswith("chart:topic:")]) == len(model.topics)
    assert len([k for k in model.charts if k.startswith("chart:source:")]) == len(model.sources)


def test_no_secured_value_reaches_the_model(corpus_site: Build) -> None:
    data = store.model_path(corpus_site.output).read_bytes()
    secured = [
        match.group(1).split(";")[0]
        for path in sorted(CORPUS.iterdir())[:200]
        if (match := re.search(r'^secured: "([^"]+)"', path.read_text(encoding="utf-8"), re.MULTILINE))
    ]
    assert len(secured) > 20
    assert not any(value[:40].encode() in data for value in secured)


def _model(**changed: object) -> SiteModel:
    plain = SiteModel(
        VERSION,
        "b" * 32,
        (("k", "a.md", "f", 1.0, "u/", "u/index.html", ("t",), "s", (), (), (), 0, 1, "", ""),),
        {"a.md": "published"},
        {"t": "T"},
        {"s": "S"},
        {"top_stories": ((0, 2),), "trending_topics": (), "trending_window": ()},
        (
            ("u/index.html", "article", (0,), "", 0, 0, 0, 0),
            ("index.html", "index", (0,), "index", 1, 20, 1, -1),
        ),
        (("article", "SITEURL"),),
    )
    return plain._replace(**changed)


def _file(model: SiteModel) -> bytes:
    return store.dump_head(model) + store.dump_pages(model.pages, model.reads)


def test_written_then_read_back_and_published_only_when_asked(tmp_path: Path) -> None:
    output = tmp_path / "site"
    output.mkdir()
    model = _model(build="f" * 32)
    assert store.write(store.next_path(output), model) > 0
    assert store.load(store.model_path(output)) == (None, f"{store.model_path(output)}: no model yet")
    assert store.publish(output) and not store.publish(output)  # moved once; nothing left to move
    found, why = store.load(store.model_path(output))
    assert (found, why) == (model, "")
    assert found is not None and found.build == "f" * 32
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "site.model.pickle"]


def test_the_pages_are_added_to_the_items_written_before(tmp_path: Path) -> None:
    """As a build writes it: the items first (beside the build), the pages once all are written."""
    output = tmp_path / "site"
    output.mkdir()
    model = _model()
    with pytest.raises(FileNotFoundError):  # no items, no model: pages alone are never a file
        store.add_pages(store.next_path(output), model.pages, model.reads)
    store.write_head(store.next_path(output), model)
    assert "damaged" in store.load(store.next_path(output))[1]  # the pages are not there yet
    store.add_pages(store.next_path(output), model.pages, model.reads)
    assert store.load(store.next_path(output)) == (model, "")
    assert store.next_path(output).read_bytes() == _file(model)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "damaged"),
        (b"\x80\x05garbage", "damaged"),
        (_file(_model())[:-7], "damaged"),
        (_file(_model()) + b"\x00", "damaged"),
        (_file(_model(version=VERSION + 1)), "not a version"),
        (pickle.dumps(["not", "a", "model"]), "not a version"),
        (_file(_model(topics={"t": Path("/")})), "plain values only"),
        (_file(_model(pages=(("a", "b", (0,), "", 0, 0, 0, Path("/")),))), "plain values only"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "trailing bytes",
        "newer version",
        "not a model",
        "an object",
        "an object in a page",
    ],
)
def test_a_damaged_or_foreign_file_is_refused_with_the_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "site.model.pickle"
    path.write_bytes(data)
    found, why = store.load(path)
    assert found is None
    assert why.startswith(str(path)) and reason in why, why


def test_a_build_that_left_no_items_keeps_the_last_model_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    output = tmp_path / "site"
    output.mkdir()
    store.write(store.model_path(output), _model())
    before = store.model_path(output).read_bytes()
    build = SimpleNamespace(private={}, output=output, render=SimpleNamespace(reads={}))
    plugin.keep_model(None, build)  # type: ignore[arg-type]
    assert store.model_path(output).read_bytes() == before
    assert not store.next_path(output).exists()
    assert "site.model.pickle.next is missing; the last model stays" in caplog.text
