"""``topicfeed.items``: the one way to get the news item of an article."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType, SimpleNamespace

from topicfeed.items import ITEM_KEY, PROBLEMS_KEY, item_of, news_articles, problems_of
from topicfeed.model import NewsItem, Problem, build_item


def news(n: int) -> NewsItem:
    item, problems = build_item(
        {
            "title": f"Story {n}",
            "publishedDateTime": f"2024-03-0{n}T10:00:00Z",
            "webUrl": f"https://news.example.com/{n}",
        },
        f"{n}.txt",
    )
    assert item is not None, problems
    return item


def article(metadata: dict) -> SimpleNamespace:
    return SimpleNamespace(metadata=metadata)


def test_item_of_an_article_read_from_a_news_item() -> None:
    item = news(1)
    assert item_of(article({ITEM_KEY: item, "title": "x"})) is item


def test_item_of_metadata_before_the_article_exists() -> None:
    item = news(1)
    assert item_of({ITEM_KEY: item}) is item
    assert item_of(MappingProxyType({ITEM_KEY: item})) is item  # any mapping, not only a dict
    assert item_of(article(MappingProxyType({ITEM_KEY: item}))) is item


def test_no_item_for_anything_else() -> None:
    assert item_of(article({"title": "An ordinary Markdown article"})) is None
    assert item_of(article({ITEM_KEY: "a string another plugin put there"})) is None
    assert item_of(article({ITEM_KEY: {"title": "a raw mapping"}})) is None
    assert item_of(SimpleNamespace()) is None  # no metadata at all
    assert item_of(None) is None
    assert item_of({}) is None


def test_news_articles_keep_the_order_and_skip_other_articles() -> None:
    first, second = news(1), news(2)
    a, b, c = article({ITEM_KEY: second}), article({}), article({ITEM_KEY: first})
    assert news_articles([a, b, c]) == [(a, second), (c, first)]


def test_problems_of() -> None:
    problem = Problem("x.txt", "title", "missing", fatal=True)
    assert problems_of({PROBLEMS_KEY: [problem]}) == [problem]
    assert problems_of({}) == []


def test_no_plugin_reads_the_item_key_itself() -> None:
    """Only the reader writes the metadata keys; everything else asks :func:`item_of`."""
    package = Path(__file__).resolve().parents[2] / "plugins" / "topicfeed"
    allowed = {package / "items.py", package / "news_reader" / "reader.py"}
    readers = re.compile(r"ITEM_KEY|PROBLEMS_KEY|metadata\s*(\.get\(|\[)\s*[\"']news|\.news\b")
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if readers.search(line)
    ]
    assert offenders == []
