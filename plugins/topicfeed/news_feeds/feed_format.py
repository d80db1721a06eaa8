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

A story's entry is the same in every format: Pelican writes a topic's Atom feed and then its
RSS feed, and the feeds plugin writes each source's feeds one after the other, so the entries
of the feed just written are kept for the next one (and only those: an entry cached for every
feed it is in was 1 KB a story held through the whole feed phase).

It also tells the writer what a feed's file depends on besides its articles and the settings
(:meth:`NewsFeedFormat.feed_key`), and what of each article an entry reads
(:meth:`NewsFeedFormat.entry_inputs`), so an unchanged feed can be reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from topicfeed.feed_format import FeedRequest

from .entries import Entry, build_entry, entry_inputs
from .formats import FEED_CLASSES
from .plan import FeedPlan


class NewsFeedFormat:
    """The feed format of one build, from its feed plan."""

    def __init__(self, plan: FeedPlan) -> None:
        self.plan = plan
        self._request: FeedRequest | None = None
        self._base = ""  # where the current feed's links point (``request.absolute("")``)
        #: The entries of the feed being written and of the one before, by article id; the
        #: article is kept with its entry so that its id stays its own.
        self._entries: dict[int, tuple[Any, Entry]] = {}
        self._before: dict[int, tuple[Any, Entry]] = {}

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
        feed.add_entry(self._entry(item, request))
        return True

    def _entry(self, article: Any, request: FeedRequest) -> Entry:
        if request is not self._request:  # a new feed: keep the last one's entries, if alike
            base = request.absolute("")
            self._before = self._entries if base == self._base else {}
            self._entries, self._request, self._base = {}, request, base
        held = self._entries.get(id(article)) or self._before.get(id(article))
        if held is None:
            held = (article, build_entry(article, self.plan.entry_id(article), request.absolute))
        self._entries[id(article)] = held
        return held[1]

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
