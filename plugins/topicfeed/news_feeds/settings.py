"""The feeds plugin's settings (docs/settings.md documents each).

The site-wide and per-topic Atom and RSS paths (``FEED_ALL_ATOM``, ``TAG_FEED_RSS`` ...) and
``FEED_MAX_ITEMS`` are Pelican's own settings, with Pelican's defaults.
"""

from __future__ import annotations

from topicfeed.settings import Setting, is_optional_str

SETTINGS: tuple[Setting, ...] = (
    Setting("FEED_ALL_JSON", "feeds/all.json", "the site-wide JSON Feed; None: none", is_optional_str),
    Setting(
        "TAG_FEED_JSON", "feeds/topics/{slug}.json", "each topic's JSON Feed; None: none", is_optional_str
    ),
    Setting(
        "SOURCE_FEED_ATOM",
        "feeds/sources/{slug}.atom.xml",
        "each source's Atom feed; None: none",
        is_optional_str,
    ),
    Setting(
        "SOURCE_FEED_RSS",
        "feeds/sources/{slug}.rss.xml",
        "each source's RSS feed; None: none",
        is_optional_str,
    ),
    Setting("SOURCE_FEED_JSON", None, "each source's JSON Feed; None: none", is_optional_str),
    Setting(
        "FEED_OPML", "feeds/feeds.opml", "every topic and source feed, for readers to import", is_optional_str
    ),
)
