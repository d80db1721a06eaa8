"""The Google News sitemap and robots.txt (sitemap.xml itself comes from pelican-sitemap).

- ``NEWS_SITEMAP_SAVE_AS`` (``news-sitemap.xml``): the published articles of the last
  ``NEWS_SITEMAP_DAYS`` days (2) counted back from the newest article, not from the build time,
  so the same input always gives the same file; at most 1,000 URLs, newest first, as Google
  News allows. Each URL is our article page with the ``news:`` publication, date and title.
- ``sitemap.xml``: pelican-sitemap writes it; this plugin has it written in the ``files`` phase,
  with the other files, instead of after every phase (see ``pelican_adapter``). pelican-sitemap
  writes one file however many pages the site has, but a sitemap may list at most 50,000 URLs
  (the benchmark's 100,000 items make 96,886 pages): with more than ``SITEMAP_MAX_URLS`` pages the
  file is cut, in its order, into ``sitemap-1.xml``, ``sitemap-2.xml``, ... (pelican-sitemap's
  format, at the site's root so each may list any page), and ``sitemap.xml`` becomes the
  sitemap index naming them, so robots.txt and a search console keep their one address.
- ``ROBOTS_SAVE_AS`` (``robots.txt``, written in the ``files`` phase): allows everything and names
  the news sitemap and, when the ``SITEMAP`` setting (pelican-sitemap's) is set, ``sitemap.xml``
  (or ``.txt``), with absolute URLs. Crawlers read robots.txt only at the root of a host: a site
  published under a path (``SITEURL=https://example.org/news``) gets the file in its own root,
  to copy or ignore.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed.build import Build
from topicfeed.pelican_adapter import (
    pin_sitemap_lastmod,
    sitemap_pages_queued,
    write_sitemap_now,
)
from topicfeed.plugin import Phase, register_plugin

from .files import derive_sitemaps, recent
from .from_model import write_sitemaps_from_model
from .settings import SETTINGS
from .writing import open_output, split_sitemap, write_news_sitemap

logger = logging.getLogger(__name__)


def save_news_sitemap(generator: Any, writer: Any) -> None:
    settings = generator.settings
    save_as = settings["NEWS_SITEMAP_SAVE_AS"]
    if not save_as:
        return
    days = float(settings["NEWS_SITEMAP_DAYS"])
    with open_output(generator.output_path, save_as) as stream:
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
    with open_output(build.target, save_as) as stream:
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
    """sitemap.xml (pelican-sitemap's, when it is in this run) is written with the other files,
    and cut into several when it lists more pages than one sitemap may (:func:`split_sitemap`).

    Left to itself, pelican-sitemap writes in its own ``finalized`` handler, after every phase of
    the build, the commit included.
    """
    pages = sitemap_pages_queued()  # asked first: writing empties pelican-sitemap's queue
    if write_sitemap_now(pelican):
        split_sitemap(Path(pelican.output_path), pelican.settings, pages)


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"sitemaps"},
        steps=[(Phase.FILES, save_sitemap), (Phase.FILES, save_robots_txt)],
        derives={"sitemaps": derive_sitemaps},
        writes={"sitemaps": write_sitemaps_from_model},
    )
    signals.article_generator_finalized.connect(pin_lastmod)
    signals.article_writer_finalized.connect(save_news_sitemap)
