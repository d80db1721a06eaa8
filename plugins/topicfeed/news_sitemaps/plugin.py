"""The Google News sitemap and robots.txt (sitemap.xml itself comes from pelican-sitemap).

- ``NEWS_SITEMAP_SAVE_AS`` (``news-sitemap.xml``): the published articles of the last
  ``NEWS_SITEMAP_DAYS`` days (2) counted back from the newest article, not from the build time,
  so the same input always gives the same file; at most 1,000 URLs, newest first, as Google
  News allows. Each URL is our article page with the ``news:`` publication, date and title.
- ``sitemap.xml``: pelican-sitemap writes it; this plugin has it written in the ``files`` phase,
  with the other files, instead of after every phase (see ``pelican_adapter``).
- ``ROBOTS_SAVE_AS`` (``robots.txt``, written in the ``files`` phase): allows everything and names
  the news sitemap and, when the ``SITEMAP`` setting (pelican-sitemap's) is set, ``sitemap.xml``
  (or ``.txt``), with absolute URLs. Crawlers read robots.txt only at the root of a host: a site
  published under a path (``SITEURL=https://example.org/news``) gets the file in its own root,
  to copy or ignore.
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

from topicfeed.build import Build
from topicfeed.pelican_adapter import pin_sitemap_lastmod, write_sitemap_now
from topicfeed.plugin import Phase, register_plugin

from .settings import SETTINGS

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_NEWS_URLS = 1000


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


def _open(output_path: str | os.PathLike[str], save_as: str) -> IO[str]:
    path = sanitised_join(output_path, save_as)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    logger.info('Writing "%s"', path)
    return open(path, "w", encoding="utf-8")


def save_news_sitemap(generator: Any, writer: Any) -> None:
    settings = generator.settings
    save_as = settings["NEWS_SITEMAP_SAVE_AS"]
    if not save_as:
        return
    days = float(settings["NEWS_SITEMAP_DAYS"])
    with _open(generator.output_path, save_as) as stream:
        write_news_sitemap(recent(generator.articles, days), stream, settings)


def robots_txt(settings: dict[str, Any]) -> str:
    """Allow everything; name the sitemaps this build writes.

    ``SITEMAP`` is pelican-sitemap's setting: a site that sets it has a sitemap in that format.
    """
    site_url = str(settings.get("SITEURL") or "")
    lines = ["User-agent: *", "Allow: /", ""]
    sitemap = settings.get("SITEMAP")
    if sitemap:
        lines.append(f"Sitemap: {site_url}/sitemap.{sitemap.get('format', 'xml')}")
    if settings["NEWS_SITEMAP_SAVE_AS"]:
        lines.append(f"Sitemap: {site_url}/{settings['NEWS_SITEMAP_SAVE_AS']}")
    return "\n".join(lines) + "\n"


def save_robots_txt(pelican: Any, build: Build) -> None:
    save_as = pelican.settings["ROBOTS_SAVE_AS"]
    if not save_as:
        return
    with _open(build.target, save_as) as stream:
        stream.write(robots_txt(pelican.settings))


def pin_lastmod(generator: Any) -> None:
    """Index pages in sitemap.xml get the newest item's date as ``lastmod``, not the build time.

    pelican-sitemap falls back to the time its module was imported for pages without a date;
    that would make two builds of the same content differ. The index pages change exactly when
    a newer item arrives, so the newest item's date is also the truthful value.
    """
    if generator.articles:
        pin_sitemap_lastmod(max(article.date for article in generator.articles))


def save_sitemap(pelican: Any, build: Build) -> None:
    """sitemap.xml (pelican-sitemap's, when it is in this run) is written with the other files.

    Left to itself, pelican-sitemap writes in its own ``finalized`` handler, after every phase of
    the build, the commit included.
    """
    write_sitemap_now(pelican)


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        steps=[(Phase.FILES, save_sitemap), (Phase.FILES, save_robots_txt)],
    )
    signals.article_generator_finalized.connect(pin_lastmod)
    signals.article_writer_finalized.connect(save_news_sitemap)
