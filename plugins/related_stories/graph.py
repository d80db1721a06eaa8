"""The story graph: one story index, cross-links, backlinks and story clusters.

Everything works on item positions (ints) over plain :class:`NewsItem` objects and the URLs of
their pages, so it runs without Pelican (the benchmark and the unit tests use it directly).
Every step is a single pass over the items or their related lists: linear in the number of
cross-links, whatever the size of the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from news_reader.model import NewsItem

from .links import Relations, StoryLink, story_link
from .score import RelatedScorer
from .settings import RelatedSettings

logger = logging.getLogger(__name__)


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int = 0) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def add(self) -> int:
        self.parent.append(len(self.parent))
        self.size.append(1)
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def story_index(items: Sequence[NewsItem], order: Sequence[int]) -> dict[str, int]:
    """Map every URL key of every item to the item carrying it; the earliest item wins a key.

    ``order`` is the items sorted by (date, story key, file): two files carrying the same
    story (the news reader warns about them) are found under the earliest one.
    """
    index: dict[str, int] = {}
    for i in order:
        for key in items[i].url_keys:
            index.setdefault(key, i)
    return index


@dataclass
class CrossLinks:
    """Each item's related list resolved: our items by position, outside stories as items."""

    listed: list[list[int]] = field(default_factory=list)
    outside: list[list[NewsItem]] = field(default_factory=list)
    self_dropped: int = 0
    duplicates_dropped: int = 0


def cross_links(items: Sequence[NewsItem], index: dict[str, int]) -> CrossLinks:
    """Resolve every related entry by the rules of the README (self and duplicates dropped).

    An entry is the item itself when any spelling of its URL is one of the item's own; it is
    another item of ours when any spelling is in the index (published items only); anything
    else (an unpublished item of the feed, a story from outside) stays an outside story.
    """
    result = CrossLinks()
    for item in items:
        own = item.url_keys
        listed: list[int] = []
        outside: list[NewsItem] = []
        seen_ours: set[int] = set()
        seen_outside: set[str] = set()
        for entry in item.related:
            keys = entry.url_keys
            if any(key in own for key in keys):
                result.self_dropped += 1
                continue
            target = next((index[key] for key in keys if key in index), None)
            if target is not None:
                if target in seen_ours:
                    result.duplicates_dropped += 1
                    continue
                seen_ours.add(target)
                listed.append(target)
            else:
                if any(key in seen_outside for key in keys):
                    result.duplicates_dropped += 1
                    continue
                seen_outside.update(keys)
                outside.append(entry)
        result.listed.append(listed)
        result.outside.append(outside)
    return result


def backlinks(links: CrossLinks, order: Sequence[int]) -> list[list[int]]:
    """For each item, our items that list it and that it does not list itself, newest first."""
    back: list[list[int]] = [[] for _ in links.listed]
    for i in reversed(order):
        for j in links.listed[i]:
            back[j].append(i)
    for j, sources in enumerate(back):
        if sources:
            mine = set(links.listed[j])
            back[j] = [i for i in sources if i not in mine]
    return back


@dataclass
class Clusters:
    """Connected components of the cross-link graph.

    Nodes are our items (``0..n-1``) and outside stories (``n..``, one per story whatever its
    spelling); ``members`` of a component (two nodes or more) are sorted ours first, then
    outside, newest first; ``outside_nodes[i]`` are the nodes of item ``i``'s outside stories.
    """

    root: list[int]
    members: dict[int, list[int]]
    outside: list[NewsItem]
    outside_nodes: list[list[int]]


def clusters(items: Sequence[NewsItem], links: CrossLinks, index: dict[str, int]) -> Clusters:
    """Union-find over cross-links; items sharing a story URL are one story too."""
    n = len(items)
    sets = UnionFind(n)
    node_of: dict[str, int] = {}
    outside: list[NewsItem] = []
    outside_nodes: list[list[int]] = []
    for i, item in enumerate(items):
        for key in item.url_keys:
            sets.union(i, index[key])
        for j in links.listed[i]:
            sets.union(i, j)
        nodes = []
        for entry in links.outside[i]:
            node = next((node_of[k] for k in entry.url_keys if k in node_of), None)
            if node is None:
                node = sets.add()
                outside.append(entry)
            for key in entry.url_keys:
                known = node_of.setdefault(key, node)
                sets.union(node, known)
            sets.union(i, node)
            nodes.append(node)
        outside_nodes.append(nodes)
    root = [sets.find(x) for x in range(len(sets.parent))]
    members: dict[int, list[int]] = {}
    for x, r in enumerate(root):
        if sets.size[r] > 1:
            members.setdefault(r, []).append(x)

    def newest_first(x: int) -> tuple[bool, float, str]:
        story = items[x] if x < n else outside[x - n]
        return (x >= n, -story.published_at.timestamp(), story.key)

    for group in members.values():
        group.sort(key=newest_first)
    return Clusters(root=root, members=members, outside=outside, outside_nodes=outside_nodes)


def date_order(items: Sequence[NewsItem]) -> list[int]:
    """Positions sorted oldest first by (date, story key, file): the one deterministic order."""
    return sorted(
        range(len(items)), key=lambda i: (items[i].published_at, items[i].key, items[i].source_path)
    )


def relate(items: Sequence[NewsItem], urls: Sequence[str], settings: RelatedSettings) -> list[Relations]:
    """The whole related step: what each item's page shows, by position in ``items``.

    ``urls`` are the site-relative URLs of the items' own pages.
    """
    n = len(items)
    tz = settings.timezone
    order = date_order(items)
    index = story_index(items, order)
    links = cross_links(items, index)
    back = backlinks(links, order)
    groups = clusters(items, links, index)
    scorer = RelatedScorer(items, settings, order)

    ours = [story_link(item, url, tz) for item, url in zip(items, urls, strict=True)]
    outside_links: dict[int, StoryLink] = {}

    def outside_link(node: int) -> StoryLink:
        if node not in outside_links:
            outside_links[node] = story_link(groups.outside[node - n], None, tz)
        return outside_links[node]

    result: list[Relations] = []
    for i in range(n):
        listed, outside = links.listed[i], links.outside[i]
        computed: list[int] = []
        need = settings.min_related - len(listed) - len(outside)
        if need > 0:
            computed = scorer.best(i, need, exclude={i, *listed, *back[i]})
        related = (
            *(ours[j] for j in listed),
            *(story_link(items[j], urls[j], tz, computed=True) for j in computed),
            *(story_link(entry, None, tz) for entry in outside),
        )
        root = groups.root[i]
        members = groups.members.get(root, ())
        shown = {i, *listed, *back[i], *computed, *groups.outside_nodes[i]}
        total = len(members) - sum(1 for x in shown if groups.root[x] == root) if members else 0
        more: list[StoryLink] = []
        for x in members:
            if len(more) >= settings.cluster_max:
                break
            if x not in shown:
                more.append(ours[x] if x < n else outside_link(x))
        result.append(
            Relations(
                related=related,
                backlinks=tuple(ours[j] for j in back[i]),
                more_coverage=tuple(more),
                more_coverage_total=total,
                cluster=root,
                cluster_size=len(members) or 1,
            )
        )
    return result
