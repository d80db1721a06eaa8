"""The feed files written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``feed-format``.

The same feeds as a build writes, in the same calls: the feeds Pelican writes itself are
written as Pelican 4.12's ``ArticlesGenerator.generate_feeds`` writes them (the site's and each
topic's Atom and RSS), the others as :func:`.plugin.write_feeds` does, through a writer that
applies the feed format (:class:`topicfeed.feed_format.FormattedWriter`). The channels come
from the site's topics and sources (:func:`channels_plan`); each feed's entries are the stories
the prediction says it shows (its feed files, with their entry ids: what the model records), as
the site's articles (made and dressed only for those). Feeds Topicfeed does not plan (category,
author, translation feeds) are not written here: the caller builds instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from topicfeed.feed_format import FeedFormat, FormattedWriter
from topicfeed.items import PlainSite, topic_tags
from topicfeed.site import site_timezone

from .feed_format import NewsFeedFormat
from .opml import save_opml
from .plan import PELICAN_WRITES, FeedLinks, FeedPlan, plan_from


class _PlanWriter(FormattedWriter):
    """Pelican's writer with one build's feed format."""

    def __init__(self, output_path: str, settings: dict[str, Any], feed_format: FeedFormat) -> None:
        super().__init__(output_path, settings=settings)
        self._format = feed_format

    @property
    def feed_format(self) -> FeedFormat | None:
        return self._format


def _topic_names(site: PlainSite) -> dict[str, str]:
    """Each topic's name, as the first story naming it spells it (Pelican's grouping by tag)."""
    names: dict[str, str] = {}
    for story in site.stories:
        for slug, name in zip(story.topics, story.topic_names, strict=True):
            names.setdefault(slug, name)
    return names


def channels_plan(site: PlainSite) -> FeedPlan:
    """The channels of the feed plan a build of the site's stories makes (:func:`.files.plan_of`),
    holding no story: what pages link to (``feed_links``) and what titles a feed, without the
    plan's pass over every story (1.9 s of a one-item rebuild at 100,000 items, for the page
    values alone)."""
    settings = site.settings
    names = _topic_names(site)
    (tags,) = topic_tags([list(names.items())], settings, by_spelling=False)
    zone = site_timezone(settings)
    newest = max((story.timestamp for story in site.stories), default=None)
    return plan_from(
        settings,
        [],
        [(tag, []) for tag in sorted(tags, key=lambda tag: tag.slug)],
        site.products["source-pages"],
        {},
        None if newest is None else dt.datetime.fromtimestamp(newest, zone),
    )


def write_feeds_from_model(
    site: PlainSite, articles: Any, context: Mapping[str, Any], paths: Collection[str], folder: Path
) -> set[str]:
    """Write the feed files among ``paths`` (and the OPML list) into ``folder``; the ones written.

    Each feed shows the stories the model says it shows (``PlainSite.products["feed-format"]``:
    the prediction's feed files, with their stories' files and entry ids), in the calls a build
    makes; only the channels are planned (:func:`channels_plan`)."""
    settings = dict(site.settings)
    wanted = set(paths)
    shows = {record[0]: record for record in site.products["feed-format"] if record[0] in wanted}
    ids: dict[str, str] = {}
    for record in shows.values():
        if record[1] != "opml":  # the OPML file's "ids" are its channels
            ids.update(zip(record[4], record[5], strict=True))
    links = context.get("feed_links")  # this plugin's page value: the channels, planned once
    plan = (links.plan if isinstance(links, FeedLinks) else channels_plan(site)).with_ids(ids)
    written: set[str] = set()
    writer = _PlanWriter(str(folder), settings, NewsFeedFormat(plan))
    shared = dict(context)
    position = {story.item.source_path: i for i, story in enumerate(site.stories)}

    def write(path: str, url: str, feed_type: str = "atom", title: str | None = None) -> None:
        if path in shows:  # the stories it shows: the first FEED_MAX_ITEMS of its list
            # The articles themselves: an entry reads their content and summary, which a
            # list's stand-ins (``SiteArticles.listed``) would make the articles for anyway.
            shown = articles.at([position[file] for file in shows[path][4]])
            writer.write_feed(shown, shared, path, url, feed_type=feed_type, feed_title=title)
            written.add(path)

    # ``ArticlesGenerator.generate_feeds``: the site's feeds, then each topic's.
    for name, feed_type in (
        ("FEED_ATOM", "atom"),
        ("FEED_RSS", "rss"),
        ("FEED_ALL_ATOM", "atom"),
        ("FEED_ALL_RSS", "rss"),
    ):
        if settings.get(name):
            write(settings[name], settings.get(f"{name}_URL", settings[name]), feed_type)
    for channel in plan.channels():
        if channel.kind != "topic":
            continue
        for name, feed_type in (("TAG_FEED_ATOM", "atom"), ("TAG_FEED_RSS", "rss")):
            if settings.get(name):
                path = str(settings[name]).format(slug=channel.slug)
                url = settings.get(f"{name}_URL", str(settings[name])).format(slug=channel.slug)
                write(path, url, feed_type, channel.name)
    # :func:`.plugin.write_feeds`: every other feed of the plan, then the OPML list.
    for channel in plan.channels():
        for fmt, path in channel.paths.items():
            if (channel.kind, fmt) not in PELICAN_WRITES:
                write(path, path, fmt, channel.name)
    if plan.opml_path and plan.opml_path in wanted:
        save_opml(plan, str(folder), str(settings["SITEURL"] or "") + "/")
        written.add(plan.opml_path)
    return written
