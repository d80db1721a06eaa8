"""The API's documents written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``api``.

The documents are the build's, made by the same code (:mod:`.documents`, :mod:`.encoding`)
from stand-ins of the site's articles (as :func:`.files.api_articles` makes them) that carry
what an item's document shows of its related stories, backlinks and story cluster: the site's
relations (``related-links``, by position), as the related step hangs them on an article. The
collections are grouped from the stories' plain values, and only the documents asked for are
encoded and written, so only the stories they show become stand-ins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from pelican.urlwrappers import Category

from topicfeed.items import PlainSite, stand_in, topic_tags
from topicfeed.text import source_slug

from . import documents as docs
from .encoding import Encoder
from .writer import Writer, schema_files


class _Made(Sequence[Any]):
    """The stand-ins of some of the site's articles (``positions``), each made when first
    taken (by ``made``: :meth:`_StandIns.at`)."""

    def __init__(self, made: Callable[[int], Any], positions: Sequence[int]) -> None:
        self._made = made
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._made(position) for position in self._positions[index]]
        return self._made(self._positions[index])


class _StandIns:
    """Stand-ins of the site's articles (:func:`.files.api_articles` makes them for a build's
    derivation), made only for the stories a document written shows, each once (the encoder
    keeps what it encoded by the object): a stand-in of every story, with its tags, was 1.1 s of
    a one-item rebuild at 100,000 items, for the few documents it writes.

    Only a story's own document shows its related stories, backlinks and cluster; a page lists
    stories without them. So a stand-in gets them only when its own document is written
    (:meth:`with_relations`): an added story shifts every page of the news collection (4,000
    at 100,000 items), and the links of every story those pages list were made for nothing.
    """

    def __init__(self, site: PlainSite) -> None:
        self.site = site
        self._made: dict[int, Any] = {}
        self._tags: dict[tuple[str, str], Any] = {}
        self._categories: dict[str, Category] = {}

    def at(self, position: int) -> Any:
        found = self._made.get(position)
        if found is None:
            story = self.site.stories[position]
            found = self._made[position] = stand_in(story.item)
            found.url = story.url
            found.tags = [self._tag(pair) for pair in zip(story.topics, story.topic_names, strict=True)]
            found.category = self.category(story.item.category)
        return found

    def with_relations(self, position: int) -> Any:
        """:meth:`at`, with what the related step hangs on the article for its own document."""
        found = self.at(position)
        relations = self.site.products["related-links"][position]
        found.related_links = relations.related
        found.backlinks = relations.backlinks
        found.more_coverage = relations.more_coverage
        found.cluster_size = relations.cluster_size
        return found

    def _tag(self, pair: tuple[str, str]) -> Any:
        found = self._tags.get(pair)
        if found is None:  # as :func:`topicfeed.items.topic_tags` makes them, by spelling
            ((found,),) = topic_tags([[pair]], self.site.settings, by_spelling=True)
            self._tags[pair] = found
        return found

    def category(self, name: str) -> Category:
        found = self._categories.get(name)
        if found is None:
            found = self._categories[name] = Category(name, self.site.settings)
        return found


def write_api_from_model(
    site: PlainSite, articles: Any, context: Mapping[str, Any], paths: Collection[str], folder: Path
) -> set[str]:
    """Write the API documents among ``paths`` into ``folder``; the ones written."""
    settings = site.settings
    wanted = {path for path in paths if path.startswith(f"{docs.ROOT}/")}
    if not settings["API"] or not wanted:
        return set()
    stories = site.stories
    made = _StandIns(site)
    topics: dict[str, tuple[list[int], Counter[str]]] = {}
    sources: dict[str, tuple[list[int], Counter[str]]] = {}
    item_paths = []
    for position, story in enumerate(stories):
        for slug, name in zip(story.topics, story.topic_names, strict=True):
            listed, names = topics.setdefault(slug, ([], Counter()))
            listed.append(position)
            names[name] += 1
        provider = story.item.provider
        listed, names = sources.setdefault(source_slug(provider.domain), ([], Counter()))
        listed.append(position)
        names[provider.name] += 1
        item_paths.append(docs.item_path_of(story.url, made.category(story.item.category).slug or ""))
    found = docs.collections_of(
        _Made(made.at, range(len(stories))),
        {slug: (_Made(made.at, listed), names) for slug, (listed, names) in topics.items()},
        {slug: (_Made(made.at, listed), names) for slug, (listed, names) in sources.items()},
    )
    ctx = docs.context(settings)
    encoder = Encoder(
        ctx, (), found, {story.url: path for story, path in zip(stories, item_paths, strict=True)}
    )
    writer = Writer(folder, folder)
    for position, path in enumerate(item_paths):
        if path in wanted:
            writer.write(*encoder.item(made.with_relations(position)))
    encoder.release_links()
    for collection in found.values():
        for number in range(1, collection.pages(ctx.page_size) + 1):
            if collection.path(number) in wanted:
                writer.write(collection.path(number), encoder.page(collection, number))
    documents = [
        docs.list_document(kind, (c for c in found.values() if c.kind == kind), ctx)
        for kind in ("topic", "source")
    ]
    documents.append(docs.index_document(found, ctx))
    for path, document in documents:
        if path in wanted:
            writer.write(path, docs.dumps(document))
    for name, data in schema_files().items():
        path = f"{docs.ROOT}/schema/{name}"
        if path in wanted:
            writer.write(path, data)
    return set(writer.written)
