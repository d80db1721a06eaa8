"""The feeds' own settings: the feeds Pelican has no notion of, and the OPML list.

Pelican declares the site and topic Atom/RSS paths itself (``FEED_ALL_ATOM``, ``TAG_FEED_RSS``,
...; ``None`` turns one off). Topicfeed adds JSON Feed and the per-source feeds in the same
style, and reads two shared declarations: ``SITEDESCRIPTION`` (the site feed's description) and
the source page URLs (a source feed links to its page; :mod:`topicfeed.sources`).
"""

from __future__ import annotations

from topicfeed import site, sources
from topicfeed.settings import Setting, is_optional_str

SETTINGS: tuple[Setting, ...] = (
    *site.SETTINGS,
    *sources.SETTINGS,
    Setting("FEED_ALL_JSON", "feeds/all.json", "The site's JSON Feed; None: none.", is_optional_str),
    Setting(
        "TAG_FEED_JSON", "feeds/topics/{slug}.json", "Each topic's JSON Feed; None: none.", is_optional_str
    ),
    Setting(
        "SOURCE_FEED_ATOM",
        "feeds/sources/{slug}.atom.xml",
        "Each source's Atom feed ({slug} as in SOURCE_URL); None: none.",
        is_optional_str,
    ),
    Setting(
        "SOURCE_FEED_RSS",
        "feeds/sources/{slug}.rss.xml",
        "Each source's RSS feed; None: none.",
        is_optional_str,
    ),
    Setting("SOURCE_FEED_JSON", None, "Each source's JSON Feed; None: none.", is_optional_str),
    Setting(
        "FEED_OPML",
        "feeds/feeds.opml",
        "The OPML list of every topic and source feed; empty or None: none.",
        is_optional_str,
    ),
)
