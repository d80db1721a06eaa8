"""Pelican's Writer, with our feed classes and entries (handed to Pelican by ``get_writer``).

``Writer.write_feed`` stays Pelican's own: paths, ``FEED_DOMAIN``, ``FEED_MAX_ITEMS``, the
overwrite checks and the ``feed_generated`` / ``feed_written`` signals. Only the two steps that
do not fit a news site are replaced:

- ``_create_new_feed``: the feed's title, description and HTML page come from the feed plan
  (a topic feed links to its topic page, not the home page), its id is its own URL, and the
  class is ours, so ``feed_type="json"`` writes JSON Feed 1.1.
- ``_add_item_to_the_feed``: titles stay plain text (Pelican strips anything that looks like a
  tag, which would eat a headline such as ``Why <div> soup matters``); the entry id is the
  story's stable id; the provider is the author; topics are the categories.
"""

from __future__ import annotations

from typing import Any

from feedgenerator import SyndicationFeed
from pelican.writers import Writer

from .entries import build_entry
from .formats import FEED_CLASSES
from .plan import PLAN_KEY, Channel, FeedPlan


class FeedWriter(Writer):
    _plan: FeedPlan | None = None
    _channel: Channel | None = None

    def write_feed(
        self,
        elements: Any,
        context: dict[str, Any],
        path: str | None = None,
        url: str | None = None,
        feed_type: str = "atom",
        override_output: bool = False,
        feed_title: str | None = None,
    ) -> SyndicationFeed:
        self._plan = context.get(PLAN_KEY)
        self._channel = self._plan.channel_for(path) if self._plan else None
        try:
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        finally:
            self._plan = self._channel = None

    def _absolute(self, url: str) -> str:
        return self.urljoiner(self.site_url, url)

    def _create_new_feed(self, feed_type: str, feed_title: str | None, context: dict[str, Any]) -> Any:
        if self._plan is None:
            return super()._create_new_feed(feed_type, feed_title, context)
        sitename = str(context.get("SITENAME", ""))
        channel = self._channel
        if channel is not None:
            title, description, page = channel.title, channel.description, channel.page_url
        else:  # a feed the plan does not know (e.g. CATEGORY_FEED_ATOM turned on)
            title = f"{feed_title} · {sitename}" if feed_title else sitename
            description, page = str(context.get("SITEDESCRIPTION", "")), ""
        return FEED_CLASSES[feed_type](
            title=title,
            link=self._absolute(page),
            feed_url=self.feed_url,
            feed_guid=self.feed_url,
            description=description,
            language=context.get("DEFAULT_LANG"),
            author_name=sitename or None,
        )

    def _add_item_to_the_feed(self, feed: Any, item: Any) -> None:
        if self._plan is None or not hasattr(feed, "add_entry"):
            super()._add_item_to_the_feed(feed, item)
            return
        feed.add_entry(build_entry(item, self._plan.entry_id(item), self._absolute))
