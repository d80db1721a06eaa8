"""The JSON API of the real corpus: schemas, a link-following client under a sub-path, agreement
with the article pages, published items only, determinism, reuse and the off switch."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from support.browser import ServedBuild, serve_build
from support.build import CORPUS, run_pelican, tree
from support.items import write_item

from topicfeed.model import build_item
from topicfeed.news_reader.source import decode, load_front_matter

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "plugins" / "topicfeed" / "json_api" / "schema"
ITEM_PATH = re.compile(r"^api/[^/]+/\d{4}/\d{2}/\d{2}/[^/]+/index\.json$")


@pytest.fixture(scope="module")
def api_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBuild]:
    """The corpus built with SITEURL = http://127.0.0.1:PORT/repo and served there (loopback)."""
    served = serve_build(CORPUS, tmp_path_factory.mktemp("api-corpus"))
    yield served
    served.server.close()


def corpus_items() -> dict[str, bool]:
    """Every readable corpus file name -> whether it is published."""
    fates = {}
    for path in sorted(CORPUS.iterdir()):
        raw, _, _ = load_front_matter(decode(path.read_bytes(), 1_000_000))
        item, _ = build_item(raw, path.name)
        if item is not None:
            fates[path.name] = item.published
    return fates


def validators() -> dict[str, Draft202012Validator]:
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}
    registry = Registry().with_resources((name, Resource.from_contents(s)) for name, s in schemas.items())
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    return {name.split(".")[0]: Draft202012Validator(s, registry=registry) for name, s in schemas.items()}


def schema_for(path: str) -> str:
    if path == "api/index.json":
        return "index"
    if path in ("api/topics/index.json", "api/sources/index.json"):
        return "list"
    return "item" if ITEM_PATH.match(path) else "page"


def test_every_json_file_validates_against_its_schema(api_site: ServedBuild) -> None:
    check = validators()
    output = api_site.build.output
    used: Counter[str] = Counter()
    for file in sorted((output / "api").rglob("*.json")):
        path = file.relative_to(output).as_posix()
        if path.startswith("api/schema/"):
            assert file.read_bytes() == (SCHEMA_DIR / file.name).read_bytes()
            continue
        kind = schema_for(path)
        errors = [e.message for e in check[kind].iter_errors(json.loads(file.read_bytes()))]
        assert errors == [], (path, errors[:3])
        used[kind] += 1
    assert used["index"] == used["list"] // 2 == 1
    assert used["item"] == 428 and used["page"] > 22


def test_the_schemas_refuse_unknown_and_secret_fields(api_site: ServedBuild) -> None:
    check = validators()
    output = api_site.build.output
    page = json.loads((output / "api/news/index.json").read_bytes())
    page["value"][0]["secured"] = "blob"
    assert not check["page"].is_valid(page)
    item_file = next(
        p
        for p in (output / "api/news").rglob("index.json")
        if ITEM_PATH.match(p.relative_to(output).as_posix())
    )
    item = json.loads(item_file.read_bytes())
    assert check["item"].is_valid(item)
    del item["webUrl"]
    assert not check["item"].is_valid(item)


def fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        assert response.status == 200, url
        assert response.headers.get_content_type() == "application/json", url
        return json.loads(response.read())


def test_a_client_following_links_reaches_every_published_item_once(api_site: ServedBuild) -> None:
    base = api_site.server.base_url + "/"
    index = fetch(base + "api/index.json")
    assert index["version"].startswith("1.") and index["site"] == base
    fates = corpus_items()
    published = {name for name, shown in fates.items() if shown}
    reached_per_collection: dict[str, list[str]] = {}
    item_urls: dict[str, str] = {}
    for collection in index["collections"]:
        url, seen = collection["url"], []
        while url is not None:
            assert url.startswith(base), url  # absolute, under the sub-path
            page = fetch(url)
            seen += [entry["path"] for entry in page["value"]]
            item_urls.update({entry["path"]: entry["apiUrl"] for entry in page["value"]})
            assert page["nextPage"] == (str(page["page"] + 1) if page["next"] else None)
            url = page["next"]
        assert len(seen) == collection["items"] == len(set(seen)), collection["slug"]
        reached_per_collection[f"{collection['kind']}:{collection['slug']}"] = seen
    news = reached_per_collection["news:news"]
    assert len(news) == len(set(news)) == index["items"] == 428  # every item exactly once
    assert set(news) == published  # ... and no unpublished one
    assert set().union(*map(set, reached_per_collection.values())) == published
    # every item's own document, reached by its link, describes that item
    for path, url in item_urls.items():
        document = fetch(url)
        assert document["path"] == path and document["apiUrl"] == url == document["sourceUrl"]
    # lists: the topic and source lists link the same collections as the entry point
    listed = fetch(index["topics"]["url"])["value"] + fetch(index["sources"]["url"])["value"]
    assert sorted(c["url"] for c in listed) == sorted(c["url"] for c in index["collections"][1:])


def test_item_documents_agree_with_the_article_pages(api_site: ServedBuild) -> None:
    output = api_site.build.output
    base = api_site.server.base_url
    checked = 0
    for file in sorted((output / "api").rglob("index.json")):
        if not ITEM_PATH.match(file.relative_to(output).as_posix()):
            continue
        document = json.loads(file.read_bytes())
        page = BeautifulSoup(
            api_site.build.path(api_site.site_path(document["url"])).read_bytes(), "html.parser"
        )
        article = page.find("article")
        assert article.find("h1").get_text() == document["title"]
        shown = dt.datetime.fromisoformat(article.find("time")["datetime"])
        assert shown == dt.datetime.fromisoformat(document["publishedDateTime"])
        assert article.find("a", string=re.compile("^Read at "))["href"] == document["webUrl"]
        chips = [a.get_text() for a in article.select("nav.topics a.chip")]
        assert chips == document["topics"]
        for link in document["related"]:
            if link["url"] is not None:
                assert link["url"].startswith(base + "/") and link["apiUrl"].startswith(base + "/api/")
        checked += 1
    assert checked == 428


def test_nothing_secret_or_unpublished_reaches_the_api(api_site: ServedBuild) -> None:
    text = b"".join(p.read_bytes() for p in sorted((api_site.build.output / "api").rglob("*.json")))
    secrets = set()
    unpublished_titles = set()
    fates = corpus_items()
    for path in sorted(CORPUS.iterdir()):
        raw = path.read_text(encoding="utf-8")
        secrets.update(re.findall(r'^secured: "?([^"\n]+)', raw, re.MULTILINE))
        if not fates.get(path.name, True):
            unpublished_titles.add(path.name.encode())
    assert len(secrets) > 400
    assert not [s for s in secrets if s[:40].encode() in text]
    assert b'"secured"' not in text
    assert not [name for name in unpublished_titles if b'"' + name + b'"' in text]


def test_two_builds_give_identical_api_bytes(api_site: ServedBuild, tmp_path: Path) -> None:
    again = run_pelican(
        CORPUS,
        tmp_path / "again",
        extra={"SITEURL": api_site.server.base_url, "FEED_DOMAIN": api_site.server.base_url},
    )
    assert again.returncode == 0, again.log
    assert tree(again.output / "api") == tree(api_site.build.output / "api")


def test_the_api_written_beside_the_pages_is_the_api_written_after_them(
    api_site: ServedBuild, tmp_path: Path
) -> None:
    """From API_FORK_MIN_ITEMS items on a forked process writes the API while the build writes
    the pages; the corpus (fewer items) is written in the build process by default."""
    assert "forked process" not in api_site.build.log
    beside = run_pelican(
        CORPUS,
        tmp_path / "beside",
        extra={
            "SITEURL": api_site.server.base_url,
            "FEED_DOMAIN": api_site.server.base_url,
            "API_FORK_MIN_ITEMS": 0,
        },
        options=("--verbose",),
    )
    assert beside.returncode == 0, beside.log
    assert "json_api:" in beside.log and "(forked process, beside the pages)" in beside.log
    assert tree(beside.output) == tree(api_site.build.output)
    report = json.loads(beside.output.with_name("beside.report.json").read_text(encoding="utf-8"))
    assert report["stages_seconds"]["api"] > 0  # the forked process's time reaches the report


def small_site(content: Path) -> None:
    for n in range(1, 46):
        write_item(
            content,
            f"2024-03-{n % 27 + 1:02d}-story-{n}.md",
            n=n,
            topics=["Testing", "Even"] if n % 2 == 0 else ["Testing"],
        )
    write_item(content, "2024-03-05-hidden.md", n=99, title="A hidden story", published=False)


def test_incremental_rebuild_gives_the_api_of_a_fresh_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    small_site(content)
    # The API's own reuse in a full build (a rebuild from the model writes what the change reaches).
    settings = {"SITEURL": "https://news.example.org/sub", "API_PAGE_SIZE": 7, "REBUILD_FROM_MODEL": False}
    first = run_pelican(content, tmp_path / "site", extra=settings)
    assert first.returncode == 0, first.log
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in (first.output / "api").rglob("*.json")}
    story = content / "2024-03-02-story-1.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Test story number 1", "Renamed"), "utf-8")
    again = run_pelican(content, tmp_path / "site", extra=settings)
    fresh = run_pelican(content, tmp_path / "fresh", extra=settings)
    assert again.returncode == fresh.returncode == 0, again.log + fresh.log
    assert tree(again.output / "api") == tree(fresh.output / "api")
    # an unchanged document is the previous build's file, linked into the new build
    unchanged = [p for p, (data, _) in before.items() if p.read_bytes() == data]
    assert len(unchanged) > len(before) // 2
    assert [p for p in unchanged if p.stat().st_ino != before[p][1]] == []
    changed = json.loads((again.output / "api/news/2024/03/02/story-1/index.json").read_bytes())
    assert changed["title"] == "Renamed"
    index = json.loads((again.output / "api/index.json").read_bytes())
    assert index["items"] == 45 and index["news"]["pages"] == 7 and index["pageSize"] == 7
    assert index["news"]["url"] == "https://news.example.org/sub/api/news/index.json"
    page7 = json.loads((again.output / "api/news/page/7/index.json").read_bytes())
    assert len(page7["value"]) == 3 and page7["nextPage"] is None and page7["next"] is None
    assert not (again.output / "api/news/page/1").exists()  # page 1 has one URL: .../index.json


def test_reuse_trusts_the_manifest_only_for_files_left_as_recorded(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    small_site(content)
    # Every build runs in full (the API's own reuse, not a rebuild from the site model): the
    # third one has the inputs and output of the second.
    settings = {"API_PAGE_SIZE": 7, "SKIP_UNCHANGED_BUILD": False, "REBUILD_FROM_MODEL": False}
    first = run_pelican(content, tmp_path / "site", extra=settings)
    assert first.returncode == 0, first.log
    manifest = tmp_path / "site.api.json"  # beside the output, never in the published site
    assert manifest.exists() and not list(first.output.rglob("*.api.json"))
    page, item = first.output / "api/news/index.json", first.output / "api/news/2024/03/02/story-1/index.json"
    original = page.read_bytes()
    page.write_bytes(original.replace(b'"page":1', b'"page":9'))  # edited by hand, same size
    item_inode = item.stat().st_ino
    again = run_pelican(content, tmp_path / "site", extra=settings)
    assert again.returncode == 0, again.log
    assert page.read_bytes() == original  # written again, not the edited file linked
    assert item.stat().st_ino == item_inode  # the untouched file is linked
    manifest.unlink()  # no records (a fresh CI runner): the bytes are compared instead
    third = run_pelican(content, tmp_path / "site", extra=settings)
    assert third.returncode == 0, third.log
    assert item.stat().st_ino == item_inode and page.read_bytes() == original
    assert manifest.exists()


def test_api_false_writes_no_api(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    small_site(content)
    build = run_pelican(content, tmp_path / "out", extra={"API": False})
    assert build.returncode == 0, build.log
    assert not (build.output / "api").exists()
    assert build.article_pages()
