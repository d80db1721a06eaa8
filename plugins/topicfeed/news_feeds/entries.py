"""Feed entries: what a reader sees of one article, and the id it remembers it by.

Entry ids are what readers use to decide whether an entry is new, so they are derived from the
story itself and nothing else: not from ``SITEURL``, the slug, the date format or the theme.
The rule (documented in the README):

- a news item's id is ``urn:uuid:`` + UUIDv5 in the URL namespace of its story key
  (``NewsItem.key``, the normalised story URL, e.g. ``ft.com/content/db8b...``);
- when several published items share a story key (the exporter re-posts a story under a new
  headline), the earliest keeps that id and each later one is told apart by its own instant:
  UUIDv5 of ``{key}#{published_at in UTC, ISO 8601}``;
- an ordinary Markdown article (no story) uses UUIDv5 of ``topicfeed:{source path}``.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import nh3

from topicfeed.items import item_of
from topicfeed.urls import clean_url


def _uuid_urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


class EntryIds(Mapping[str, str]):
    """Entry ids by source path, each made when first asked for: a plan names every article's
    id, but a build shows at most ``FEED_MAX_ITEMS`` a feed, and a rebuild from the site model
    writes a few feeds (a UUID costs 6 us: 0.6 s at 100,000 items, in the plan made twice)."""

    __slots__ = ("_made", "_names")

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names
        self._made: dict[str, str] = {}

    def __getitem__(self, path: str) -> str:
        made = self._made.get(path)
        if made is None:
            made = self._made[path] = _uuid_urn(self._names[path])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def entry_ids(articles: Iterable[Any]) -> EntryIds:
    """The entry id of every article, keyed by its source path; see the module docstring.

    (Keyed by source path, not ``id(article)``: the plan is part of what pages read, and must
    be the same from one build to the next for the incremental writer to recognise unchanged pages.)
    """
    names: dict[str, str] = {}
    by_key: dict[str, list[tuple[dt.datetime, str, Any]]] = defaultdict(list)
    for article in articles:
        item = item_of(article)
        if item is None:
            names[article.relative_source_path] = f"topicfeed:{article.relative_source_path}"
        else:
            by_key[item.key].append((item.published_at, item.source_path, article))
    for key, group in by_key.items():
        group.sort(key=lambda entry: (entry[0], entry[1]))
        taken: set[str] = set()
        for index, (published_at, source_path, article) in enumerate(group):
            name = key if index == 0 else f"{key}#{published_at.astimezone(dt.UTC).isoformat()}"
            if name in taken:  # same story, same instant: the file name tells them apart
                name = f"{name}#{source_path}"
            taken.add(name)
            names[article.relative_source_path] = name
    return EntryIds(names)


@dataclass(frozen=True, slots=True)
class Thumbnail:
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """Everything the Atom, RSS and JSON writers need for one article; text fields are plain text."""

    id: str
    title: str
    link: str
    summary: str
    content_html: str
    published: dt.datetime
    updated: dt.datetime
    author_name: str
    author_url: str | None = None
    story_url: str | None = None
    story_title: str | None = None
    thumbnail: Thumbnail | None = None
    categories: tuple[str, ...] = ()


def _content_html(item: Any, title: str) -> str:
    """The entry body: lead image, excerpt and a link to the story, built from escaped text."""
    parts = []
    if item.image is not None:
        size = ""
        if item.image.width and item.image.height:
            size = f' width="{item.image.width}" height="{item.image.height}"'
        alt = html.escape(item.image.title or title)
        parts.append(f'<p><img src="{html.escape(item.image.url)}" alt="{alt}"{size}></p>')
    if item.excerpt:
        parts.append(f"<p>{html.escape(item.excerpt)}</p>")
    parts.append(f'<p><a href="{html.escape(item.url)}">Read at {html.escape(item.provider.name)}</a></p>')
    return "\n".join(parts)


def safe_html(markup: str) -> str:
    """Markdown articles are author-written HTML: no script, iframe or other active content."""
    return nh3.clean(markup, url_schemes={"http", "https", "mailto"})


def plain_text(markup: str) -> str:
    """The text of an HTML fragment (every tag dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(nh3.clean(markup, tags=set())).split())


def _topic_names(article: Any) -> tuple[str, ...]:
    """The names of ``article``'s topics: an entry's categories, and part of its inputs."""
    return tuple(str(tag.name) for tag in getattr(article, "tags", None) or ())


def entry_inputs(article: Any) -> tuple[Any, ...] | None:
    """All of a news article that :func:`build_entry` reads: its item, its URL and its topics'
    names (None for any other article: its entry reads the article's content).

    The item stands for every field the entry takes from it (an item digests as the digest of
    the file it was read from). Kept next to :func:`build_entry`: a field that function starts
    reading from the article belongs here too, or an edited feed would keep its old file.
    """
    item = item_of(article)
    if item is None:
        return None
    return item, str(article.url), _topic_names(article)


def build_entry(article: Any, entry_id: str, absolute: Callable[[str], str]) -> Entry:
    """The feed entry of ``article``; ``absolute`` turns a site-relative URL into a full one."""
    item = item_of(article)
    link = absolute(article.url)
    categories = _topic_names(article)
    if item is None:
        title = str(article.title)
        content = safe_html(article.get_content(absolute("")))
        summary = plain_text(str(getattr(article, "summary", "") or ""))
        author = getattr(article, "author", None)
        return Entry(
            id=entry_id,
            title=title,
            link=link,
            summary=summary,
            content_html=content,
            published=article.date,
            updated=getattr(article, "modified", None) or article.date,
            author_name=str(author.name) if author else "",
            categories=categories,
        )
    image = item.image
    return Entry(
        id=entry_id,
        title=item.title,
        link=link,
        summary=item.excerpt,
        content_html=_content_html(item, item.title),
        published=item.published_at,
        updated=item.published_at,
        author_name=item.provider.name,
        author_url=clean_url(f"https://{item.provider.domain}/") if item.provider.domain else None,
        story_url=item.url,
        story_title=f"{item.title} ({item.provider.name})",
        thumbnail=Thumbnail(image.url, image.width, image.height) if image else None,
        categories=categories,
    )
