"""URLs from the exporter's file names (Jekyll's rule): the corpus, title edits, the setting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.build import CORPUS, Build, run_pelican
from support.items import write_item

from topicfeed.model import build_item
from topicfeed.news_reader.source import decode, load_front_matter
from topicfeed.permalinks import Permalink, from_filename, jekyll_slugify, slugify_by_category


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("update-your-bookmarks-for-webpowerappscom", "update-your-bookmarks-for-webpowerappscom"),
        ("The _config.yml file", "The-_config.yml-file"),  # Jekyll's own example (pretty, cased)
        ("--a  b--", "a-b"),
        ("q*bert says _@!#?@!", "q-bert-says-_@!-@!"),
        ("café-ünïcode", "café-ünïcode"),
        ("what's (new) +1", "what's-(new)-+1"),
        ("***", ""),
    ],
)
def test_jekyll_slugify_pretty_cased(text: str, slug: str) -> None:
    assert jekyll_slugify(text) == slug
    assert slugify_by_category(text) == slug


def test_each_ascii_character_is_kept_or_replaced_as_by_its_category() -> None:
    for code in range(128):
        text = f"a{chr(code)}b{chr(code)}"
        assert jekyll_slugify(text) == slugify_by_category(text), repr(chr(code))


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_names_slugify_as_by_category(text: str) -> None:
    assert jekyll_slugify(text) == slugify_by_category(text)


def test_file_name_forms() -> None:
    assert from_filename("2020-08-04-power-apps.md") == Permalink(dt.date(2020, 8, 4), "power-apps")
    assert from_filename("sub/2020-08-04-a.b.c...txt") == Permalink(dt.date(2020, 8, 4), "a.b.c")
    for name in (
        "000_4fa83164fd554a3a.txt",
        "2020-13-01-bad-month.md",
        "2020-02-30-no-day.md",
        "2020-08-04-.md",
        "2020-08-04-....md",
        "2020-08-04-.hidden.md",
        "2020-08-04-noext",
    ):
        assert from_filename(name) is None, name


def published_names() -> list[str]:
    names = []
    for path in sorted(CORPUS.iterdir()):
        raw, _, _ = load_front_matter(decode(path.read_bytes(), 1_000_000))
        item, _ = build_item(raw, path.name)
        if item is not None and item.published:
            names.append(path.name)
    return names


def test_every_dated_corpus_item_is_where_jekyll_puts_it(corpus_site: Build) -> None:
    names = published_names()
    assert len(names) == 428
    pages = {p.relative_to(corpus_site.output).parent.as_posix() for p in corpus_site.article_pages()}
    expected = set()
    for name in names:
        permalink = from_filename(name)
        assert permalink is not None, name
        expected.add(f"{permalink.date:%Y/%m/%d}/{permalink.slug}")
    assert expected == pages  # 428/428, and no page anywhere else
    # the case the issue names: the title gives another slug than the file name
    assert "2020/11/09/update-your-bookmarks-for-webpowerappscom" in pages


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build, Build]:
    base = tmp_path_factory.mktemp("permalinks")
    content = base / "content"
    content.mkdir()
    write_item(content, "2024-03-02-the-story.md", n=1, title="The first headline")
    write_item(content, "2024-03-02-twin.md", n=2, title="Twin one")
    (content / "sub").mkdir()
    write_item(content / "sub", "2024-03-02-twin.md", n=3, title="Twin two")
    write_item(content, "005_abcdef.txt", n=5, title="A seed-style name")
    before = run_pelican(content, base / "before")
    story = content / "2024-03-02-the-story.md"
    story.write_text(
        story.read_text(encoding="utf-8")
        .replace("The first headline", "A corrected headline")
        .replace("2024-03-02T10:00:00Z", "2024-03-09T10:00:00Z"),
        encoding="utf-8",
    )
    after = run_pelican(content, base / "after")
    titles = run_pelican(content, base / "titles", extra={"NEWS_URL_FROM_FILENAME": False})
    for build in (before, after, titles):
        assert build.returncode == 0, build.log
    return before, after, titles


def pages(build: Build) -> list[str]:
    return [p.relative_to(build.output).parent.as_posix() for p in build.article_pages()]


def test_editing_title_and_date_keeps_the_url(edited: tuple[Build, Build, Build]) -> None:
    before, after, _ = edited
    assert pages(before) == pages(after)
    page = after.soup("/2024/03/02/the-story/")
    assert page.find("h1").get_text() == "A corrected headline"
    assert page.find("article").find("time")["datetime"].startswith("2024-03-09")


def test_two_files_never_share_a_url(edited: tuple[Build, Build, Build]) -> None:
    before, _, _ = edited
    found = pages(before)
    assert len(found) == len(set(found)) == 4
    twins = sorted(p for p in found if "/twin" in p)
    assert twins[0] == "2024/03/02/twin" and twins[1].startswith("2024/03/02/twin-")
    assert "2024/03/06/a-seed-style-name" in found  # other names keep title-based URLs


def test_setting_off_gives_title_based_urls(edited: tuple[Build, Build, Build]) -> None:
    _, _, titles = edited
    assert "2024/03/09/a-corrected-headline" in pages(titles)
    assert not any(p.endswith("/the-story") for p in pages(titles))


def test_bad_setting_stops_the_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "2024-03-02-x.md")
    build = run_pelican(content, tmp_path / "out", extra={"NEWS_URL_FROM_FILENAME": "yes"})
    assert build.returncode != 0
    assert "NEWS_URL_FROM_FILENAME: expected True or False" in build.log


@pytest.mark.parametrize(
    ("url", "save_as"),
    [
        ("{date:%Y}/{date:%m}/{date:%d}/{slug}/", "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"),
        ("{category}/{slug}.html", "{category}/{slug}.html"),  # named fields beyond date and slug
        ("{date.year}/{slug}/", "{date.year}/{slug}/index.html"),  # str.format's own, whole url_format
        ("{lang}/{path}", "{lang}/{custom}/{slug}.html"),
    ],
)
def test_apply_formats_as_pelican_would_with_the_file_names_date(url: str, save_as: str) -> None:
    """The permalink's URL is the URL settings formatted with Pelican's ``url_format`` and the file
    name's date, whichever fields they name."""
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Category

    from topicfeed.permalinks import PERMALINK_KEY, apply

    settings = {**DEFAULT_CONFIG, "PATH": "/c", "ARTICLE_URL": url, "ARTICLE_SAVE_AS": save_as}
    metadata = {
        "title": "A",
        "slug": "Bosch-bans",
        "date": dt.datetime(2024, 5, 2, 13, 4),
        "category": Category("FT com", settings),
        "custom": "x",
        PERMALINK_KEY: Permalink(dt.date(2021, 4, 10), "Bosch-bans"),
    }
    article = Article("", metadata=metadata, settings=settings, source_path="/c/2021-04-10-Bosch-bans.md")
    fields = {**article.url_format, "date": dt.datetime(2021, 4, 10)}
    apply(article)
    assert article.url == url.format(**fields)
    assert article.save_as == save_as.format(**fields)
