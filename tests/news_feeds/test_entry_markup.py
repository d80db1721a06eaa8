"""Entries are written by ``EntryMarkup`` and reused between consecutive feeds; the text is the same.

feedgenerator's ``SimplerXMLGenerator`` is the reference: every call sequence, and every Atom and
RSS feed, must come out byte for byte as it writes them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from feedgenerator import Atom1Feed, Rss201rev2Feed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator, UnserializableContentError

from topicfeed.feed_format import FeedRequest
from topicfeed.model import Image, NewsItem, Provider
from topicfeed.news_feeds import feed_format
from topicfeed.news_feeds.entries import Entry, Thumbnail
from topicfeed.news_feeds.formats import NewsAtomFeed, NewsRssFeed
from topicfeed.news_feeds.markup import EntryMarkup
from topicfeed.news_feeds.plan import Channel, FeedPlan

#: Text that tests each escaping rule: markup characters, both quotes, white space that
#: attributes must encode, non-ASCII, and an already escaped entity.
AWKWARD = [
    "",
    "plain",
    "Chips & <dips> > salsa",
    'He said "no"',
    "it's",
    """both ' and " quotes""",
    "tab\there, line\nbreak, return\r",
    "café ‘curly’ — 漢字 🙂",
    "&amp; stays escaped once more",
]


def calls(handler: Any, text: str) -> None:
    """One entry's worth of calls, as feedgenerator makes them, with ``text`` everywhere."""
    handler.startElement("entry", {"z": text, "a": "first"} if text else {})
    handler.addQuickElement("title", text)
    handler.addQuickElement("link", "", {"href": f"https://e.org/?q={text}", "rel": "alternate"})
    handler.addQuickElement("empty")
    handler.addQuickElement("none", None, {"title": text})
    handler.startElement("author", {})
    handler.addQuickElement("name", text)
    handler.endElement("author")
    handler.startElement("open", {})
    handler.characters("")
    handler.endElement("open")
    handler.ignorableWhitespace(text)
    handler.endElement("entry")


def reference(write: Callable[[Any], None]) -> str:
    buffer = io.StringIO()
    write(SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True))
    return buffer.getvalue()


def ours(write: Callable[[Any], None]) -> str:
    markup = EntryMarkup()
    write(markup)
    return markup.text()


@pytest.mark.parametrize("text", AWKWARD)
def test_the_markup_is_what_the_sax_handler_writes(text: str) -> None:
    assert ours(lambda handler: calls(handler, text)) == reference(lambda handler: calls(handler, text))


@pytest.mark.parametrize("text", ["bell\x07", "nul\x00", "escape\x1b"])
def test_control_characters_are_refused_as_the_sax_handler_refuses_them(text: str) -> None:
    for write in (ours, reference):
        with pytest.raises(UnserializableContentError):
            write(lambda handler, text=text: handler.addQuickElement("title", text))


def entry(number: int, text: str) -> Entry:
    when = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(hours=number)
    return Entry(
        id=f"urn:uuid:{number:032x}",
        title=f"{text} {number}",
        link=f"https://example.org/2024/03/01/story-{number}/",
        summary=text,
        content_html=f"<p>{text}</p>",
        published=when,
        updated=when + dt.timedelta(minutes=number % 2),
        author_name=text or "Someone",
        author_url="https://e.org/" if number % 2 else None,
        story_url=f"https://e.org/{number}?a=1&b=2",
        story_title=f"{text} (E)" if number % 3 else None,
        thumbnail=Thumbnail("https://e.org/a.jpg", 640, 480)
        if number % 2
        else Thumbnail("https://e.org/b.jpg"),
        categories=("Chips", text) if text else (),
    )


class SaxAtom(NewsAtomFeed):
    write_items = Atom1Feed.write_items


class SaxRss(NewsRssFeed):
    write_items = Rss201rev2Feed.write_items


@pytest.mark.parametrize(("feed_class", "sax_class"), [(NewsAtomFeed, SaxAtom), (NewsRssFeed, SaxRss)])
def test_every_feed_is_what_feedgenerator_writes(feed_class: type, sax_class: type) -> None:
    texts = []
    for cls in (feed_class, sax_class):
        feed = cls(title="T & <t>", link="https://example.org/", description="D", language="en")
        for number, text in enumerate(AWKWARD):
            feed.add_entry(entry(number, text))
        buffer = io.StringIO()
        feed.write(buffer, "utf-8")
        texts.append(buffer.getvalue())
    assert texts[0] == texts[1]
    assert "<title>Chips &amp; &lt;dips&gt; &gt; salsa 2</title>" in texts[0]


# Entries reused between consecutive feeds ------------------------------------------------------


class Tag:
    def __init__(self, name: str) -> None:
        self.name = name


class Article:
    def __init__(self, number: int) -> None:
        item = NewsItem(
            title=f"Story {number}",
            excerpt="What happened.",
            published_at=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC),
            url=f"https://e.org/{number}",
            provider=Provider("E", "e.org"),
            images=(Image("https://e.org/a.jpg", 640, 480, "a chip"),),
            topics=("Chips",),
        )
        self.metadata = {"news": item}
        self.url = f"2024/03/01/story-{number}/"
        self.relative_source_path = f"story-{number}.md"
        self.tags = [Tag("Chips")]


def plan(articles: list[Article]) -> FeedPlan:
    site = Channel("site", "", "Site", "Site", "All", "", articles, {"atom": "all.atom.xml"})
    ids = {article.relative_source_path: f"urn:x:{article.relative_source_path}" for article in articles}
    return FeedPlan(site=site, topics=[], sources=[], ids=ids, feed_domain="https://example.org/")


def request(path: str, feed_type: str, base: str = "https://example.org/") -> FeedRequest:
    return FeedRequest(path, feed_type, None, base + path, lambda url: base + url, {})


def test_an_entry_is_built_once_for_consecutive_feeds_and_not_kept_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[int] = []
    real = feed_format.build_entry

    def counting(article: Any, entry_id: str, absolute: Callable[[str], str]) -> Entry:
        built.append(id(article))
        return real(article, entry_id, absolute)

    monkeypatch.setattr(feed_format, "build_entry", counting)
    articles = [Article(number) for number in range(3)]
    news = feed_format.NewsFeedFormat(plan(articles))

    def write(path: str, feed_type: str, shown: list[Article], base: str = "https://example.org/") -> str:
        asked = request(path, feed_type, base)
        feed = news.create_feed(asked)
        for article in shown:
            assert news.add_entry(feed, article, asked)
        buffer = io.StringIO()
        feed.write(buffer, "utf-8")
        return buffer.getvalue()

    atom = write("a.atom.xml", "atom", articles)
    write("a.rss.xml", "rss", articles)
    write("a.json", "json", articles[:1])
    assert built == [id(a) for a in articles]  # the RSS and JSON feeds took the Atom feed's entries
    write("b.atom.xml", "atom", articles[1:])  # the feed before showed only the first article
    assert built[3:] == [id(a) for a in articles[1:]]
    assert write("c.atom.xml", "atom", articles[1:], base="https://mirror.example/") != atom
    assert built[5:] == [id(a) for a in articles[1:]]  # other links: not the same entries
    assert "https://mirror.example/2024/03/01/story-1/" in write(
        "d.rss.xml", "rss", articles[1:2], "https://mirror.example/"
    )
    assert len(built) == 7
