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
are newest first overall (``theme/static/js/search.js``).

Pagefind is pointed at a bundle's pages by a glob of folders (:func:`by_folders`): article pages
live in date folders (``2024/03/01/slug/index.html``), so a run of months is a set of
``2024/03``-style folders. A page's folder comes from its file name's date, which can differ
from its item's date (``publishedDateTime``) by hours; such a page goes to the bundle that owns
its folder, and may come a few places out of date order at that bundle's edge. Paths that do not
split by date folders give one bundle.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One article page to index: its month (``YYYY-MM`` of its date), URL path and file."""

    month: str
    url: str
    save_as: str


@dataclass(frozen=True, slots=True)
class Shard:
    """A search bundle: the pages of the months ``first`` to ``last``, oldest first.

    ``name`` is its folder inside the search bundle folder: its first month, or its first date
    folder once :func:`by_folders` has placed it (stable while earlier months keep theirs).
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


#: Characters that mean something in a Pagefind glob: a path holding one gets no folder globs.
GLOB_SPECIALS = frozenset("*?[]{},!\\")
#: The most pages, as a share, that may change bundle to follow their folder.
MOST_MOVED = 0.01


def by_folders(shards: Sequence[Shard]) -> tuple[list[Shard], list[str]] | None:
    """The shards with each page in the one that owns its folder, and a glob per shard; or None.

    Folders are path prefixes at the shallowest depth at which following them moves at most
    1 % of the pages and leaves no shard empty (``2024/03`` for months of dated paths; whole
    years would move far more). Each folder belongs to the shard holding most of its pages.
    """
    pages = [page for shard in shards for page in shard.pages]
    if not pages or any(GLOB_SPECIALS & set(page.save_as) for page in pages):
        return None
    parts = {page: page.save_as.split("/") for page in pages}
    shallowest = min(len(p) for p in parts.values())
    for depth in range(1, shallowest):
        counts: dict[str, Counter[int]] = {}
        for index, shard in enumerate(shards):
            for page in shard.pages:
                counts.setdefault("/".join(parts[page][:depth]), Counter())[index] += 1
        owner = {prefix: max(c, key=lambda i: (c[i], i)) for prefix, c in counts.items()}
        moved = sum(n for prefix, c in counts.items() for i, n in c.items() if i != owner[prefix])
        owned: list[list[str]] = [[] for _ in shards]
        for prefix in sorted(owner):
            owned[owner[prefix]].append(prefix)
        if moved > MOST_MOVED * len(pages) or not all(owned):
            continue
        regrouped: list[list[SearchPage]] = [[] for _ in shards]
        for page in pages:
            regrouped[owner["/".join(parts[page][:depth])]].append(page)
        ordered = [sorted(group, key=lambda page: (page.month, page.save_as)) for group in regrouped]
        # One bundle keeps its month name; several are named after the folder each starts with.
        names = [prefixes[0].replace("/", "-") for prefixes in owned] if len(shards) > 1 else [shards[0].name]
        named = [_shard(group, name) for group, name in zip(ordered, names, strict=True)]
        return named, [_glob(prefixes) for prefixes in owned]
    return None


def _glob(prefixes: list[str]) -> str:
    patterns = [f"{prefix}/**/*.html" for prefix in prefixes]
    return patterns[0] if len(patterns) == 1 else "{" + ",".join(patterns) + "}"
