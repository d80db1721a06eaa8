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


def test_date_order_compares_instants_to_the_microsecond_whatever_the_offset() -> None:
    # Equal instants in other zones tie (then the story key decides); dates a microsecond apart
    # keep their order even where a float timestamp can no longer tell them apart (after 2106).
    items = [
        news("a.txt", "2024-01-01T02:00:00+02:00", "https://example.com/z"),
        news("b.txt", "2024-01-01T00:00:00+00:00", "https://example.com/a"),
        news("c.txt", "2023-12-31T23:30:00-01:00", "https://example.com/m"),
        news("d.txt", "9999-01-01T00:00:00.000002+00:00", "https://example.com/b"),
        news("e.txt", "9999-01-01T00:00:00.000001+00:00", "https://example.com/c"),
    ]
    assert items[3].published_at.timestamp() == items[4].published_at.timestamp()
    assert date_order(items) == [1, 0, 2, 4, 3]
    assert date_order(items) == sorted(
        range(5), key=lambda i: (items[i].published_at, items[i].key, items[i].source_path)
    )


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
