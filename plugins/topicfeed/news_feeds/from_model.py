"""The feed files written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``feed-format``.

The same feeds as a build writes, in the same calls: the feed plan is made from the site's
stories (:func:`.files.plan_of`, on stand-ins), the feeds Pelican writes itself are written as
Pelican 4.12's ``ArticlesGenerator.generate_feeds`` writes them (the site's and each topic's
Atom and RSS), the others as :func:`.plugin.write_feeds` does, through a writer that applies the
feed format (:class:`topicfeed.feed_format.FormattedWriter`). Each feed's entries are the site's
articles (made and dressed only for the stories a feed shows: Pelican's writer takes the first
``FEED_MAX_ITEMS`` of a list). Feeds Topicfeed does not plan (category, author, translation
feeds) are not written here: the caller builds instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from topicfeed.feed_format import FeedFormat, FormattedWriter
from topicfeed.items import PlainSite, item_of

from .feed_format import NewsFeedFormat
from .files import plan_of
from .opml import save_opml
from .plan import PELICAN_WRITES, FeedLinks, FeedPlan


class _PlanWriter(FormattedWriter):
    """Pelican's writer with one build's feed format."""

    def __init__(self, output_path: str, settings: dict[str, Any], feed_format: FeedFormat) -> None:
        super().__init__(output_path, settings=settings)
        self._format = feed_format

    @property
    def feed_format(self) -> FeedFormat | None:
        return self._format


def site_plan(site: PlainSite) -> FeedPlan:
    """The feed plan a build of the site's stories makes (on stand-ins of its articles)."""
    stories = site.stories
    names: dict[str, str] = {}
    for story in stories:
        for slug, name in zip(story.topics, story.topic_names, strict=True):
            names.setdefault(slug, name)
    return plan_of(
        [s.item for s in stories],
        [s.url for s in stories],
        [s.timestamp for s in stories],
        [s.topics for s in stories],
        names,
        site.settings,
    )


def write_feeds_from_model(
    site: PlainSite, articles: Any, context: Mapping[str, Any], paths: Collection[str], folder: Path
) -> set[str]:
    """Write the feed files among ``paths`` (and the OPML list) into ``folder``; the ones written."""
    settings = dict(site.settings)
    links = context.get("feed_links")  # this plugin's page value: the site's plan, made once
    plan = links.plan if isinstance(links, FeedLinks) else site_plan(site)
    wanted = set(paths)
    written: set[str] = set()
    writer = _PlanWriter(str(folder), settings, NewsFeedFormat(plan))
    shared = dict(context)
    position = {story.item.source_path: i for i, story in enumerate(site.stories)}

    def shown(stand_ins: Sequence[Any]) -> Any:
        return articles.lazy([position[item_of(a).source_path] for a in stand_ins])  # type: ignore[union-attr]

    def write(elements: Any, path: str, url: str, feed_type: str = "atom", title: str | None = None) -> None:
        if path in wanted:
            writer.write_feed(elements, shared, path, url, feed_type=feed_type, feed_title=title)
            written.add(path)

    # ``ArticlesGenerator.generate_feeds``: the site's feeds, then each topic's.
    everything = articles.lazy(range(len(site.stories)))
    for name, feed_type in (
        ("FEED_ATOM", "atom"),
        ("FEED_RSS", "rss"),
        ("FEED_ALL_ATOM", "atom"),
        ("FEED_ALL_RSS", "rss"),
    ):
        if settings.get(name):
            write(everything, settings[name], settings.get(f"{name}_URL", settings[name]), feed_type)
    for channel in plan.channels():
        if channel.kind != "topic":
            continue
        for name, feed_type in (("TAG_FEED_ATOM", "atom"), ("TAG_FEED_RSS", "rss")):
            if settings.get(name):
                path = str(settings[name]).format(slug=channel.slug)
                url = settings.get(f"{name}_URL", str(settings[name])).format(slug=channel.slug)
                if path in wanted:  # a feed's entries are looked up only for a feed written
                    write(shown(channel.articles), path, url, feed_type, channel.name)
    # :func:`.plugin.write_feeds`: every other feed of the plan, then the OPML list.
    for channel in plan.channels():
        for fmt, path in channel.paths.items():
            if (channel.kind, fmt) not in PELICAN_WRITES and path in wanted:
                write(shown(channel.articles), path, path, fmt, channel.name)
    if plan.opml_path and plan.opml_path in wanted:
        save_opml(plan, str(folder), str(settings["SITEURL"] or "") + "/")
        written.add(plan.opml_path)
    return written
