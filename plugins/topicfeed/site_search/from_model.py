"""The search bundles written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``search``.

The bundles are planned from the stories' months as in a build (:func:`.shards.plan_shards`), and
only the bundles asked for are indexed, by the build's own indexing (:class:`.indexer.IndexWork`,
Pagefind), each into a folder of its own made afresh, from the build's search documents
(:func:`.documents.search_pages`, made from stand-ins of their articles: what a document reads
is the title, item, topics, source and date). The listing (``shards.json``) names every bundle
with the key of its documents, as the build writes it: a bundle not asked for is one the change
does not reach, so its key is the one the site being replaced lists for it (the same name,
months and number of pages); only a bundle that site does not list so has its documents made
for its key. At 10,000 items that is one story's document in eight made instead of every one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from topicfeed.items import PlainSite, Story, news_articles, stand_in, story_topics, topic_tags
from topicfeed.site import site_timezone

from .documents import search_pages
from .files import has_search_template
from .indexer import LISTING, IndexWork, listed, listing_entries, listing_text, pagefind_version, shard_key
from .shards import SearchPage, Shard, plan_shards


def _sources(site: PlainSite) -> dict[str, Any]:
    """Each story's source (by its file), as the source pages group them."""
    return {
        item.source_path: source
        for source in site.products["source-pages"]
        for _, item in news_articles(source.articles)
    }


def _stand_ins(site: PlainSite, stories: Sequence[Story], source_of: Mapping[str, Any]) -> list[Any]:
    """What a search document reads of each of ``stories``' articles (stories of ``site``)."""
    settings = site.settings
    zone = site_timezone(settings)
    named = topic_tags(map(story_topics, stories), settings, by_spelling=True)
    found = []
    for story, tags in zip(stories, named, strict=True):
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
    folder: Callable[[], Path],
    start: Callable[[Path, Path], Any],
    parallel: Callable[[dict[str, Any], list[Shard]], int],
) -> set[str]:
    """Index the bundles among ``paths`` (folders, ending with ``/``) and write the listing if
    asked, into ``folder()``; the ones written. ``start`` starts a Pagefind run, ``parallel`` says
    how many at once (the plugin's own). ``folder`` is called once the first bundle is made
    (:data:`topicfeed.plugin.WriteSiteFiles`), so the documents and Pagefind's runs may go on
    before the folder is ready."""
    settings = dict(site.settings)
    if not settings["SEARCH_INDEX"] or not settings["SEARCH_SAVE_AS"] or not has_search_template(settings):
        return set()
    root = settings["SEARCH_BUNDLE_DIR"].strip("/")
    wanted = {path for path in paths if path.startswith(f"{root}/")}
    if not wanted:
        return set()  # no bundle nor the listing asked for: no document to make
    zone = site_timezone(settings)
    story_of = {story.save_as: story for story in site.stories}
    months = [
        SearchPage(f"{dt.datetime.fromtimestamp(s.timestamp, zone):%Y-%m}", s.url, s.save_as)
        for s in story_of.values()
    ]
    shards = plan_shards(months, settings["SEARCH_SHARDS"], settings["SEARCH_SHARD_MIN_PAGES"])
    sources: dict[str, Any] = {}  # each story's source, found once a bundle is documented

    def documented(shard: Shard) -> Shard:
        """The bundle with its pages' search documents, made for its stories only (a rebuild
        indexes one bundle or two: the stand-ins of every story were made for them)."""
        if not sources:
            sources.update(_sources(site))
        articles = _stand_ins(site, [story_of[page.save_as] for page in shard.pages], sources)
        return dataclasses.replace(shard, pages=tuple(search_pages(articles, settings)))

    todo = [documented(shard) for shard in shards if f"{root}/{shard.name}/" in wanted]
    names = [shard.name for shard in todo]
    ready: list[Path] = []

    def target() -> Path:
        """The folder, once: the bundles to write are cleared from it first."""
        if not ready:
            ready.append(folder())
            for name in names:
                shutil.rmtree(ready[0] / root / name, ignore_errors=True)
        return ready[0]

    written: set[str] = set()
    if todo:
        last = Path(settings["OUTPUT_PATH"]) / root  # the site being replaced
        work = IndexWork(target, root, todo, None, start, parallel=parallel(settings, todo), last=last)
        work.run()
        if not work.outcome.complete:
            return written
        written |= {f"{root}/{shard.name}/" for shard in todo}
    listing = f"{root}/{LISTING}"
    if todo or listing in wanted:  # the run above wrote a listing of its bundles only
        version = pagefind_version()
        indexed = {shard.name: shard for shard in todo}
        last_entries = listing_entries(Path(settings["OUTPUT_PATH"]) / root)
        entries = []
        for shard in shards:
            entry = last_entries.get(shard.name)
            if shard.name in indexed or entry is None or entry != listed(shard, entry["key"]):
                entry = listed(shard, shard_key(indexed.get(shard.name) or documented(shard), version))
            entries.append(listed(shard, entry["key"]))
        place = target()
        (place / listing).parent.mkdir(parents=True, exist_ok=True)
        (place / listing).write_text(listing_text(entries), encoding="utf-8")
        written.add(listing)
    return written
