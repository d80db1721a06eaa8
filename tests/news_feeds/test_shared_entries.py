"""An entry is made and written once a build and shared by every feed that lists it.

The shared text must be exactly what feedgenerator writes for the entry in each feed, and an
entry must be shared only where it is the same: same story, same feed type, same site URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from feedgenerator import Atom1Feed, Rss201rev2Feed

from topicfeed.feed_format import FeedRequest
from topicfeed.model import Image, NewsItem, Provider
from topicfeed.news_feeds.entries import build_entry
from topicfeed.news_feeds.feed_format import NewsFeedFormat
from topicfeed.news_feeds.formats import FEED_CLASSES, NewsAtomFeed, NewsRssFeed, SharedEntries
from topicfeed.news_feeds.plan import Channel, FeedPlan


class Tag:
    def __init__(self, name: str) -> None:
        self.name = name


class Article:
    """What an entry reads of an article: its item, URL, topics and source path."""

    def __init__(self, item: NewsItem, url: str, topics: tuple[str, ...], path: str) -> None:
        self.metadata = {"news": item}
        self.url = url
        self.tags = [Tag(name) for name in topics]
        self.relative_source_path = path


BASE = NewsItem(
    title="Chips <b>and</b> dips & \"quotes\" 'both'",
    excerpt="What happened, in <short> & sweet.\nA second line, é and 中文.",
    published_at=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    url='https://e.org/a?x=1&y="2"',
    provider=Provider('E & Sons "Ltd"', "e.org"),
    images=(Image("https://e.org/a.jpg?w=1&h=2", 640, 480, "a 'chip'"),),
    topics=("Chips",),
)
ARTICLES = [
    Article(BASE, "2024/03/01/chips/", ("Chips", "Food & Drink"), "a.md"),
    Article(
        dataclasses.replace(BASE, title="No picture", images=(), excerpt="", url="https://f.org/b"),
        "2024/03/02/b/",
        (),
        "b.md",
    ),
    Article(
        dataclasses.replace(BASE, title="A picture of no size", images=(Image("https://g.org/c.png"),)),
        "2024/03/03/c/",
        ("Chips",),
        "c.md",
    ),
]


def absolute(url: str) -> str:
    return "https://example.org/news/" + url


class AtomAsFeedgenerator(NewsAtomFeed):
    write_items = Atom1Feed.write_items


class RssAsFeedgenerator(NewsRssFeed):
    write_items = Rss201rev2Feed.write_items


def _feed(kind: type[SharedEntries], **kwargs: Any) -> SharedEntries:
    return kind(
        title="Feed",
        link="https://example.org/news/",
        description="d",
        feed_url="https://example.org/news/feeds/all.atom.xml",
        language="en",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("ours", "reference"), [(NewsAtomFeed, AtomAsFeedgenerator), (NewsRssFeed, RssAsFeedgenerator)]
)
def test_shared_entries_are_written_as_feedgenerator_writes_them(
    ours: type[SharedEntries], reference: type[SharedEntries]
) -> None:
    entries = [build_entry(article, f"urn:uuid:{n}", absolute) for n, article in enumerate(ARTICLES)]
    texts: dict[int, Any] = {}
    maker = _feed(ours, texts=texts)
    items = [maker.entry_item(entry) for entry in entries]
    assert maker.items == []
    # Two feeds list the same items, in other orders: the second copies the first one's texts.
    for order in ([0, 1, 2], [2, 0], [1, 2, 0, 1]):
        shared = _feed(ours, texts=texts)
        expected = _feed(reference)
        for n in order:
            shared.add_shared(items[n])
            expected.add_entry(entries[n])
        assert shared.writeString("utf-8") == expected.writeString("utf-8")
    assert len(texts) == len(items)  # each element written once


def test_a_json_feed_of_shared_items_is_its_feed_of_entries() -> None:
    entries = [build_entry(article, f"urn:uuid:{n}", absolute) for n, article in enumerate(ARTICLES)]
    maker = _feed(FEED_CLASSES["json"])
    shared, expected = _feed(FEED_CLASSES["json"]), _feed(FEED_CLASSES["json"])
    for entry in entries:
        shared.add_shared(maker.entry_item(entry))
        expected.add_entry(entry)
    assert json.loads(shared.writeString("utf-8")) == json.loads(expected.writeString("utf-8"))
    assert shared.writeString("utf-8") == expected.writeString("utf-8")


def _request(feed_type: str, site: str) -> FeedRequest:
    return FeedRequest(
        path=f"feeds/all.{feed_type}",
        feed_type=feed_type,
        feed_title=None,
        feed_url=site + f"feeds/all.{feed_type}",
        absolute=lambda url: site + url,
        context={"SITENAME": "Site"},
    )


def test_an_entry_is_shared_only_by_feeds_of_its_type_and_site_url() -> None:
    channel = Channel("site", "all", "All", "All", "d", "", ARTICLES, {})
    ids = {article.relative_source_path: f"urn:uuid:{n}" for n, article in enumerate(ARTICLES)}
    feed_format = NewsFeedFormat(FeedPlan(site=channel, topics=[], sources=[], ids=ids, feed_domain=""))
    here, there = "https://example.org/", "https://mirror.example.net/x/"

    def written(feed_type: str, site: str) -> tuple[SharedEntries, list[dict[str, Any]]]:
        request = _request(feed_type, site)
        feed = feed_format.create_feed(request)
        for article in ARTICLES:
            assert feed_format.add_entry(feed, article, request)
        return feed, feed.items

    atom, atom_items = written("atom", here)
    again, again_items = written("atom", here)
    assert all(a is b for a, b in zip(atom_items, again_items, strict=True))
    assert again.writeString("utf-8") == atom.writeString("utf-8")
    _, rss_items = written("rss", here)
    assert not any(a is b for a, b in zip(atom_items, rss_items, strict=True))
    moved, moved_items = written("atom", there)
    assert [item["link"] for item in moved_items] == [there + article.url for article in ARTICLES]
    assert there + ARTICLES[0].url in moved.writeString("utf-8")

    feed_format.forget()
    _, fresh_items = written("atom", here)
    assert not any(a is b for a, b in zip(atom_items, fresh_items, strict=True))
    assert [item["link"] for item in fresh_items] == [item["link"] for item in atom_items]
