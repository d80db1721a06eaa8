"""``topicfeed.stories``: the one deterministic order and the story index."""

from __future__ import annotations

from topicfeed.model import NewsItem, build_item
from topicfeed.stories import date_order, story_index


def news(path: str, when: str, url: str, **extra: object) -> NewsItem:
    item, problems = build_item({"title": path, "publishedDateTime": when, "webUrl": url, **extra}, path)
    assert item is not None, problems
    return item


def test_date_order_breaks_ties_by_story_key_then_file() -> None:
    items = [
        news("c.txt", "2024-01-02T00:00:00Z", "https://example.com/a"),
        news("b.txt", "2024-01-01T00:00:00Z", "https://example.com/z"),
        news("a.txt", "2024-01-02T00:00:00Z", "https://example.com/a"),
        news("d.txt", "2024-01-01T00:00:00Z", "https://example.com/b"),
    ]
    assert date_order(items) == [3, 1, 2, 0]


def test_every_spelling_finds_the_earliest_item_of_a_story() -> None:
    items = [
        news("later.txt", "2024-01-02T00:00:00Z", "https://www.example.com/story?utm_source=x"),
        news(
            "first.txt",
            "2024-01-01T00:00:00Z",
            "https://example.com/story/",
            ampWebUrl="https://example.com/story/amp",
        ),
    ]
    index = story_index(items, date_order(items))
    assert index["example.com/story"] == 1
    assert index["example.com/story/amp"] == 1
    assert set(index) == {"example.com/story", "example.com/story/amp"}
