"""Wiring of the feeds into Pelican's signals.

- ``get_writer``: Pelican writes its feeds (site-wide and per topic, Atom and RSS) through
  :class:`FeedWriter`, so they carry our entries.
- ``article_generator_finalized``: once Pelican has grouped the published articles by tag, the
  feed plan is built and put in the context (``feed_plan``; templates use ``feed_links``).
- ``article_writer_finalized``: the feeds Pelican has no notion of (JSON Feed, per-source
  feeds) are written with the same writer, then the OPML file.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from .opml import save_opml
from .plan import PELICAN_WRITES, PLAN_KEY, FeedLinks, FeedPlan, build_plan
from .writer import FeedWriter

logger = logging.getLogger(__name__)


def get_writer(pelican: Any) -> type[FeedWriter] | None:
    if "topicfeed.fast_writer" in pelican.settings.get("PLUGINS", []):
        return None  # fast_writer's writer is built on FeedWriter
    return FeedWriter


def plan_feeds(generator: Any) -> None:
    plan = build_plan(generator)
    generator.context[PLAN_KEY] = plan
    generator.context["feed_links"] = FeedLinks(plan)


def write_feeds(generator: Any, writer: Any) -> None:
    plan: FeedPlan | None = generator.context.get(PLAN_KEY)
    if plan is None:
        return
    if not isinstance(writer, FeedWriter):  # fast_writer's writer is a FeedWriter too
        logger.error(
            "news_feeds: another plugin replaced Pelican's writer (%s); feeds not written",
            type(writer).__name__,
        )
        return
    for channel in plan.channels():
        for fmt, path in channel.paths.items():
            if (channel.kind, fmt) in PELICAN_WRITES:
                continue
            writer.write_feed(
                channel.articles, generator.context, path, path, feed_type=fmt, feed_title=channel.name
            )
    site_url = str(generator.settings.get("SITEURL") or "") + "/"
    save_opml(plan, generator.output_path, site_url)


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.article_generator_finalized.connect(plan_feeds)
    signals.article_writer_finalized.connect(write_feeds)
