"""The story graph: cross-links, backlinks and story clusters over the story index.

Everything works on item positions (ints) over plain :class:`NewsItem` objects and the URLs of
their pages, so it runs without Pelican (the benchmark and the unit tests use it directly).
Every step is a single pass over the items or their related lists: linear in the number of
cross-links, whatever the size of the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from topicfeed.gc_pause import gc_paused
from topicfeed.model import NewsItem
from topicfeed.stories import date_order, story_index

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
    empty: list = []  # shared by the many items without a related list (never appended to)
    for item in items:
        if not item.related:
            result.listed.append(empty)
            result.outside.append(empty)
            continue
        own = item.url_keys
        listed: list[int] = []
        outside: list[NewsItem] = []
        seen_ours: set[int] = set()
        seen_outside: set[str] = set()
        for entry in item.related:
            keys = entry.url_keys
            if any(map(own.__contains__, keys)):
                result.self_dropped += 1
                continue
            target = None
            for key in keys:
                target = index.get(key)
                if target is not None:
                    break
            if target is not None:
                if target in seen_ours:
                    result.duplicates_dropped += 1
                    continue
                seen_ours.add(target)
                listed.append(target)
            else:
                if not seen_outside.isdisjoint(keys):
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


def clusters(
    items: Sequence[NewsItem], links: CrossLinks, index: dict[str, int], order: Sequence[int]
) -> Clusters:
    """Union-find over cross-links; items sharing a story URL are one story too.

    An outside story listed by several items is shown as the oldest of them lists it.
    """
    n = len(items)
    sets = UnionFind(n)
    union = sets.union
    node_of: dict[str, int] = {}
    outside: list[NewsItem] = []
    outside_nodes: list[list[int]] = [[] for _ in range(n)]
    for i in order:
        for key in items[i].url_keys:
            if index[key] != i:
                union(i, index[key])
        for j in links.listed[i]:
            union(i, j)
        for entry in links.outside[i]:
            node = None
            for key in entry.url_keys:
                node = node_of.get(key)
                if node is not None:
                    break
            if node is None:
                node = sets.add()
                outside.append(entry)
            for key in entry.url_keys:
                known = node_of.setdefault(key, node)
                if known != node:
                    union(node, known)
            union(i, node)
            outside_nodes[i].append(node)
    find, size, parent = sets.find, sets.size, sets.parent
    root = [x if parent[x] == x else find(x) for x in range(len(parent))]
    members: dict[int, list[int]] = {}
    for x, r in enumerate(root):
        if size[r] > 1:
            members.setdefault(r, []).append(x)
    times = [item.published_at.timestamp() for item in items] + [s.published_at.timestamp() for s in outside]
    keys = [item.url_keys[0] for item in items] + [s.url_keys[0] for s in outside]
    for group in members.values():
        # ours first, then outside stories; newest first; then by story key
        group.sort(key=lambda x: (x >= n, -times[x], keys[x]))
    return Clusters(root=root, members=members, outside=outside, outside_nodes=outside_nodes)


def relate(items: Sequence[NewsItem], urls: Sequence[str], settings: RelatedSettings) -> list[Relations]:
    """The whole related step: what each item's page shows, by position in ``items``.

    ``urls`` are the site-relative URLs of the items' own pages.
    """
    with gc_paused():
        return _relate(items, urls, settings)


def _relate(items: Sequence[NewsItem], urls: Sequence[str], settings: RelatedSettings) -> list[Relations]:
    n = len(items)
    tz = settings.timezone
    order = date_order(items)
    index = story_index(items, order)
    links = cross_links(items, index)
    back = backlinks(links, order)
    groups = clusters(items, links, index, order)
    scorer = RelatedScorer(items, settings, order)
    if links.self_dropped or links.duplicates_dropped:
        logger.info(
            "related stories: %d entries naming the item itself and %d repeated entries dropped",
            links.self_dropped,
            links.duplicates_dropped,
        )

    ours = [story_link(item, url, tz) for item, url in zip(items, urls, strict=True)]
    computed_links: dict[int, StoryLink] = {}
    outside_links: dict[int, StoryLink] = {}

    def computed_link(j: int) -> StoryLink:
        if j not in computed_links:
            computed_links[j] = ours[j]._replace(computed=True)
        return computed_links[j]

    # Items list the same outside story under their own entries: equal links become one object,
    # so it is held once and its digest (a page key reads every link) is made once a build.
    equal_outside: dict[StoryLink, StoryLink] = {}

    def outside_story_link(entry: NewsItem) -> StoryLink:
        link = story_link(entry, None, tz)
        return equal_outside.setdefault(link, link)

    def outside_link(node: int) -> StoryLink:
        if node not in outside_links:
            outside_links[node] = outside_story_link(groups.outside[node - n])
        return outside_links[node]

    min_related, cluster_max, best = settings.min_related, settings.cluster_max, scorer.best
    root_of, members_of = groups.root, groups.members
    result: list[Relations] = []
    rows = zip(range(n), links.listed, links.outside, groups.outside_nodes, back, strict=True)
    for i, listed, outside, nodes, back_i in rows:
        computed: list[int] = []
        need = min_related - len(listed) - len(outside)
        if need > 0:
            computed = best(i, need, {i, *listed, *back_i})
        related = (
            *[ours[j] for j in listed],
            *[computed_link(j) for j in computed],
            *[outside_story_link(entry) for entry in outside],
        )
        root = root_of[i]
        members = members_of.get(root)
        if not members:  # a story on its own: no cross-links, so no backlinks and no cluster
            result.append(Relations(related, (), (), 0, root, 1))
            continue
        # Everything shown but the computed stories is in this cluster by construction.
        shown = {i, *listed, *back_i, *computed, *nodes}
        total = len(members) - len(shown) + sum(1 for j in computed if root_of[j] != root)
        more: list[StoryLink] = []
        for x in members:
            if len(more) >= cluster_max:
                break
            if x not in shown:
                more.append(ours[x] if x < n else outside_link(x))
        result.append(
            Relations(related, tuple([ours[j] for j in back_i]), tuple(more), total, root, len(members))
        )
    return result
