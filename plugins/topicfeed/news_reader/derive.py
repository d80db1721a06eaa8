"""The published news items of a content folder, with their URLs and topic slugs, without
Pelican's article step: the derivation of ``news-items`` for the site model.

A rebuild planned from the site model needs what the reader and its URL step would make of the
folder now: every file's fate, and each published item with its page's URL and file, its date
and its topics' slugs, in the site's order. Here each file's record comes from the item store
as the forked readers find it (:func:`.prefetch.find_record`: a file whose stat is the one
recorded is not even read), and what is parsed is added to the store
(:meth:`.item_store.ItemStore.add`); an item whose reader digest is the one the last model recorded keeps the
URL, file and date recorded with it; any other published item becomes one Pelican ``Article``,
through Pelican's own readers, as in a build, for its URL. Topic slugs are made unique over all
topics by the same function as the build's URL step.

What this does not cover raises :class:`~topicfeed.plugin.Underivable` (build instead): a file
that is not a news item (an ordinary Markdown article) or cannot be read, a rejected news file
in strict mode (``NEWS_STRICT``: the full build fails on it; otherwise it is a fate like any
other, ``rejected``, with its problems), a preview, another
article order than the newest first, two items wanting one page, and a change to an item whose
page name another item had to leave (its URL carries a hash suffix that the build might drop).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pelican.contents import Article
from pelican.readers import Readers

from topicfeed import content_stats, pelican_adapter, permalinks
from topicfeed.items import Story
from topicfeed.model import NewsItem, Problem
from topicfeed.plugin import Underivable
from topicfeed.text import topic_key, unique_topic_slugs

from .duplicates import duplicate_stories
from .item_store import FOLDER, ItemStore, Stored, pickled
from .prefetch import find_record
from .reader import FileParser, NewsReader, store_key

logger = logging.getLogger(__name__)

#: What the last model recorded of a published item (by its file), as a plain tuple:
#: ``(fingerprint, url, save_as, timestamp)``.
Known = tuple[str, str, str, float]


class NewsRead(NamedTuple):
    """The folder now: published items in the site's order, every file's fate, and how many
    items needed an ``Article`` (new or changed)."""

    items: list[Story]
    fates: dict[str, str]
    made: int
    #: Every file's problems, in the files' order: what a build logs of them as it reads.
    problems: tuple[Problem, ...] = ()


#: A slug that ends in a hash suffix (the URL step's way to tell apart items wanting one page).
_SUFFIXED = re.compile(r"-[0-9a-f]{6,40}(?=(/[^/]*)?$)")


def _records(settings: dict[str, Any], files: Sequence[str]) -> list[tuple[str, Any]]:
    """Each file's relative path and record (item or None, problems), from the store or parsed."""
    parser = FileParser(settings)
    store = None
    if settings["NEWS_ITEM_STORE"] and settings.get("CACHE_PATH"):
        store = ItemStore(
            Path(settings["CACHE_PATH"]) / FOLDER, store_key(settings), content_stats.look(settings)
        )
    try:
        found = []
        parsed: dict[str, Stored] = {}
        for source_path in files:
            path = parser.relative(source_path)
            result = find_record(parser, store, source_path)
            if result is None:
                raise Underivable(f"{path}: cannot be read here; the reader says why")
            digest, record, _, was_parsed, damaged, *_ = result
            if record is None:
                raise Underivable(f"{path}: not a news item")
            if was_parsed and not damaged and store is not None:
                parsed[digest] = pickled(record)
            found.append((path, record))
        if parsed and store is not None:
            # Kept, or every later rebuild parses each file changed since the last full build.
            logger.info("news item store: %d news file(s) parsed, %s", len(parsed), store.add(parsed))
        return found
    finally:
        if store is not None:
            store.release()


def _article(settings: dict[str, Any], readers: Readers, path: str, permalink: bool = True) -> Article:
    """The ``Article`` a build makes of one news file, with its permalink applied (unless the
    caller gives it its URL and file itself: ``permalink`` false)."""
    extension = path.rpartition(".")[2]
    if extension not in readers.readers:
        readers.readers[extension] = NewsReader(settings)
    article = readers.read_file(base_path=settings["PATH"], path=path, content_class=Article, context={})
    if permalink:
        permalinks.apply(article)
    return article


#: The readers :func:`make_articles` made last and the settings they were made for: a rebuild
#: makes the articles of each list page it renders in turn (4,214 pages at 100,000 items, one
#: story added), and new readers for each were 0.4 s of each rendering process's time.
_READERS: list[tuple[dict[str, Any], Readers, NewsReader]] = []


def _article_readers(settings: dict[str, Any]) -> tuple[Readers, NewsReader]:
    """Pelican's readers with the news reader for every news extension, without the file stamps
    of a content cache that keeps nothing (a look-up and a store per article, each a ``stat``);
    the same ones again for the same settings, unless they cache what they read."""
    if _READERS and _READERS[0][0] is settings:
        return _READERS[0][1], _READERS[0][2]
    readers = Readers(settings)
    reader = NewsReader(settings)
    for extension in settings["NEWS_FILE_EXTENSIONS"]:
        readers.readers[extension] = reader
    if pelican_adapter.skip_unkept_stamps_of(readers):  # they keep nothing: safe to use again
        _READERS[:] = [(settings, readers, reader)]
    return readers, reader


def _slug_tags(tags: Sequence[Any] | None, story: Story) -> None:
    """Give a story's topic ``tags`` the slugs the site gives its topics (the story's, by topic key)."""
    if tags:
        slugs = {topic_key(name): slug for name, slug in zip(story.topic_names, story.topics, strict=True)}
        for tag in tags:
            tag.slug = slugs[topic_key(tag.name)]


def make_articles(settings: dict[str, Any], stories: Sequence[Story]) -> list[Article]:
    """The Pelican ``Article`` a build makes of each of ``stories`` (derivation of
    ``news-articles``: the articles a page rendered from the site model shows), with the URL,
    file and topic slugs the site gives it (the build's URL step weighs every item for those;
    the story carries its result). Through Pelican's readers, as in a build, but from the
    story's item: the file is not read again."""
    readers, reader = _article_readers(settings)
    base = settings["PATH"]
    articles = []
    for story in stories:
        # Pelican's readers' article for the item, from the reader's answer for it, as read_file
        # would make it; through read_file itself when the adapter cannot tell.
        article = pelican_adapter.article_from_answer(
            readers, base, story.item.source_path, reader.answer(story.item)
        )
        if article is None:
            reader.given = {os.path.abspath(os.path.join(base, story.item.source_path)): story.item}
            article = _article(settings, readers, story.item.source_path, permalink=False)
        _slug_tags(getattr(article, "tags", None), story)
        article.override_url = story.url
        article.override_save_as = story.save_as
        articles.append(article)
    return articles


def listed_articles(settings: dict[str, Any], stories: Sequence[Story]) -> list[dict[str, Any]] | None:
    """What a list page shows of the article :func:`make_articles` makes of each of ``stories``
    (derivation of ``news-listed-articles``): the attributes it has for the reader's headline,
    date, item and topics (slugged as the site slugs them), its URL, file and ``locale_date``,
    without making it (:func:`topicfeed.pelican_adapter.listed_values`); None when these
    settings could give the article other values (make the articles then)."""
    values = pelican_adapter.listed_values(settings)
    if values is None:
        return None
    _, reader = _article_readers(settings)
    listed = []
    for story in stories:
        fields = reader.listed(story.item)
        _slug_tags(fields.get("tags"), story)
        listed.append(values(fields, story.url, story.save_as))
    return listed


def read_news(settings: dict[str, Any], files: Sequence[str], known: Mapping[str, Known]) -> NewsRead:
    """The published items of ``files`` (absolute paths of every news file of the content
    folder) and every file's fate; ``known``: the last model's items by file."""
    if settings["PREVIEW"]:
        raise Underivable("a preview shows unpublished items")
    if settings["ARTICLE_ORDER_BY"] != "reversed-date":
        raise Underivable(f"ARTICLE_ORDER_BY is {settings['ARTICLE_ORDER_BY']!r}")
    fates: dict[str, str] = {}
    published: list[tuple[str, NewsItem]] = []
    found_problems: list[Problem] = []
    for path, (item, problems) in _records(settings, files):
        found_problems.extend(problems)
        if item is None:
            fates[problems[0].path] = "rejected"
            if settings["NEWS_STRICT"]:  # the build fails on it (enforce_strict): let it
                raise Underivable(f"{problems[0].path} is rejected, and NEWS_STRICT fails the build")
        elif item.published:
            fates[item.source_path] = "published"
            published.append((path, item))
        else:
            fates[item.source_path] = "unpublished"
    readers: Readers | None = None
    placed: list[tuple[str, NewsItem, str, str, float]] = []
    kept = set()
    for path, item in published:
        last = known.get(item.source_path)
        if last is not None and last[0] == item.fingerprint:
            placed.append((path, item, last[1], last[2], last[3]))
            kept.add(item.source_path)
            continue
        readers = readers or Readers(settings)
        article = _article(settings, readers, path)
        placed.append((path, item, str(article.url), str(article.save_as), article.date.timestamp()))
    _check_pages(placed, known, kept)
    found_problems.extend(duplicate_stories([item for _, item, *_ in placed]))  # as the build says them
    placed.sort(key=lambda found: (-found[4], found[0]))
    slugs = unique_topic_slugs(topic_key(name) for _, item, *_ in placed for name in item.topics)
    items = [
        Story(
            item,
            url,
            save_as,
            timestamp,
            tuple([slugs[topic_key(name)] for name in item.topics]),
            tuple(item.topics),
        )
        for _, item, url, save_as, timestamp in placed
    ]
    return NewsRead(items, fates, len(placed) - len(kept), tuple(found_problems))


def _check_pages(
    placed: list[tuple[str, NewsItem, str, str, float]], known: Mapping[str, Known], kept: set[str]
) -> None:
    """Refuse what only the build's URL step can settle: two items wanting one page, or an item
    gone or changed whose page another item had to leave (that one's URL might lose its suffix)."""
    taken: dict[str, str] = {}
    for _, item, _url, save_as, _ in placed:
        other = taken.setdefault(save_as, item.source_path)
        if other != item.source_path:
            raise Underivable(f"{item.source_path} and {other} both want {save_as}")
    left = {last[2] for path, last in known.items() if path not in kept}
    if not left:
        return
    for _, item, _url, save_as, _ in placed:
        base = _SUFFIXED.sub("", save_as, count=1)
        if base != save_as and base in left:
            raise Underivable(f"{item.source_path} has the page {save_as} because of {base}, which changed")
