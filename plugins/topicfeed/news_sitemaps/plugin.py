"""The Google News sitemap and robots.txt (sitemap.xml itself comes from pelican-sitemap).

- ``NEWS_SITEMAP_SAVE_AS`` (``news-sitemap.xml``): the published articles of the last
  ``NEWS_SITEMAP_DAYS`` days (2) counted back from the newest article, not from the build time,
  so the same input always gives the same file; at most 1,000 URLs, newest first, as Google
  News allows. Each URL is our article page with the ``news:`` publication, date and title.
- ``ROBOTS_SAVE_AS`` (``robots.txt``): allows everything and names both sitemaps with absolute
  URLs. Crawlers read robots.txt only at the root of a host: a site published under a path
  (``SITEURL=https://example.org/news``) gets the file in its own root, to copy or ignore.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from typing import IO, Any

from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican import signals
from pelican.utils import sanitised_join

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_NEWS_URLS = 1000
DEFAULT_DAYS = 2
SITEMAP_PLUGIN = "pelican.plugins.sitemap"


def recent(articles: Sequence[Any], days: float) -> list[Any]:
    """Articles of the ``days`` before the newest one (inclusive), newest first, at most 1,000."""
    if not articles:
        return []
    newest = max(article.date for article in articles)
    since = newest - dt.timedelta(days=days)
    chosen = sorted((a for a in articles if a.date >= since), key=lambda a: a.date, reverse=True)
    return chosen[:MAX_NEWS_URLS]


def _absolute(site_url: str, url: str) -> str:
    return f"{site_url}/{url}"


def write_news_sitemap(articles: Sequence[Any], stream: IO[str], settings: dict[str, Any]) -> None:
    site_url = str(settings.get("SITEURL") or "")
    name = str(settings.get("SITENAME") or "")
    language = str(settings.get("DEFAULT_LANG") or "en")
    handler = SimplerXMLGenerator(stream, "utf-8", short_empty_elements=True)
    handler.startDocument()
    handler.startElement("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for article in articles:
        handler.startElement("url", {})
        handler.addQuickElement("loc", _absolute(site_url, article.url))
        handler.startElement("news:news", {})
        handler.startElement("news:publication", {})
        handler.addQuickElement("news:name", name)
        handler.addQuickElement("news:language", language)
        handler.endElement("news:publication")
        handler.addQuickElement("news:publication_date", article.date.isoformat())
        handler.addQuickElement("news:title", str(article.title))
        handler.endElement("news:news")
        handler.endElement("url")
    handler.endElement("urlset")
    stream.write("\n")


def _open(output_path: str, save_as: str) -> IO[str]:
    path = sanitised_join(output_path, save_as)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    logger.info('Writing "%s"', path)
    return open(path, "w", encoding="utf-8")


def save_news_sitemap(generator: Any, writer: Any) -> None:
    settings = generator.settings
    save_as = settings.get("NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml")
    if not save_as:
        return
    days = float(settings.get("NEWS_SITEMAP_DAYS", DEFAULT_DAYS))
    with _open(generator.output_path, save_as) as stream:
        write_news_sitemap(recent(generator.articles, days), stream, settings)


def robots_txt(settings: dict[str, Any]) -> str:
    site_url = str(settings.get("SITEURL") or "")
    lines = ["User-agent: *", "Allow: /", ""]
    if SITEMAP_PLUGIN in settings.get("PLUGINS", ()):
        fmt = (settings.get("SITEMAP") or {}).get("format", "xml")
        lines.append(f"Sitemap: {site_url}/sitemap.{fmt}")
    if settings.get("NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml"):
        lines.append(f"Sitemap: {site_url}/{settings.get('NEWS_SITEMAP_SAVE_AS', 'news-sitemap.xml')}")
    return "\n".join(lines) + "\n"


def save_robots_txt(pelican: Any) -> None:
    save_as = pelican.settings.get("ROBOTS_SAVE_AS", "robots.txt")
    if not save_as:
        return
    with _open(pelican.output_path, save_as) as stream:
        stream.write(robots_txt(pelican.settings))


def pin_sitemap_lastmod(generator: Any) -> None:
    """Index pages in sitemap.xml get the newest item's date as ``lastmod``, not the build time.

    pelican-sitemap falls back to the time its module was imported for pages without a date;
    that would make two builds of the same content differ. The index pages change exactly when
    a newer item arrives, so the newest item's date is also the truthful value.
    """
    try:
        from pelican.plugins.sitemap import sitemap  # optional plugin
    except ImportError:
        return
    if generator.articles:
        sitemap.generator.now = max(article.date for article in generator.articles)


def register() -> None:
    signals.article_generator_finalized.connect(pin_sitemap_lastmod)
    signals.article_writer_finalized.connect(save_news_sitemap)
    signals.finalized.connect(save_robots_txt)
