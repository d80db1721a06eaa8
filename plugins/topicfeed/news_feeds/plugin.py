"""Wiring of the feeds into Pelican's signals.

- ``article_generator_finalized``: once Pelican has grouped the published articles by tag, the
  feed plan is built and put in the context (``feed_plan``; templates use ``feed_links``), and
  its :class:`NewsFeedFormat` on the build (``Build.feed_format``): the writer makes every feed
  with it, Pelican's own (site-wide and per topic, Atom and RSS) included.
- ``article_writer_finalized``: the feeds Pelican has no notion of (JSON Feed, per-source
  feeds) are written through the same writer, then the OPML file.

It provides ``"feed-format"`` (with ``Build.feed_files``, what each feed file shows, and its
derivation from plain items, :mod:`.files`) and needs ``"feed-writer"``: a writer that applies
``Build.feed_format`` (Pelican's own writer would write JSON Feed paths as Atom).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pelican import signals

from topicfeed.build import Build
from topicfeed.items import PlainSite
from topicfeed.plugin import register_plugin

from .feed_format import NewsFeedFormat
from .files import derive_feeds, plain_feeds
from .from_model import channels_plan, write_feeds_from_model
from .opml import save_opml
from .plan import PELICAN_WRITES, PLAN_KEY, FeedLinks, FeedPlan, build_plan
from .settings import SETTINGS


def plan_feeds(generator: Any) -> None:
    plan = build_plan(generator)
    generator.context[PLAN_KEY] = plan
    generator.context["feed_links"] = FeedLinks(plan)
    build = Build.of(generator)
    build.feed_format = NewsFeedFormat(plan)
    build.feed_files = plain_feeds(plan, generator.settings["FEED_MAX_ITEMS"])


def write_feeds(generator: Any, writer: Any) -> None:
    plan: FeedPlan | None = generator.context.get(PLAN_KEY)
    if plan is None:
        return
    for channel in plan.channels():
        for fmt, path in channel.paths.items():
            if (channel.kind, fmt) in PELICAN_WRITES:
                continue
            writer.write_feed(
                channel.articles, generator.context, path, path, feed_type=fmt, feed_title=channel.name
            )
    site_url = str(generator.settings["SITEURL"] or "") + "/"
    save_opml(plan, generator.output_path, site_url)


def page_values(site: PlainSite, articles: Any) -> Mapping[str, Any]:
    """The context's ``feed_links``, as :func:`plan_feeds` gives it: the links of the plan's
    channels, which hold no story here (feeds hang nothing on an article)."""
    return {"feed_links": FeedLinks(channels_plan(site))}


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"feed-format"},
        requires={"feed-writer"},
        derives={"feed-format": derive_feeds},
        page_values={"feed-format": page_values},
        writes={"feed-format": write_feeds_from_model},
    )
    signals.article_generator_finalized.connect(plan_feeds)
    signals.article_writer_finalized.connect(write_feeds)
