"""The OPML 2.0 subscription list: every topic feed and every source feed, one outline each.

A reader that imports it subscribes to each topic and source; the feed listed is the first
configured format (Atom, then RSS, then JSON Feed).
"""

from __future__ import annotations

import email.utils
import logging
import os
from typing import IO

from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican.utils import sanitised_join

from .plan import FORMATS, Channel, FeedPlan

logger = logging.getLogger(__name__)


def _outline(handler: SimplerXMLGenerator, plan: FeedPlan, channel: Channel, site_url: str) -> None:
    fmt = next((fmt for fmt in FORMATS if fmt in channel.paths), None)
    if fmt is None:
        return
    handler.addQuickElement(
        "outline",
        None,
        {
            "type": "rss",
            "text": channel.name,
            "title": channel.title,
            "xmlUrl": plan.url(channel.paths[fmt]),
            "htmlUrl": site_url + channel.page_url,
        },
    )


def write_opml(plan: FeedPlan, stream: IO[str], site_url: str) -> None:
    """Write the OPML document; ``site_url`` ends with ``/`` (empty for site-relative links)."""
    handler = SimplerXMLGenerator(stream, "utf-8", short_empty_elements=True)
    handler.startDocument()
    handler.startElement("opml", {"version": "2.0"})
    handler.startElement("head", {})
    handler.addQuickElement("title", f"{plan.site.title}: topic and source feeds")
    newest = plan.newest()
    if newest is not None:
        handler.addQuickElement("dateModified", email.utils.format_datetime(newest))
    handler.addQuickElement("docs", "http://opml.org/spec2.opml")
    handler.endElement("head")
    handler.startElement("body", {})
    for label, channels in (("Topics", plan.topics), ("Sources", plan.sources)):
        if not channels:
            continue
        handler.startElement("outline", {"text": label, "title": label})
        for channel in channels:
            _outline(handler, plan, channel, site_url)
        handler.endElement("outline")
    handler.endElement("body")
    handler.endElement("opml")
    stream.write("\n")


def save_opml(plan: FeedPlan, output_path: str, site_url: str) -> str | None:
    """Write ``FEED_OPML`` into the output folder; returns its path (None when disabled)."""
    if not plan.opml_path:
        return None
    path = sanitised_join(output_path, plan.opml_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        write_opml(plan, stream, site_url)
    logger.info('Writing "%s"', path)
    return path
