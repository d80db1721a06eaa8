"""The sitemaps as plain values: which files they are and what each shows, for the site model.

``sitemap.xml`` (pelican-sitemap's, when the ``SITEMAP`` setting is set) lists every page with
its ``lastmod``: an article's date, the newest item's date for every other page
(:func:`.plugin.pin_lastmod`). So it changes exactly when the pages, an article's URL or date,
or the newest date change: its record carries a digest of those. With more pages than
``SITEMAP_MAX_URLS`` it is an index of ``sitemap-N.xml`` parts, each recorded the same way.
The news sitemap shows the stories of its window (:func:`recent`), newest first.
:func:`derive_sitemaps` is the derivation of ``sitemaps`` that the site model calls, in a build
(once every page is written) and in a prediction alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

#: Google News reads at most this many URLs from one news sitemap.
MAX_NEWS_URLS = 1000


def recent(articles: Sequence[Any], days: float) -> list[Any]:
    """Articles of the ``days`` before the newest one (inclusive), newest first, at most 1,000."""
    if not articles:
        return []
    newest = max(article.date for article in articles)
    since = newest - dt.timedelta(days=days)
    chosen = sorted((a for a in articles if a.date >= since), key=lambda a: a.date, reverse=True)
    return chosen[:MAX_NEWS_URLS]


#: One sitemap file: ``(path, kind, the stories' files, what else it shows)``.
SitemapFile = tuple[str, str, tuple[str, ...], tuple[Any, ...]]


def derive_sitemaps(
    pages: Sequence[str], stories: Sequence[tuple[str, str, float]], settings: Mapping[str, Any]
) -> tuple[SitemapFile, ...]:
    """The sitemap files of a site with these ``pages`` (output paths) and published ``stories``
    (each ``(file, URL, date as a POSIX timestamp)``, in the site's order)."""
    files: list[SitemapFile] = []
    newest = max((date for _f, _u, date in stories), default=None)
    config = settings.get("SITEMAP")
    if config:
        # The same bytes as one update per page and per story, in two updates.
        digest = hashlib.blake2b(digest_size=16)
        digest.update("".join(f"{page}\0" for page in sorted(pages)).encode())
        digest.update("".join(f"{url}\0{date!r}\0" for _file, url, date in stories).encode())
        digest.update(repr(newest).encode())
        shown = (digest.hexdigest(),)
        fmt = config.get("format", "xml")
        files.append((f"sitemap.{fmt}", "sitemap", (), shown))
        limit = settings["SITEMAP_MAX_URLS"]
        if fmt == "xml" and len(pages) > limit:
            files += [
                (f"sitemap-{n}.xml", "sitemap", (), shown)
                for n in range(1, math.ceil(len(pages) / limit) + 1)
            ]
    if settings["NEWS_SITEMAP_SAVE_AS"]:
        # Only the stories near the window are made into stand-ins (the window is a few days of
        # a site's years); a second more than its span, so rounding to microseconds drops none.
        start = -math.inf if newest is None else newest - settings["NEWS_SITEMAP_DAYS"] * 86400 - 1
        stand_ins = [
            SimpleNamespace(date=dt.datetime.fromtimestamp(date, dt.UTC), file=file)
            for file, _url, date in stories
            if date >= start
        ]
        window = recent(stand_ins, settings["NEWS_SITEMAP_DAYS"])
        files.append((settings["NEWS_SITEMAP_SAVE_AS"], "news", tuple(s.file for s in window), ()))
    return tuple(files)
