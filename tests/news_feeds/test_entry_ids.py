"""Entry ids are made when asked for, and are the ids the rule gives (see entries.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from types import SimpleNamespace

import pytest

from topicfeed.items import ITEM_KEY
from topicfeed.model import NewsItem, Provider
from topicfeed.news_feeds import entries

FIRST = NewsItem(
    title="Chips",
    excerpt="",
    published_at=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC),
    url="https://e.org/a",
    provider=Provider("E", "e.org"),
    source_path="a.md",
    url_keys=("e.org/a",),
)
REPOST = dataclasses.replace(
    FIRST, title="Chips again", published_at=dt.datetime(2024, 3, 2, tzinfo=dt.UTC), source_path="b.md"
)


def _article(item: NewsItem | None, path: str) -> SimpleNamespace:
    return SimpleNamespace(metadata={ITEM_KEY: item} if item else {}, relative_source_path=path)


def test_ids_are_made_only_when_asked_for_and_follow_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = uuid.uuid5
    monkeypatch.setattr(entries.uuid, "uuid5", lambda space, name: made.append(name) or real(space, name))
    ids = entries.entry_ids([_article(REPOST, "b.md"), _article(FIRST, "a.md"), _article(None, "page.md")])
    assert made == []
    assert sorted(ids) == ["a.md", "b.md", "page.md"] and len(ids) == 3
    key = FIRST.key
    assert ids["a.md"] == f"urn:uuid:{real(uuid.NAMESPACE_URL, key)}"
    assert ids["b.md"] == f"urn:uuid:{real(uuid.NAMESPACE_URL, key + '#2024-03-02T00:00:00+00:00')}"
    assert ids["page.md"] == f"urn:uuid:{real(uuid.NAMESPACE_URL, 'topicfeed:page.md')}"
    assert ids["a.md"] is ids["a.md"]  # made once
    assert len(made) == 3
    with pytest.raises(KeyError):
        ids["c.md"]
