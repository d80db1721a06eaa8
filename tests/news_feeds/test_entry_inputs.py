"""A news article's feed entry is made of its entry inputs alone, so the writer may key feeds by them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from topicfeed.model import Image, NewsItem, Provider
from topicfeed.news_feeds.entries import build_entry, entry_inputs


class Tag:
    def __init__(self, name: str) -> None:
        self.name = name


class OnlyInputs:
    """An article that has its item, URL and topics and nothing else: reading more fails."""

    def __init__(self, item: NewsItem, url: str, topics: tuple[str, ...]) -> None:
        self.metadata = {"news": item}
        self.url = url
        self.tags = [Tag(name) for name in topics]


class FullArticle(OnlyInputs):
    """The same article with what its page shows besides."""

    title = "A headline the page may rewrite"
    related_links = ("another story",)
    summary = "<p>page summary</p>"


def absolute(url: str) -> str:
    return "https://example.org/" + url


ITEM = NewsItem(
    title="Chips <b>and</b> dips",
    excerpt="What happened.",
    published_at=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC),
    url="https://e.org/a",
    provider=Provider("E", "e.org"),
    images=(Image("https://e.org/a.jpg", 640, 480, "a chip"),),
    topics=("Chips",),
)


def test_the_entry_reads_nothing_of_the_article_but_its_inputs() -> None:
    article = OnlyInputs(ITEM, "2024/03/01/chips/", ("Chips", "Food"))
    assert entry_inputs(article) == (ITEM, "2024/03/01/chips/", ("Chips", "Food"))
    entry = build_entry(article, "urn:uuid:x", absolute)  # anything else read: AttributeError
    full = FullArticle(ITEM, "2024/03/01/chips/", ("Chips", "Food"))
    assert build_entry(full, "urn:uuid:x", absolute) == entry
    assert entry.link == "https://example.org/2024/03/01/chips/"
    assert entry.categories == ("Chips", "Food")


def test_every_input_reaches_the_entry() -> None:
    """Each input changed changes the entry: none of them is keyed for nothing."""
    base = build_entry(OnlyInputs(ITEM, "u/", ("Chips",)), "i", absolute)
    changed: list[Any] = [
        OnlyInputs(dataclasses.replace(ITEM, excerpt="Something else."), "u/", ("Chips",)),
        OnlyInputs(ITEM, "v/", ("Chips",)),
        OnlyInputs(ITEM, "u/", ("Dips",)),
    ]
    assert all(build_entry(article, "i", absolute) != base for article in changed)


def test_an_article_without_an_item_has_no_entry_inputs() -> None:
    markdown = type("Markdown", (), {"metadata": {}, "url": "page/"})()
    assert entry_inputs(markdown) is None
