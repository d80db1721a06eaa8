"""The pages of a predicted model: which pages the site will have and the items each shows,
from the new items and the last model's pages, without a build.

Every page of the last model is one of four kinds, and each is placed again the way Pelican
places it, with Pelican's own paginator (so page sizes, orphans and ``PAGINATION_PATTERNS``
are Pelican's):

- an article page: one per published item, at its ``save_as``;
- a page of a list: the home page's list (``INDEX_SAVE_AS``: every item), a topic's
  (``TAG_SAVE_AS``: its stories, once per time the item names it, as Pelican groups them) or a
  source's (``SOURCE_SAVE_AS``), in the site's order, cut into pages;
- a period archive (``YEAR_``/``MONTH_``/``DAY_ARCHIVE_SAVE_AS``): the stories of its period,
  in the site's order (newest first) or oldest first (``NEWEST_FIRST_ARCHIVES``);
- any other page (the indexes, search, 404): it shows no item of its own and stays.

A page keeps the reads the last build recorded for it (a page whose values are all unchanged
reads the same names again); a new page has none (-1: it is new, so it is redone anyway).
A page of any other kind raises :class:`~topicfeed.plugin.Underivable`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pelican.paginator import Paginator
from pelican.urlwrappers import Tag

from topicfeed.plugin import Underivable
from topicfeed.site import site_timezone

from .records import ItemRecord, SiteModel

#: Pelican's period archives: the setting naming their files, and the part of a date they group by.
PERIODS = (
    ("YEAR_ARCHIVE_SAVE_AS", lambda d: (d.year,)),
    ("MONTH_ARCHIVE_SAVE_AS", lambda d: (d.year, d.month)),
    ("DAY_ARCHIVE_SAVE_AS", lambda d: (d.year, d.month, d.day)),
)


class SiteList(NamedTuple):
    """A list the site pages through."""

    #: The template that shows it (Pelican's paginated template name): index, tag, source.
    template: str
    page_name: str
    #: Positions of its stories in the site's order.
    positions: list[int]
    #: The topic's or source's slug ("" for the home page's list).
    slug: str


def site_lists(
    records: Sequence[ItemRecord], topics: Mapping[str, str], settings: Mapping[str, Any]
) -> dict[str, SiteList]:
    """Every list the site pages through, by its file name."""
    lists: dict[str, SiteList] = {}
    if settings["INDEX_SAVE_AS"]:
        lists[settings["INDEX_SAVE_AS"]] = SiteList("index", "index", list(range(len(records))), "")
    if settings["TAG_SAVE_AS"]:
        for i, record in enumerate(records):
            for slug in record.topics:
                name = settings["TAG_SAVE_AS"].format(slug=slug)
                if name not in lists:
                    tag = Tag(topics[slug], settings)
                    tag.slug = slug
                    lists[name] = SiteList("tag", tag.page_name, [], slug)
                lists[name].positions.append(i)
    if settings["SOURCE_SAVE_AS"]:
        for i, record in enumerate(records):
            if record.source:
                name = settings["SOURCE_SAVE_AS"].format(slug=record.source)
                if name not in lists:
                    lists[name] = SiteList("source", os.path.splitext(name)[0], [], record.source)
                lists[name].positions.append(i)
    return lists


def per_page(template: str, settings: Mapping[str, Any]) -> int:
    """The page size Pelican's writer gives a paginated template."""
    paginated = settings["PAGINATED_TEMPLATES"]
    if template not in paginated:
        return 0
    return paginated[template] or settings["DEFAULT_PAGINATION"]


def _periods(records: Sequence[ItemRecord], settings: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """Every period archive's file -> the positions of its stories, in the archive's order."""
    zone = site_timezone(settings)
    order = (
        range(len(records))
        if settings["NEWEST_FIRST_ARCHIVES"]
        else sorted(range(len(records)), key=lambda i: records[i].timestamp)
    )
    found: dict[str, list[int]] = {}
    for setting, part in PERIODS:
        fmt = settings.get(setting)
        if not fmt:
            continue
        names: dict[tuple[int, ...], str] = {}
        for i in order:
            date = dt.datetime.fromtimestamp(records[i].timestamp, zone)
            key = part(date)
            name = names.get(key)
            if name is None:  # Pelican names the period by its first story's date
                name = names[key] = fmt.format(date=date)
            found.setdefault(name, []).append(i)
    return {name: tuple(positions) for name, positions in found.items()}


def predict_pages(
    last: SiteModel, new: SiteModel, settings: Mapping[str, Any]
) -> tuple[tuple[Any, ...], ...]:
    """The pages of ``new``'s site (:class:`PageRecord` tuples), with reads indexing ``last.reads``."""
    records = new.records()
    old_pages = last.page_records()
    reads = {page.path: page.reads for page in old_pages}
    lists = site_lists(records, new.topics, settings)
    periods = _periods(records, settings)
    old_lists = {page.list_name: page for page in old_pages if page.list_name}
    for name in old_lists.keys() - lists.keys():
        if not _list_emptied(name, last, settings):
            raise Underivable(f"site model: the list {name} is of a kind the prediction cannot place")
    old_periods = _periods(last.records(), settings)
    pages: list[tuple[Any, ...]] = []
    for page in old_pages:
        if page.page_name == "article" or page.list_name or page.path in old_periods:
            continue
        if page.items:
            raise Underivable(f"site model: {page.path} shows items the prediction cannot place")
        pages.append(tuple(page))  # an index, search, 404: nothing of its own changes
    for i, record in enumerate(records):
        pages.append((record.save_as, "article", (i,), "", 0, 0, 0, reads.get(record.save_as, -1)))
    for name, (template, page_name, positions, _) in lists.items():
        known = old_lists.get(name)
        size = known.per_page if known is not None else per_page(template, settings)
        page_name = known.page_name if known is not None else page_name
        paginator = Paginator(name, "", positions, settings, size)
        for number in range(1, paginator.num_pages + 1):
            shown = paginator.page(number)
            path = shown.save_as
            pages.append(
                (
                    path,
                    page_name,
                    tuple(shown.object_list),
                    name,
                    number,
                    paginator.per_page,
                    paginator.count,
                    reads.get(path, -1),
                )
            )
    for path, positions in periods.items():
        pages.append((path, "", positions, "", 0, 0, 0, reads.get(path, -1)))
    return tuple(pages)


def _list_emptied(name: str, last: SiteModel, settings: Mapping[str, Any]) -> bool:
    """A topic's or source's list that no item is in any more (its pages are gone)."""
    tag, source = settings["TAG_SAVE_AS"], settings["SOURCE_SAVE_AS"]
    slugs = {tag.format(slug=s) for s in last.topics} if tag else set()
    slugs |= {source.format(slug=s) for s in last.sources} if source else set()
    return name in slugs
