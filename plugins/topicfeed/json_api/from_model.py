"""The API's documents written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``api``.

The documents are the build's, made by the same code (:mod:`.documents`, :mod:`.encoding`)
from stand-ins of the site's articles (:func:`.files.api_articles`) that carry what an item's
document shows of its related stories, backlinks and story cluster: the site's relations
(``related-links``, by position), as the related step hangs them on an article. Only the
documents asked for are encoded and written.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from topicfeed.items import PlainSite

from . import documents as docs
from .encoding import Encoder
from .files import api_articles
from .writer import Writer, schema_files


def write_api_from_model(
    site: PlainSite, articles: Any, context: Mapping[str, Any], paths: Collection[str], folder: Path
) -> set[str]:
    """Write the API documents among ``paths`` into ``folder``; the ones written."""
    settings = site.settings
    wanted = {path for path in paths if path.startswith(f"{docs.ROOT}/")}
    if not settings["API"] or not wanted:
        return set()
    stories = site.stories
    stand_ins = api_articles(
        [s.item for s in stories],
        [s.url for s in stories],
        [s.topics for s in stories],
        [s.topic_names for s in stories],
        settings,
    )
    for article, relations in zip(stand_ins, site.products["related-links"], strict=True):
        article.related_links = relations.related
        article.backlinks = relations.backlinks
        article.more_coverage = relations.more_coverage
        article.cluster_size = relations.cluster_size
    ctx = docs.context(settings)
    found = docs.collections(stand_ins)
    encoder = Encoder(ctx, stand_ins, found)
    writer = Writer(folder, folder)
    for article in stand_ins:
        if encoder.paths[id(article)] in wanted:
            writer.write(*encoder.item(article))
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
