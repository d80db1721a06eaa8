"""The API's bytes: each part encoded once per build and spliced into every document holding it.

An entry is listed on several pages (all news, each of its topics, its source), a related story
appears in the documents of many items, a collection's link in each of its items' documents.
Encoding each document whole with ``json.dumps`` encodes these parts again every time; at 10,000
items that was most of the step. So the parts are encoded once, by the same encoder as
:func:`.documents.dumps`, and documents are put together from that text.

The parts are encoded by orjson, which writes the text :data:`.documents.ENCODER` writes for
what documents hold (text, integers, booleans, null, lists and objects with text keys: sorted
keys, no spaces, UTF-8 unescaped, the same escapes) in about 60% of its time (an entry of the
corpus: 10.4 us against 16.8). Documents hold
no floats (orjson writes ``1e-7`` where json writes ``1e-07``) and no integer beyond 64 bits
(orjson refuses it); the tests hold the result to the json module's bytes.

This gives the same bytes because the encoder sorts keys and writes no spaces: a JSON object is
``{`` + its members (``"key":value``) in key order, joined by ``,`` + ``}``, and a list is its
items joined by ``,`` in brackets. An object whose members come from elsewhere is encoded in
*runs* (its own members between two spliced keys) and the runs and spliced members are joined in
key order. The tests hold every document to ``dumps`` of the reference dicts of
:mod:`.documents`, byte for byte.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from . import documents as docs


def _encoded(value: Any) -> bytes:
    """``value`` as :data:`.documents.ENCODER` writes it, in UTF-8, in an object of its size.

    orjson hands back its working buffer, which it sizes for the worst case and does not
    shrink: 4 KB for the shortest text, 16 KB for an entry of 1.5 KB. These texts are kept to
    the end of the step (:meth:`Encoder._entry`), so each is copied into an object of its own
    size (a copy of 1.5 KB is about 0.1 us): at 100,000 items, one story added (every page of
    all news written again), the build's peak went from 2,207 to 1,831 MB, and 10 MB instead of
    45 MB at 10,000 items.
    """
    return bytes(memoryview(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)))


def _encode(value: Any) -> str:
    """``value`` as :data:`.documents.ENCODER` writes it."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def _member_key(name: str) -> str:
    return _encode(name) + ":"


def runs(value: dict[str, Any], cuts: Sequence[str]) -> list[str]:
    """``value``'s members as JSON text in ``len(cuts) + 1`` runs, for splicing at ``cuts``.

    Run ``i`` holds the members whose keys sort before ``cuts[i]`` (and not before ``cuts[i-1]``);
    an empty run is ``""``. ``cuts`` are sorted and none is a key of ``value``.
    """
    keys = sorted(value)
    out = []
    start = 0
    for end in [bisect_left(keys, cut) for cut in cuts] + [len(keys)]:
        # The encoder's text of the sub-object without its braces: its members, in key order.
        out.append(_encode({key: value[key] for key in keys[start:end]})[1:-1] if end > start else "")
        start = end
    return out


def splice(own: list[str], spliced: Sequence[str]) -> str:
    """An object from its own runs (see :func:`runs`) and the members spliced between them."""
    parts = [own[0]]
    for member, run in zip(spliced, own[1:], strict=True):
        parts += (member, run)
    return "{" + ",".join(part for part in parts if part) + "}"


def array(texts: Sequence[str]) -> str:
    return "[" + ",".join(texts) + "]"


def _bytes(text: str) -> bytes:
    return (text + "\n").encode("utf-8")


_EXTRA_KEYS = [_member_key(name) for name in docs.ITEM_EXTRAS]
_VALUE_KEY = _member_key("value")
_MORE_COVERAGE_KEY = _member_key("moreCoverage")


#: Encoded links kept at once (the memo is emptied when full). Few links are shown by more than
#: one document: on the 10,000-item set an unbounded memo encoded 44,250 links and this one
#: 44,508, while keeping every link to the end of the items held some 46 MB of that build's
#: 274 MB peak of Python objects.
LINKS_KEPT = 8192


class Encoder:
    """One build's documents as bytes, each entry, story link and collection link encoded once."""

    def __init__(
        self,
        ctx: docs.Context,
        articles: Sequence[Any],
        collections: dict[str, docs.Collection],
        api_paths: dict[str, str] | None = None,
    ):
        """``api_paths``: every article's document path by its URL, when the articles are not
        all at hand (a rebuild from the site model makes only those it writes)."""
        assert list(docs.ITEM_EXTRAS) == sorted(docs.ITEM_EXTRAS)
        self.ctx = ctx
        self.collections = collections
        #: Each article's document path, by ``id`` (the articles live for the whole build).
        self.paths: dict[int, str] = {}
        #: Article URL -> document path: how a related story's link finds its document.
        self.api_paths: dict[str, str] = {} if api_paths is None else api_paths
        for article in articles:
            url = str(article.url)
            self.paths[id(article)] = self.api_paths[url] = docs.item_path(article)
        #: ``id`` -> the article's entry as a page lists it, as UTF-8. Only the joined text is
        #: kept (its runs are made again for the item's own document, which is written once): at
        #: 100,000 items the runs were another 150 MB held to the end of the step. Bytes, not
        #: ``str``: one curly quote in a title made Python hold the whole entry at two bytes a
        #: character, and these entries were the step's peak (18 MB at 10,000 items, 11 as bytes,
        #: counted by their length: :func:`_encoded` keeps them at it).
        self._entries: dict[int, bytes] = {}
        #: ``id`` -> (the story link, its text): related_stories hands the same link object to
        #: every item that shows it; holding it keeps its ``id`` from being reused.
        self._links: dict[int, tuple[Any, str]] = {}
        self._collection_links: dict[str, str] = {}

    def _runs(self, article: Any) -> list[str]:
        """An article's entry cut where the item's own document splices in its extras."""
        return runs(docs.entry(article, self.ctx), docs.ITEM_EXTRAS)

    def _entry(self, article: Any, own: list[str] | None = None) -> bytes:
        """An article's entry as a page lists it, as UTF-8 (from ``own``, its runs, when at hand)."""
        found = self._entries.get(id(article))
        if found is None:
            if own is None:  # an entry holds none of the keys its runs are cut at: encoded whole,
                # it is the text of its runs joined (half the time: a rebuild's list pages)
                found = _encoded(docs.entry(article, self.ctx))
            else:
                found = ("{" + ",".join(run for run in own if run) + "}").encode("utf-8")
            self._entries[id(article)] = found
        return found

    def release_links(self) -> None:
        """Forget the encoded links once every item document is done (pages show none)."""
        self._links.clear()

    def _link(self, story: Any) -> str:
        found = self._links.get(id(story))
        if found is None:
            if len(self._links) >= LINKS_KEPT:
                self._links.clear()
            found = self._links[id(story)] = (story, _encode(docs.link(story, self.ctx, self.api_paths)))
        return found[1]

    def _links_of(self, stories: Sequence[Any]) -> str:
        return array([self._link(story) for story in stories])

    def _collection_link(self, key: str) -> str:
        found = self._collection_links.get(key)
        if found is None:
            found = self._collection_links[key] = _encode(self.collections[key].link(self.ctx))
        return found

    def item(self, article: Any) -> tuple[str, bytes]:
        """An item's own document (:func:`.documents.item_document`): (path, bytes)."""
        own = self._runs(article)
        self._entry(article, own)  # the pages that list it take it from here
        extras = docs.item_extras(article)
        named = [key for key in extras.collections if key in self.collections]
        collections = array([self._collection_link(key) for key in named])
        more_coverage = _MORE_COVERAGE_KEY + self._links_of(extras.more_coverage)
        cluster = splice(runs({"size": extras.cluster_size}, ["moreCoverage"]), [more_coverage])
        spliced = (self._links_of(extras.backlinks), cluster, collections, self._links_of(extras.related))
        text = splice(own, [key + value for key, value in zip(_EXTRA_KEYS, spliced, strict=True)])
        path = self.paths.get(id(article))
        return path if path is not None else docs.item_path(article), _bytes(text)

    def page(self, collection: docs.Collection, number: int) -> bytes:
        """Page ``number`` of a collection (as :func:`.documents.pages` composes it)."""
        head = docs.page_head(collection, number, self.ctx)
        listed = docs.page_articles(collection, number, self.ctx)
        value = b"[" + b",".join([self._entry(article) for article in listed]) + b"]"
        # splice() in UTF-8: the encoding of a join is the join of the encodings.
        before, after = (run.encode("utf-8") for run in runs(head, ["value"]))
        member = _VALUE_KEY.encode("utf-8") + value
        return b"{" + b",".join(part for part in (before, member, after) if part) + b"}\n"

    def pages(self, collection: docs.Collection) -> Iterator[tuple[str, bytes]]:
        """Every page of a collection (:func:`.documents.pages`): (path, bytes)."""
        for number in range(1, collection.pages(self.ctx.page_size) + 1):
            yield collection.path(number), self.page(collection, number)
