"""What a feed looks like, as the writer asks it: the contract between feeds and the writer.

The writer plugin owns *how* files reach the disk (deferred, parallel, reused when unchanged);
the feeds plugin owns *what* a feed is (its channel, its entries, its ids). Neither imports the
other: the feeds plugin puts a :class:`FeedFormat` on the build (``Build.feed_format``) once the
articles are grouped (``article_generator_finalized``), and the writer applies it to every feed
Pelican or a plugin writes through ``Writer.write_feed``. With no feed format on the build, the
writer writes Pelican's own feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from topicfeed.pelican_adapter import HookedWriter


@dataclass(frozen=True)
class FeedRequest:
    """One ``write_feed`` call, as far as the look of the feed depends on it."""

    #: The feed's path in the output (``feeds/all.atom.xml``); ``None`` when only built in memory.
    path: str | None
    #: ``"atom"``, ``"rss"``, or any other type the format knows (``"json"``).
    feed_type: str
    feed_title: str | None
    #: The feed's public URL (Pelican's ``FEED_DOMAIN`` joined with its URL).
    feed_url: str
    #: Turns a site-relative URL into an absolute one, as Pelican does for feed links.
    absolute: Callable[[str], str]
    context: Mapping[str, Any]


class FeedFormat(Protocol):
    """How to make a feed and its entries; ``None`` / ``False`` answers mean "Pelican's own"."""

    def create_feed(self, request: FeedRequest) -> Any | None:
        """The empty feed object (a ``feedgenerator.SyndicationFeed``), or None for Pelican's."""

    def add_entry(self, feed: Any, item: Any, request: FeedRequest) -> bool:
        """Add ``item`` (an article) to ``feed``; False lets Pelican add its own entry."""

    def feed_key(self, path: str, items: Sequence[Any]) -> Any:
        """What the feed at ``path`` shows besides its items' content and the settings.

        The writer reuses the previous build's file when this value (digested), the items it
        shows and the settings are all unchanged, so it must cover everything of the format that
        reaches the file (channel title, page link, entry ids ...). Plain data only.
        """

    def entry_inputs(self, item: Any) -> Any | None:
        """Everything ``item``'s entry is made of, when the format can say: the writer then
        digests this instead of the whole article (plain data, or objects that digest what they
        show). None: the entry may read anything of the article, which is digested whole.

        It must cover every part of the article that :meth:`add_entry` reads (the request's
        parts, the entry id and the settings are keyed apart). A feed's key then no longer
        changes with what only the article's page shows (its related stories, its neighbours),
        and keying a feed costs a few values per story instead of the whole article.
        """


class FormattedWriter(HookedWriter):
    """Pelican's writer, making every feed it writes with a :class:`FeedFormat` (Pelican's own
    feeds when there is none): the build's writer, and the writer of feeds made from the site
    model, which has no build."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self._feed_path: str | None = None
        self._feed_request: FeedRequest | None = None

    @property
    def feed_format(self) -> FeedFormat | None:
        """The format of the feeds written now; None: Pelican's own."""
        return None

    def create_feed(self, feed_type: str, feed_title: str | None, context: dict[str, Any]) -> Any | None:
        feed_format = self.feed_format
        if feed_format is None:
            return None
        self._feed_request = FeedRequest(
            path=self._feed_path,
            feed_type=feed_type,
            feed_title=feed_title,
            feed_url=self.current_feed_url,
            absolute=self.absolute,
            context=context,
        )
        return feed_format.create_feed(self._feed_request)

    def add_feed_entry(self, feed: Any, item: Any) -> bool:
        feed_format, request = self.feed_format, self._feed_request
        if feed_format is None or request is None:
            return False
        return feed_format.add_entry(feed, item, request)

    def write_feed(
        self,
        elements: Any,
        context: dict[str, Any],
        path: str | None = None,
        url: str | None = None,
        feed_type: str = "atom",
        override_output: bool = False,
        feed_title: str | None = None,
    ) -> Any:
        self._feed_path = path
        try:
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        finally:
            self._feed_path = None
            self._feed_request = None
