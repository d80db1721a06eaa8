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
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican import signals
from pelican.utils import sanitised_join

from topicfeed.build import Build
from topicfeed.pelican_adapter import (
    pin_sitemap_lastmod,
    sitemap_pages_queued,
    sitemap_xml,
    sitemap_xml_entries,
    write_sitemap_now,
)
from topicfeed.plugin import Phase, register_plugin

from .files import derive_sitemaps, recent
from .settings import SETTINGS

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


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
    """sitemap.xml (pelican-sitemap's, when it is in this run) is written with the other files,
    and cut into several when it lists more pages than one sitemap may (:func:`split_sitemap`).

    Left to itself, pelican-sitemap writes in its own ``finalized`` handler, after every phase of
    the build, the commit included.
    """
    pages = sitemap_pages_queued()  # asked first: writing empties pelican-sitemap's queue
    if write_sitemap_now(pelican):
        split_sitemap(Path(pelican.output_path), pelican.settings, pages)


#: The parts of a sitemap cut by :func:`split_sitemap`: ``sitemap-1.xml``, ``sitemap-2.xml``...
_PART = re.compile(r"sitemap-[1-9][0-9]*\.xml")


def sitemap_index(site_url: str, names: Sequence[str]) -> str:
    """A sitemap index naming ``names`` (files at the site's root)."""
    entries = "".join(f"<sitemap>\n<loc>{site_url}/{name}</loc>\n</sitemap>\n" for name in names)
    head = f'<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    return f"{head}{entries}</sitemapindex>\n"


def split_sitemap(output: Path, settings: dict[str, Any], pages: int) -> int:
    """Cut ``sitemap.xml`` into parts of ``SITEMAP_MAX_URLS`` pages and make it their index; the
    number of parts (0: the file is left as it is).

    ``pages``: how many pages pelican-sitemap was given, at least as many as it lists; a sitemap
    of no more than the limit is not read back (every build of nearly every site). Parts a
    previous build wrote into the same folder that this one does not are removed (a build into
    a fresh folder has none).
    """
    config = settings.get("SITEMAP") or {}
    path = output / "sitemap.xml"
    limit = settings["SITEMAP_MAX_URLS"]
    written: list[str] = []
    if pages > limit and config.get("format", "xml") == "xml" and path.is_file():
        entries = sitemap_xml_entries(path.read_text(encoding="utf-8"))
        if entries is None:
            logger.warning("sitemap: %s is not in pelican-sitemap's format; it is left whole", path)
        elif len(entries) > limit:
            for start in range(0, len(entries), limit):
                written.append(f"sitemap-{len(written) + 1}.xml")
                (output / written[-1]).write_text(
                    sitemap_xml(entries[start : start + limit]), encoding="utf-8"
                )
            site_url = str(settings.get("SITEURL") or "")
            path.write_text(sitemap_index(site_url, written), encoding="utf-8")
            logger.info("sitemap: %d pages in %d sitemaps, named by %s", len(entries), len(written), path)
    elif pages > limit and config.get("format") == "txt":
        text = output / "sitemap.txt"
        lines = text.read_text(encoding="utf-8").count("\n") if text.is_file() else 0
        if lines > limit:
            logger.warning(
                "sitemap: %s lists %d pages, more than a sitemap may (%d); SITEMAP's format "
                '"xml" writes an index of several instead',
                text,
                lines,
                limit,
            )
    for stale in output.glob("sitemap-*.xml"):
        if _PART.fullmatch(stale.name) and stale.name not in written:
            stale.unlink()
    return len(written)


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"sitemaps"},
        steps=[(Phase.FILES, save_sitemap), (Phase.FILES, save_robots_txt)],
        derives={"sitemaps": derive_sitemaps},
    )
    signals.article_generator_finalized.connect(pin_lastmod)
    signals.article_writer_finalized.connect(save_news_sitemap)
