"""Which article pages go into which search bundle (a shard: a run of whole months).

Pagefind cannot update an index: one changed page means reading every page again. At 10,000
items that is 15 s of a one-item rebuild and, at 100,000, 5.8 GB of memory in one process. So
the index is split into bundles of consecutive months; a rebuild indexes again only the bundles
whose pages changed and links the others from the previous site (``indexer.py``).

The split must be a function of the pages alone, so that an incremental build and a fresh one
write the same bundles, and it must move little when one item comes or goes:

- the bundle size is the power of two (at least ``min_pages``) nearest ``pages / shards``
  (nearest by ratio), so it changes only when the site doubles or halves, and the site has
  between about 0.7 and 1.4 times ``shards`` bundles. Rounding up instead gave as few as half
  of them: 10 bundles of 8,192 pages at 100,000 items, each the memory of one Pagefind run and
  the wait of a rebuild that changes one of its pages;
- months are taken oldest first into the current bundle until it holds that many pages; then
  the next bundle starts. New items land in the newest, still open bundle; an edit moves no
  boundary, and an item added or removed in an older month moves one only when it makes that
  bundle reach (or miss) the size exactly at a different month.

A bundle is named after its first month (``2024-03``); the browser lists them newest first, and
since bundles hold disjoint runs of months, newest-first results of each, one after the other,
are newest first overall (``theme/static/js/search.js``). Pagefind reads each bundle's search
documents (``documents.py``) from a folder of their own (``indexer.py``), not the site's pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One article page to index: its month (``YYYY-MM`` of its date), URL path, file, and the
    document Pagefind reads for it (``documents.search_document``)."""

    month: str
    url: str
    save_as: str
    document: str = ""


@dataclass(frozen=True, slots=True)
class Shard:
    """A search bundle: the pages of the months ``first`` to ``last``, oldest first.

    ``name`` is its folder inside the search bundle folder: its first month (stable while earlier
    months keep their pages).
    """

    first: str
    last: str
    pages: tuple[SearchPage, ...]
    name: str


def shard_size(pages: int, shards: int, min_pages: int) -> int:
    """How many pages a bundle takes before the next one starts (see the module docstring)."""
    if shards <= 1 or pages <= min_pages:
        return max(pages, min_pages, 1)
    return max(min_pages, 2 ** round(math.log2(pages / shards)))


def plan_shards(pages: Iterable[SearchPage], shards: int, min_pages: int) -> list[Shard]:
    """The bundles for these pages, oldest first (one bundle when ``shards`` is 1)."""
    ordered = sorted(pages, key=lambda page: (page.month, page.save_as))
    size = shard_size(len(ordered), shards, min_pages)
    planned: list[Shard] = []
    current: list[SearchPage] = []
    for _, month_pages in groupby(ordered, key=lambda page: page.month):
        current.extend(month_pages)
        if len(current) >= size:
            planned.append(_shard(current))
            current = []
    if current:
        planned.append(_shard(current))
    return planned


def _shard(pages: Sequence[SearchPage], name: str | None = None) -> Shard:
    first = pages[0].month
    return Shard(first=first, last=max(page.month for page in pages), pages=tuple(pages), name=name or first)
