"""The news sitemap's and robots.txt's settings (docs/settings.md documents each)."""

from __future__ import annotations

from typing import Any

from topicfeed.settings import Setting, is_number, is_optional_str

#: The sitemaps protocol's limit of URLs in one sitemap file (https://www.sitemaps.org/protocol.html).
PROTOCOL_MAX_URLS = 50_000


def _urls_per_file(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= PROTOCOL_MAX_URLS
    return None if ok else f"an integer from 1 to {PROTOCOL_MAX_URLS:,}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml", "the Google News sitemap; empty: none", is_optional_str
    ),
    Setting(
        "NEWS_SITEMAP_DAYS", 2, "its window in days, counted back from the newest item", is_number(minimum=0)
    ),
    Setting("ROBOTS_SAVE_AS", "robots.txt", "robots.txt naming the sitemaps; empty: none", is_optional_str),
    Setting(
        "SITEMAP_MAX_URLS",
        PROTOCOL_MAX_URLS,
        "sitemap.xml with more pages than this becomes an index of sitemap-N.xml files of at most this many",
        _urls_per_file,
    ),
)
