"""The search bundles written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``search``.

The search documents are the build's (:func:`.documents.search_pages`), made from stand-ins of
the site's articles (what a document reads: the title, item, topics, source and date); the
bundles are planned from them as in a build (:func:`.shards.plan_shards`), and only the bundles
asked for are indexed, by the build's own indexing (:class:`.indexer.IndexWork`, Pagefind), each
into a folder of its own made afresh. The listing (``shards.json``) names every bundle with the
key of its documents, as the build writes it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from topicfeed.items import PlainSite, news_articles, stand_in, story_topics, topic_tags
from topicfeed.site import site_timezone

from .documents import search_pages
from .files import has_search_template
from .indexer import LISTING, IndexWork, listed, listing_text, pagefind_version, shard_key
from .shards import Shard, plan_shards


def _stand_ins(site: PlainSite) -> list[Any]:
    """What a search document reads of each story's article."""
    settings = site.settings
    zone = site_timezone(settings)
    source_of = {
        item.source_path: source
        for source in site.products["source-pages"]
        for _, item in news_articles(source.articles)
    }
    named = topic_tags(map(story_topics, site.stories), settings, by_spelling=True)
    found = []
    for story, tags in zip(site.stories, named, strict=True):
        article = stand_in(story.item)
        article.title = story.item.title
        article.url, article.save_as = story.url, story.save_as
        article.date = dt.datetime.fromtimestamp(story.timestamp, zone)
        article.source = source_of.get(story.item.source_path)
        article.tags = tags
        found.append(article)
    return found


def write_search_from_model(
    site: PlainSite,
    paths: Collection[str],
    folder: Path,
    start: Callable[[Path, Path], Any],
    parallel: Callable[[dict[str, Any], list[Shard]], int],
) -> set[str]:
    """Index the bundles among ``paths`` (folders, ending with ``/``) and write the listing if
    asked, into ``folder``; the ones written. ``start`` starts a Pagefind run, ``parallel`` says
    how many at once (the plugin's own)."""
    settings = dict(site.settings)
    if not settings["SEARCH_INDEX"] or not settings["SEARCH_SAVE_AS"] or not has_search_template(settings):
        return set()
    root = settings["SEARCH_BUNDLE_DIR"].strip("/")
    wanted = {path for path in paths if path.startswith(f"{root}/")}
    if not wanted:
        return set()  # no bundle nor the listing asked for: no document to make
    pages = search_pages(_stand_ins(site), settings)
    shards = plan_shards(pages, settings["SEARCH_SHARDS"], settings["SEARCH_SHARD_MIN_PAGES"])
    todo = [shard for shard in shards if f"{root}/{shard.name}/" in wanted]
    written: set[str] = set()
    if todo:
        for shard in todo:
            shutil.rmtree(folder / root / shard.name, ignore_errors=True)
        work = IndexWork(folder, root, todo, None, start, parallel=parallel(settings, todo))
        work.run()
        if not work.outcome.complete:
            return written
        written |= {f"{root}/{shard.name}/" for shard in todo}
    listing = f"{root}/{LISTING}"
    if todo or listing in wanted:  # the run above wrote a listing of its bundles only
        version = pagefind_version()
        entries = [listed(shard, shard_key(shard, version)) for shard in shards]
        (folder / listing).parent.mkdir(parents=True, exist_ok=True)
        (folder / listing).write_text(listing_text(entries), encoding="utf-8")
        written.add(listing)
    return written
