"""How the sitemaps are written: the news sitemap of some stories, and pelican-sitemap's
``sitemap.xml`` cut into an index and parts when it lists more pages than one sitemap may;
in a build (:mod:`.plugin`) and from the site model (:mod:`.from_model`) alike."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican.utils import sanitised_join

from topicfeed.pelican_adapter import sitemap_xml, sitemap_xml_entries

logger = logging.getLogger(__name__)

#: The sitemaps' XML namespaces.
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


def open_output(output_path: str | os.PathLike[str], save_as: str) -> IO[str]:
    path = sanitised_join(output_path, save_as)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    logger.info('Writing "%s"', path)
    return open(path, "w", encoding="utf-8")


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
