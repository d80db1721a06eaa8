"""News items for the related step's tests: made in memory, with the fields it decides by."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from topicfeed.model import NewsItem, build_item
from topicfeed.related_stories import graph
from topicfeed.related_stories.links import StoryLink

from .items import item_fields


def make(n: int, **overrides: object) -> NewsItem:
    item, problems = build_item(item_fields(n, **overrides), f"{n}.txt")
    assert item is not None, problems
    return item


def entry(url: str, **extra: object) -> dict[str, object]:
    return {"title": f"Entry {url}", "publishedDateTime": "2024-01-01T00:00:00Z", "webUrl": url} | extra


def mixed_feed(count: int = 80, seed: int = 11) -> list[NewsItem]:
    """Items with computed stories, cross-links, backlinks, outside stories and clusters."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    words = "solar wind farm kent prices rise fall power grid storage battery".split()
    topics = ["Energy", "Solar", "Wind", "Grid", "Storage"]
    return [
        make(
            n,
            title=" ".join(rng.sample(words, 4)),
            topics=rng.sample(topics, 2),
            publishedDateTime=f"2024-03-{rng.randrange(1, 28):02d}T{rng.randrange(24):02d}:00:00Z",
            related=[
                entry(f"https://news.example.com/stories/{rng.randrange(count + 20)}")
                for _ in range(rng.randrange(4))
            ],
        )
        for n in range(count)
    ]


def count_links_made(monkeypatch: pytest.MonkeyPatch) -> list[NewsItem]:
    """The items the related step makes a link to from now on, in order (it makes each link
    when a page asks for it, not when it decides)."""
    made: list[NewsItem] = []
    real_story_link = graph.story_link

    def counted(item: NewsItem, url: str | None, timezone: dt.tzinfo) -> StoryLink:
        made.append(item)
        return real_story_link(item, url, timezone)

    monkeypatch.setattr(graph, "story_link", counted)
    return made
