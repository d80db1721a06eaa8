"""The digest of what an API document is made of (``keys``): equal digests mean equal bytes.

A document whose digest is on record is linked from the previous build without being encoded, so
a digest that stays the same while the bytes change would publish a stale document. Each test
changes one input of a small site and checks, for every document, that an unchanged digest
means unchanged bytes, and that the documents the change reaches got a new digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from support.api_articles import articles, corpus_items

from topicfeed.json_api import documents as docs
from topicfeed.json_api.encoding import Encoder
from topicfeed.json_api.keys import DocumentKeys

CTX = docs.Context(siteurl="https://news.example.org", page_size=5, locale="en-us", site_name="News")
SALT = b"salt"


def site() -> list[Any]:
    return articles(corpus_items()[:30])


def documents(made: list[Any], ctx: docs.Context = CTX) -> dict[str, tuple[str, bytes]]:
    """Every item document and collection page: path -> (its digest, its bytes)."""
    found = docs.collections(made)
    encoder = Encoder(ctx, made, found)
    keys = DocumentKeys(SALT, encoder.api_paths)
    out = {}
    for article in made:
        path, data = encoder.item(article)
        out[path] = (keys.item(article, found), data)
    for collection in found.values():
        for number in range(1, collection.pages(ctx.page_size) + 1):
            listed = docs.page_articles(collection, number, ctx)
            out[collection.path(number)] = (
                keys.page(collection, number, listed),
                encoder.page(collection, number),
            )
    return out


def replace_item(article: Any, **changes: Any) -> None:
    article.metadata["news"] = dataclasses.replace(article.metadata["news"], **changes)


def linked(made: list[Any]) -> Any:
    """An article some other article shows as related (ours, so its link has an API URL)."""
    for article in made:
        for story in getattr(article, "related_links", ()):
            if story.internal:
                return story
    raise AssertionError("no internal related link")


def edit_excerpt(made: list[Any]) -> None:
    replace_item(made[3], excerpt="Edited: " + made[3].metadata["news"].excerpt)


def edit_title(made: list[Any]) -> None:
    replace_item(made[3], title="A new title")


def edit_date(made: list[Any]) -> None:
    item = made[3].metadata["news"]
    replace_item(made[3], published_at=item.published_at + dt.timedelta(minutes=1))


def edit_related_link(made: list[Any]) -> None:
    story = linked(made)
    renamed = story._replace(title="Renamed related story")
    for article in made:
        for name in ("related_links", "backlinks", "more_coverage"):
            links = getattr(article, name, None)
            if links:
                setattr(article, name, [renamed if s is story else s for s in links])


def drop_an_article(made: list[Any]) -> None:
    del made[7]  # every count, every later page, the links that pointed at its document


def edit_cluster_size(made: list[Any]) -> None:
    made[0].cluster_size = 9


def edit_url(made: list[Any]) -> None:
    made[4].url = "2001/01/01/moved/"


def edit_topics(made: list[Any]) -> None:
    made[2].tags = [*made[2].tags, type(made[2].tags[0])(slug="brand-new", name="Brand new")]


@pytest.mark.parametrize(
    "change",
    [
        edit_excerpt,
        edit_title,
        edit_date,
        edit_related_link,
        drop_an_article,
        edit_cluster_size,
        edit_url,
        edit_topics,
    ],
)
def test_a_document_keeps_its_digest_only_when_it_keeps_its_bytes(
    change: Callable[[list[Any]], None],
) -> None:
    before = documents(site())
    made = site()
    change(made)
    after = documents(made)
    stale = [p for p in after if p in before and after[p][0] == before[p][0] and after[p][1] != before[p][1]]
    assert stale == []
    changed = [p for p in after if p in before and after[p][1] != before[p][1]]
    assert changed and all(after[p][0] != before[p][0] for p in changed)
    untouched = [p for p in after if p in before and after[p][1] == before[p][1]]
    assert any(after[p][0] == before[p][0] for p in untouched)  # not every digest moves


def test_the_same_site_gives_the_same_digests() -> None:
    assert documents(site()) == documents(site())


def test_the_readers_digest_stands_for_the_item() -> None:
    """A read item carries the digest of its file: that is what the entry's digest covers."""
    made = site()
    replace_item(made[3], fingerprint="a")
    before = documents(made)
    replace_item(made[3], fingerprint="b")
    path = docs.item_path(made[3])
    assert documents(made)[path][0] != before[path][0]


def test_the_salt_covers_the_settings() -> None:
    made = site()
    keys = DocumentKeys(SALT, {})
    other = DocumentKeys(SALT + b"!", {})
    found = docs.collections(made)
    assert keys.item(made[0], found) != other.item(made[0], found)


def _shows(article: Any, gone: Any) -> bool:
    """Whether ``article``'s document links to ``gone``'s page (related, backlinks, more coverage)."""
    stories = [
        *getattr(article, "related_links", ()),
        *getattr(article, "backlinks", ()),
        *getattr(article, "more_coverage", ()),
    ]
    return any(story.url == gone.url for story in stories)


def test_an_item_withdrawn_leaves_the_documents_of_its_topics_other_items_alone() -> None:
    """An item's document names its collections without their counts: one item gone (or added)
    changes the counts of its topics and source, not the document of every item in them."""
    made = site()
    gone = made[7]
    before, counted_before = documents(made), docs.collections(made)
    del made[7]
    after, counted_after = documents(made), docs.collections(made)
    topics = {tag.slug for tag in gone.tags}
    neighbours = [
        a
        for a in made
        if topics & {tag.slug for tag in a.tags} and not _shows(a, gone) and not _shows(gone, a)
    ]
    assert len(neighbours) >= 3  # the test needs items that share a topic with it
    for article in neighbours:
        path = docs.item_path(article)
        assert after[path] == before[path], path
    shrunk = [k for k in counted_after if len(counted_after[k].articles) < len(counted_before[k].articles)]
    assert len(shrunk) >= 2  # all news and its topics: their counts did change
