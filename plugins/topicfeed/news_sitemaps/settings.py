"""The news sitemap's and robots.txt's settings (docs/settings.md documents each)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_number, is_optional_str

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml", "the Google News sitemap; empty: none", is_optional_str
    ),
    Setting(
        "NEWS_SITEMAP_DAYS", 2, "its window in days, counted back from the newest item", is_number(minimum=0)
    ),
    Setting("ROBOTS_SAVE_AS", "robots.txt", "robots.txt naming the sitemaps; empty: none", is_optional_str),
)
