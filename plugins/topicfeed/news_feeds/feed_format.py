"""How Topicfeed's feeds look, as a :class:`topicfeed.feed_format.FeedFormat` for the writer.

Pelican's ``Writer.write_feed`` stays Pelican's own: paths, ``FEED_DOMAIN``, ``FEED_MAX_ITEMS``,
the overwrite checks and the ``feed_generated`` / ``feed_written`` signals. The writer asks this
object for the two steps that do not fit a news site:

- the feed itself: its title, description and HTML page come from the feed plan (a topic feed
  links to its topic page, not the home page), its id is its own URL, and the class is ours,
  so ``feed_type="json"`` writes JSON Feed 1.1;
- each entry: titles stay plain text (Pelican strips anything that looks like a tag, which would
  eat a headline such as ``Why <div> soup matters``); the entry id is the story's stable id; the
  provider is the author; topics are the categories.

It also tells the writer what a feed's file depends on besides its articles and the settings
(:meth:`NewsFeedFormat.feed_key`), and what of each article an entry reads
(:meth:`NewsFeedFormat.entry_inputs`), so an unchanged feed can be reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from topicfeed.feed_format import FeedRequest

from .entries import build_entry, entry_inputs
from .formats import FEED_CLASSES
from .plan import FeedPlan


class NewsFeedFormat:
    """The feed format of one build, from its feed plan."""

    def __init__(self, plan: FeedPlan) -> None:
        self.plan = plan

    def create_feed(self, request: FeedRequest) -> Any:
        context = request.context
        sitename = str(context.get("SITENAME", ""))
        channel = self.plan.channel_for(request.path)
        if channel is not None:
            title, description, page = channel.title, channel.description, channel.page_url
        else:  # a feed the plan does not know (e.g. CATEGORY_FEED_ATOM turned on)
            title = f"{request.feed_title} · {sitename}" if request.feed_title else sitename
            description, page = str(context.get("SITEDESCRIPTION", "")), ""
        return FEED_CLASSES[request.feed_type](
            title=title,
            link=request.absolute(page),
            feed_url=request.feed_url,
            feed_guid=request.feed_url,
            description=description,
            language=context.get("DEFAULT_LANG"),
            author_name=sitename or None,
        )

    def add_entry(self, feed: Any, item: Any, request: FeedRequest) -> bool:
        if not hasattr(feed, "add_entry"):
            return False
        feed.add_entry(build_entry(item, self.plan.entry_id(item), request.absolute))
        return True

    def entry_inputs(self, item: Any) -> Any | None:
        return entry_inputs(item)

    def feed_key(self, path: str, items: Sequence[Any]) -> Any:
        channel = self.plan.channel_for(path)
        channel_text = (
            (
                channel.kind,
                channel.slug,
                channel.name,
                channel.title,
                channel.description,
                channel.page_url,
                channel.paths,
            )
            if channel
            else None
        )
        return (channel_text, [self.plan.entry_id(item) for item in items])
