"""What each API document is made of, as a digest: a document whose digest is on record for its
unchanged previous file is linked without being encoded.

Encoding every item document and every page again on each build cost most of the API step when
one item had changed. A document is a function of a few inputs, all digested here from plain
data (never from the encoded text):

- an *entry* (an item as a page lists it, the core of its own document): the item
  (:class:`~topicfeed.model.NewsItem`), the article's URL and its category's slug;
- an item's document: its entry, its collections (kind, name, slug, path; no counts), its
  related stories, backlinks and more coverage (each link's fields that
  :func:`.documents.link` shows, and the API path it points to) and its cluster size;
- a page of a collection: the collection's name, kind, slug, folder and size, the page number and
  the entries it lists.

Each article's entry digest is made once per build and shared by its own document and every page
that lists it; each link's by every document that shows it. Everything else a document depends
on (the settings in :class:`~.documents.Context`, the code that shapes documents, the Python
version, whose JSON encoder writes them) is in the salt of every digest.

An item is digested by the digest the reader gave it (``NewsItem.fingerprint``: the file it was
read from, its path and the reader's settings), as the fast writer does. Other values are digested
by pickling them (the item and links are frozen plain data): equal pickles
mean equal values, so equal digests never hide a change; a value that pickles differently
although equal only costs encoding that document again.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from topicfeed.source_files import update_with_files

from . import documents as docs
from .encoding import LINKS_KEPT

#: Bumped when what a digest covers changes (so no older record is trusted).
KEYS_VERSION = 1
#: The code a document's bytes depend on: the whole Topicfeed package (the model, the text helpers,
#: this plugin), as the fast writer salts its keys.
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def code_salt(ctx: docs.Context) -> bytes:
    """What every document depends on besides its inputs: the settings, the code, Python."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"json_api keys {KEYS_VERSION};{sys.version};".encode())
    digest.update(pickle.dumps(ctx, protocol=5))
    update_with_files(digest, PACKAGE_DIR, (".py",))
    return digest.digest()


class DocumentKeys:
    """Digests of the documents of one build (hex), each part digested once."""

    def __init__(self, salt: bytes, api_paths: dict[str, str]) -> None:
        self.salt = salt
        self.api_paths = api_paths
        #: ``id`` -> (the object, its digest); the object is held so its ``id`` stays its own.
        self._entries: dict[int, tuple[Any, bytes]] = {}
        self._links: dict[int, tuple[Any, bytes]] = {}
        self._collection_links: dict[str, bytes] = {}

    def _hash(self, *parts: bytes) -> bytes:
        digest = hashlib.blake2b(self.salt, digest_size=16)
        for part in parts:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.digest()

    def entry(self, article: Any) -> bytes:
        """The digest of an article's entry (:func:`.documents.entry`)."""
        found = self._entries.get(id(article))
        if found is None:
            category = getattr(getattr(article, "category", None), "slug", "") or ""
            item = docs.item_of(article)
            # The reader's digest of what the item was read from stands for the item (the code
            # that reads it is in the salt); an item without one is digested whole.
            shown = item.fingerprint or item
            data = pickle.dumps((shown, str(article.url), str(category)), protocol=5)
            found = self._entries[id(article)] = (article, self._hash(b"entry", data))
        return found[1]

    def _link(self, story: Any) -> bytes:
        found = self._links.get(id(story))
        if found is None:
            # What :func:`.documents.link` shows, as text: ``repr`` of a tuple of strings, bools
            # and None gives each value unambiguously, several times faster than pickling.
            shown = (
                story.title,
                story.provider,
                story.domain,
                story.date.isoformat(),
                story.key,
                story.url,
                bool(story.internal),
                bool(story.computed),
                self.api_paths.get(story.url),
            )
            # The text itself, one line (``repr`` escapes newlines): hashed with the document.
            data = repr(shown).encode("utf-8", "surrogatepass") + b"\n"
            if len(self._links) >= LINKS_KEPT:  # as the encoder's memo (encoding.LINKS_KEPT)
                self._links.clear()
            found = self._links[id(story)] = (story, data)
        return found[1]

    def release_links(self) -> None:
        """Forget the link digests once every item document is done (pages show no links)."""
        self._links.clear()

    def _links_of(self, stories: Sequence[Any]) -> bytes:
        return b"".join([self._link(story) for story in stories])

    def _collection_link(self, key: str, collection: docs.Collection) -> bytes:
        """What an item's document shows of a collection (:meth:`.documents.Collection.link`):
        no count, so an item added to a topic leaves the other items' documents alone."""
        found = self._collection_links.get(key)
        if found is None:
            shape = (key, collection.kind, collection.slug, collection.name, collection.base)
            found = self._collection_links[key] = self._hash(b"collection", pickle.dumps(shape, protocol=5))
        return found

    def item(self, article: Any, collections: dict[str, docs.Collection]) -> str:
        """The digest of an item's own document (:func:`.documents.item_document`)."""
        extras = docs.item_extras(article)
        shown = b"".join(
            [self._collection_link(key, collections[key]) for key in extras.collections if key in collections]
        )
        return self._hash(
            b"item",
            self.entry(article),
            shown,
            self._links_of(extras.related),
            self._links_of(extras.backlinks),
            self._links_of(extras.more_coverage),
            str(extras.cluster_size).encode(),
        ).hex()

    def page(self, collection: docs.Collection, number: int, listed: Sequence[Any]) -> str:
        """The digest of page ``number`` of a collection (:func:`.documents.pages`), listing ``listed``."""
        shape = (collection.kind, collection.slug, collection.name, collection.base, len(collection.articles))
        return self._hash(
            b"page",
            pickle.dumps((shape, number), protocol=5),
            b"".join([self.entry(article) for article in listed]),
        ).hex()
