"""The three feed formats, as feedgenerator feed classes that take an :class:`Entry`.

Atom and RSS are feedgenerator's own classes with only what they lack added: the Media RSS
thumbnail, the story as a second Atom link (``rel="related"``), a plain-text Atom summary and
non-permalink RSS guids. JSON Feed 1.1 is a small :class:`SyndicationFeed` of its own so that it
goes through Pelican's ``Writer.write_feed`` (and its signals) like the others. All text is
escaped by the XML generator or the JSON encoder; nothing here builds markup from item data.
Each Atom or RSS entry is written by :class:`EntryMarkup` (the same text as feedgenerator's
XML handler, in fewer steps) and copied into the feed's handler.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from .entries import Entry
from .markup import EntryMarkup

MEDIA_NS = "http://search.yahoo.com/mrss/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

#: Discovery ``type`` of each format, as used in ``<link rel="alternate">``.
MIME_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


class _QuickEntries:
    """feedgenerator's ``write_items``, each entry's markup made by :class:`EntryMarkup`."""

    #: The element of one entry: ``entry`` in Atom, ``item`` in RSS.
    entry_element: str

    items: list[dict[str, Any]]
    item_attributes: Callable[[dict[str, Any]], dict[str, str]]
    add_item_elements: Callable[[Any, dict[str, Any]], None]

    def write_items(self, handler: Any) -> None:
        for item in self.items:
            markup = EntryMarkup()
            markup.startElement(self.entry_element, self.item_attributes(item))
            self.add_item_elements(markup, item)
            markup.endElement(self.entry_element)
            handler.ignorableWhitespace(markup.text())  # written as is, as the handler would have


def _thumbnail_attributes(item: dict[str, Any]) -> dict[str, str] | None:
    thumbnail = item.get("thumbnail")
    if thumbnail is None:
        return None
    attributes = {"url": thumbnail.url}
    if thumbnail.width and thumbnail.height:
        attributes.update(width=str(thumbnail.width), height=str(thumbnail.height))
    return attributes


class NewsAtomFeed(_QuickEntries, Atom1Feed):
    """Atom 1.0 (RFC 4287) with Media RSS thumbnails and the story as a related link."""

    entry_element = "entry"

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_entry(self, entry: Entry) -> None:
        self.add_item(
            title=entry.title,
            link=entry.link,
            description=None,
            content=entry.content_html,
            unique_id=entry.id,
            pubdate=entry.published,
            updateddate=entry.updated,
            author_name=entry.author_name or None,
            author_link=entry.author_url,
            categories=entry.categories,
            summary_text=entry.summary or None,
            story_url=entry.story_url,
            story_title=entry.story_title,
            thumbnail=entry.thumbnail,
        )

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("summary_text"):
            handler.addQuickElement("summary", item["summary_text"], {"type": "text"})
        if item.get("story_url"):
            attributes = {"rel": "related", "type": "text/html", "href": item["story_url"]}
            if item.get("story_title"):
                attributes["title"] = item["story_title"]
            handler.addQuickElement("link", "", attributes)
        thumbnail = _thumbnail_attributes(item)
        if thumbnail:
            handler.addQuickElement("media:thumbnail", "", thumbnail)


class NewsRssFeed(_QuickEntries, Rss201rev2Feed):
    """RSS 2.0 with Media RSS thumbnails; guids are the stable entry ids, not permalinks."""

    entry_element = "item"

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_entry(self, entry: Entry) -> None:
        self.add_item(
            title=entry.title,
            link=entry.link,
            description=entry.content_html,
            unique_id=entry.id,
            unique_id_is_permalink=False,
            pubdate=entry.published,
            author_name=entry.author_name or None,
            categories=entry.categories,
            thumbnail=entry.thumbnail,
        )

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        thumbnail = _thumbnail_attributes(item)
        if thumbnail:
            handler.addQuickElement("media:thumbnail", "", thumbnail)


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    content_type = "application/feed+json; charset=utf-8"

    def add_entry(self, entry: Entry) -> None:
        self.add_item(title=entry.title, link=entry.link, description=entry.summary, entry=entry)

    def as_dict(self) -> dict[str, Any]:
        feed: dict[str, Any] = {
            "version": JSON_FEED_VERSION,
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
        }
        if self.feed["feed_url"]:
            feed["feed_url"] = self.feed["feed_url"]
        if self.feed["description"]:
            feed["description"] = self.feed["description"]
        if self.feed["language"]:
            feed["language"] = self.feed["language"]
        if self.feed["author_name"]:
            feed["authors"] = [{"name": self.feed["author_name"]}]
        feed["items"] = [self._item(item["entry"]) for item in self.items]
        return feed

    @staticmethod
    def _item(entry: Entry) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry.link,
            "title": entry.title,
            "content_html": entry.content_html,
        }
        if entry.story_url:
            item["external_url"] = entry.story_url
        if entry.summary:
            item["summary"] = entry.summary
        if entry.thumbnail:
            item["image"] = entry.thumbnail.url
        item["date_published"] = entry.published.isoformat()
        if entry.updated != entry.published:
            item["date_modified"] = entry.updated.isoformat()
        if entry.author_name:
            author = {"name": entry.author_name}
            if entry.author_url:
                author["url"] = entry.author_url
            item["authors"] = [author]
        if entry.categories:
            item["tags"] = list(entry.categories)
        return item

    def write(self, outfile: IO[str], encoding: str) -> None:
        # dumps, not dump: ``json.dump`` encodes in pure Python (its C encoder is for ``dumps``
        # only), twice as slow for the same text.
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")


FEED_CLASSES: dict[str, type[SyndicationFeed]] = {
    "atom": NewsAtomFeed,
    "rss": NewsRssFeed,
    "json": JsonFeed,
}
