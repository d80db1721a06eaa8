"""URLs that do not move: the date and slug of an exporter file name, as Jekyll reads them.

The exporter names its files ``YYYY-MM-DD-slug.md`` and its own site (Jekyll, on GitHub Pages)
publishes each item at ``/:year/:month/:day/:title/``, where the date is the file name's and
``:title`` is the file name's slug passed through Jekyll's ``slugify`` in ``pretty`` mode with
case kept (``Jekyll::Drops::UrlDrop#title``). Taking the URL from the file name, not from the
headline and ``publishedDateTime``, means that correcting a headline or a timestamp inside the
file does not move the page, and that a site moved from the exporter's Jekyll theme to Topicfeed
keeps every URL.

Files whose name has another form (the seeds' ``NNN_hash.txt``) keep title-based URLs. The
setting ``NEWS_URL_FROM_FILENAME`` (default on) chooses; off, every item gets a title-based URL
as before.

The rule, exactly (Jekyll's ``Document#populate_title`` and ``Utils.slugify``):

1. the base name must match ``YYYY-MM-DD-<rest>.<ext>`` with a real calendar date;
2. ``<rest>`` loses its trailing dots;
3. every run of characters that are not letters, marks, decimal digits or one of
   ``._~!$&'()+,;=@`` becomes one ``-``; a leading and a trailing ``-`` are dropped; case is kept.

A name whose slug comes out empty, or that would name a hidden or parent folder (``.``/``..``
prefixes), falls back to the title-based URL: such a page could not be served.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from topicfeed.pelican_adapter import url_format_for
from topicfeed.settings import Setting, is_bool
from topicfeed.url_templates import format_url

URL_FROM_FILENAME = Setting(
    "NEWS_URL_FROM_FILENAME",
    True,
    "Take an item's URL date and slug from an exporter file name (YYYY-MM-DD-slug.md), as Jekyll does.",
    is_bool,
)
SETTINGS: tuple[Setting, ...] = (URL_FROM_FILENAME,)

#: Metadata key under which the reader leaves the file name's permalink for the URL step.
PERMALINK_KEY = "news_permalink"

# Jekyll's DATE_FILENAME_MATCHER, narrowed to the exporter's four-two-two digit dates.
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.*)(\.[^.]+)$", re.DOTALL)
_PRETTY_KEEP = frozenset("._~!$&'()+,;=@")
# The same rule for ASCII text, where the letters, marks and decimal digits are exactly A-Z, a-z
# and 0-9: one substitution instead of a Unicode category look-up per character (5 us a name).
_ASCII_NOT_KEPT = re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+")


@dataclass(frozen=True, slots=True)
class Permalink:
    """The date and slug a dated file name gives, before any uniqueness suffix."""

    date: dt.date
    slug: str


def jekyll_slugify(text: str) -> str:
    """Jekyll's ``Utils.slugify(text, mode: "pretty", cased: true)``."""
    if text.isascii():
        return _ASCII_NOT_KEPT.sub("-", text).removeprefix("-").removesuffix("-")
    return slugify_by_category(text)


def slugify_by_category(text: str) -> str:
    """:func:`jekyll_slugify` character by character, by Unicode category: any text."""
    out: list[str] = []
    in_run = False
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Nd" or char in _PRETTY_KEEP:
            out.append(char)
            in_run = False
        elif not in_run:
            out.append("-")
            in_run = True
    slug = "".join(out)
    slug = slug.removeprefix("-")
    return slug.removesuffix("-")


def from_filename(path: str) -> Permalink | None:
    """The permalink of a file named ``YYYY-MM-DD-slug.ext``, else None."""
    match = _DATED_NAME.match(os.path.basename(path))
    if match is None:
        return None
    year, month, day, rest, _ = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    slug = jekyll_slugify(rest.rstrip("."))
    if not slug or slug.startswith("."):
        return None
    return Permalink(date, slug)


def for_item(path: str, settings: dict[str, Any]) -> Permalink | None:
    """The permalink the reader gives ``path`` under the current settings."""
    # .get with the declaration's own default: readers built outside a Pelican run (unit tests)
    # get settings without the declared defaults applied.
    if not settings.get(URL_FROM_FILENAME.name, URL_FROM_FILENAME.default):
        return None
    return from_filename(path)


def apply(article: Any) -> None:
    """Point ``article``'s URL and file at its permalink date and current slug.

    ``ARTICLE_URL``/``ARTICLE_SAVE_AS`` are formatted as Pelican does, with the file name's date
    in place of the item's date (which pages, feeds and sorting keep using). Called again after
    the URL step appends a uniqueness suffix to ``article.slug``. No-op for other articles.
    """
    permalink: Permalink | None = article.metadata.get(PERMALINK_KEY)
    if permalink is None:
        return
    date = dt.datetime(permalink.date.year, permalink.date.month, permalink.date.day)
    url = str(article.settings["ARTICLE_URL"])
    save_as = str(article.settings["ARTICLE_SAVE_AS"])
    # Only the fields the templates name: ``url_format`` copies the whole metadata.
    fields = url_format_for(article, url, save_as)
    fields["date"] = date
    article.override_url = format_url(url, fields)
    article.override_save_as = format_url(save_as, fields)
