"""The sitemaps written from the site model, without Pelican's article step (step 4 of
docs/rebuild-plan.md): the plugin's ``writes`` for ``sitemaps``.

The news sitemap is :func:`.writing.write_news_sitemap` of its window's stories (stand-ins with a
date, URL and title); ``sitemap.xml`` is pelican-sitemap's own, written for every page of the
site (an article page with its article, any other page with nothing, as its ``queue_page`` gets
them) with the newest story's date for the pages without one, then cut into parts as the build
cuts it (:func:`.writing.split_sitemap`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from topicfeed.items import PlainSite
from topicfeed.pelican_adapter import sitemap_article, write_sitemap
from topicfeed.site import site_timezone

from .files import recent
from .writing import open_output, split_sitemap, write_news_sitemap


def write_sitemaps_from_model(
    site: PlainSite, articles: Any, context: Mapping[str, Any], paths: Collection[str], folder: Path
) -> set[str]:
    """Write the sitemaps among ``paths`` into ``folder``; the ones written."""
    settings = dict(site.settings)
    wanted = set(paths)
    written: set[str] = set()
    news = settings["NEWS_SITEMAP_SAVE_AS"]
    config = settings.get("SITEMAP")
    name = f"sitemap.{config.get('format', 'xml')}" if config else ""
    parts = {path for path in wanted if path.startswith("sitemap-") and path.endswith(".xml")}
    if not (news and news in wanted) and not (config and (name in wanted or parts)):
        return written  # none of the sitemaps asked for
    zone = site_timezone(settings)
    dates = [dt.datetime.fromtimestamp(story.timestamp, zone) for story in site.stories]
    if news and news in wanted:
        stand_ins = [
            SimpleNamespace(date=date, url=story.url, title=story.item.title)
            for date, story in zip(dates, site.stories, strict=True)
        ]
        with open_output(str(folder), news) as stream:
            write_news_sitemap(recent(stand_ins, float(settings["NEWS_SITEMAP_DAYS"])), stream, settings)
        written.add(news)
    if not config or (name not in wanted and not parts):
        return written
    stories = zip(site.stories, dates, strict=True)
    article_of = {story.save_as: sitemap_article(story.url, date) for story, date in stories}
    queue = [(os.path.join(str(folder), path), article_of.get(path)) for path in site.pages]
    if not write_sitemap(settings, str(folder), queue, max(dates, default=None)):
        return written
    split = split_sitemap(folder, settings, len(queue))
    return written | {name} | {f"sitemap-{n}.xml" for n in range(1, split + 1)}
