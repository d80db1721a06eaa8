"""The story graph: cross-links, backlinks and story clusters over the story index.

Everything works on item positions (ints) over plain :class:`NewsItem` objects and the URLs of
their pages, so it runs without Pelican (the benchmark and the unit tests use it directly).
Every step is a single pass over the items or their related lists: linear in the number of
cross-links, whatever the size of the feed.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, overload

from topicfeed.gc_pause import gc_paused
from topicfeed.model import NewsItem
from topicfeed.stories import date_order, story_index

from . import memo
from .decisions import Clusters, CrossLinks, Decisions
from .links import Relations, StoryLink, story_link
from .score import RelatedScorer
from .settings import RelatedSettings

logger = logging.getLogger(__name__)

#: What the log says when the step takes kept decisions (:mod:`.memo`).
KEPT = "kept decisions used"


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
            result.outside_at.append(empty)
            continue
        own = item.url_keys
        listed: list[int] = []
        outside: list[NewsItem] = []
        outside_at: list[int] = []
        seen_ours: set[int] = set()
        seen_outside: set[str] = set()
        for k, entry in enumerate(item.related):
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
                outside_at.append(k)
        result.listed.append(listed)
        result.outside.append(outside)
        result.outside_at.append(outside_at)
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


def clusters(
    items: Sequence[NewsItem],
    links: CrossLinks,
    index: dict[str, int],
    order: Sequence[int],
    times: list[float] | None = None,
    keys: list[str] | None = None,
) -> Clusters:
    """Union-find over cross-links; items sharing a story URL are one story too.

    An outside story listed by several items is shown as the oldest of them lists it.
    ``times`` and ``keys``: each item's ``published_at.timestamp()`` and story key, when the
    caller has them already.
    """
    n = len(items)
    sets = UnionFind(n)
    union = sets.union
    node_of: dict[str, int] = {}
    outside: list[NewsItem] = []
    outside_from: list[tuple[int, int]] = []
    outside_nodes: list[list[int]] = [[] for _ in range(n)]
    for i in order:
        for key in items[i].url_keys:
            if index[key] != i:
                union(i, index[key])
        for j in links.listed[i]:
            union(i, j)
        for entry, k in zip(links.outside[i], links.outside_at[i], strict=True):
            node = None
            for key in entry.url_keys:
                node = node_of.get(key)
                if node is not None:
                    break
            if node is None:
                node = sets.add()
                outside.append(entry)
                outside_from.append((i, k))
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
    if times is None:
        times = [item.published_at.timestamp() for item in items]
    if keys is None:
        keys = [item.url_keys[0] for item in items]
    times = times + [s.published_at.timestamp() for s in outside]
    keys = keys + [s.url_keys[0] for s in outside]
    for group in members.values():
        # ours first, then outside stories; newest first; then by story key
        group.sort(key=lambda x: (x >= n, -times[x], keys[x]))
    return Clusters(root, members, outside, outside_nodes, outside_from)


class RelatedKeys(NamedTuple):
    """What an item's page links to, by story key (:attr:`StoryLink.key`): what the site model
    records of its relations, made without making a single link."""

    related: tuple[str, ...]
    backlinks: tuple[str, ...]
    more_coverage: tuple[str, ...]
    more_coverage_total: int
    cluster: int
    cluster_size: int


class Related(Sequence[Relations]):
    """Every item's :class:`Relations`, by position, each made the first time it is asked for.

    The related step decides by position (what each page lists, in which order); the links are
    only what a page shows. A rebuild from the site model renders a handful of pages but records
    every item's relations by key (:meth:`keys`), so making the links of every item (the
    outside stories' most of all) was a fifth of its related step.
    """

    def __init__(
        self, items: Sequence[NewsItem], urls: Sequence[str], settings: RelatedSettings, decisions: Decisions
    ) -> None:
        self._items, self._urls, self._tz = items, urls, settings.timezone
        self._cluster_max = settings.cluster_max
        self._links, self._back, self._groups, self._computed = decisions
        self._made: dict[int, Relations] = {}
        #: Each item's ``more_coverage_total`` once :meth:`keys` found it (-1: not yet), for
        #: :meth:`counts`: the site model asks every item's keys before any page is rendered.
        self._totals = array("l", [-1]) * len(items)
        self._ours: dict[int, StoryLink] = {}
        self._computed_links: dict[int, StoryLink] = {}
        self._outside_links: dict[int, StoryLink] = {}
        # Items list the same outside story under their own entries: equal links become one
        # object, so it is held once and its digest (a page key reads every link) is made once.
        self._equal_outside: dict[StoryLink, StoryLink] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Relations]:
        return map(self.__getitem__, range(len(self._items)))

    @overload
    def __getitem__(self, i: int) -> Relations: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Relations]: ...
    def __getitem__(self, i: int | slice) -> Relations | Sequence[Relations]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        if not -len(self._items) <= i < len(self._items):
            raise IndexError(i)
        if i < 0:
            i += len(self._items)
        found = self._made.get(i)
        if found is None:
            found = self._made[i] = self._relations(i)
        return found

    def _more(self, i: int) -> tuple[list[int], int]:
        """The rest of item ``i``'s cluster as nodes (at most ``RELATED_CLUSTER_MAX``), and how
        many of the cluster its page does not show elsewhere."""
        groups = self._groups
        root = groups.root[i]
        members = groups.members.get(root)
        if not members:  # a story on its own: no cross-links, so no backlinks and no cluster
            return [], 0
        computed = self._computed[i]
        # Everything shown but the computed stories is in this cluster by construction.
        shown = {i, *self._links.listed[i], *self._back[i], *computed, *groups.outside_nodes[i]}
        root_of = groups.root
        total = len(members) - len(shown) + sum(1 for j in computed if root_of[j] != root)
        more: list[int] = []
        cluster_max = self._cluster_max
        for x in members:
            if len(more) >= cluster_max:
                break
            if x not in shown:
                more.append(x)
        return more, total

    def counts(self, i: int) -> tuple[int, int]:
        """Item ``i``'s ``more_coverage_total`` and ``cluster_size``, as :meth:`__getitem__` gives
        them, without making its links (:mod:`.lazy_links`)."""
        groups = self._groups
        members = groups.members.get(groups.root[i])
        if not members:
            return 0, 1
        total = self._totals[i]
        return (self._more(i)[1] if total < 0 else total), len(members)

    def keys(self, i: int) -> RelatedKeys:
        """Item ``i``'s relations by story key: the keys of the links :meth:`__getitem__` makes."""
        items, groups = self._items, self._groups
        n = len(items)
        more, total = self._more(i)
        self._totals[i] = total
        outside = groups.outside
        members = groups.members.get(groups.root[i])
        return RelatedKeys(
            (
                *[items[j].url_keys[0] for j in self._links.listed[i]],
                *[items[j].url_keys[0] for j in self._computed[i]],
                *[entry.url_keys[0] for entry in self._links.outside[i]],
            ),
            tuple([items[j].url_keys[0] for j in self._back[i]]),
            tuple([items[x].url_keys[0] if x < n else outside[x - n].url_keys[0] for x in more]),
            total,
            groups.root[i],
            len(members) if members else 1,
        )

    def _our(self, j: int) -> StoryLink:
        link = self._ours.get(j)
        if link is None:
            link = self._ours[j] = story_link(self._items[j], self._urls[j], self._tz)
        return link

    def _computed_link(self, j: int) -> StoryLink:
        link = self._computed_links.get(j)
        if link is None:
            link = self._computed_links[j] = self._our(j)._replace(computed=True)
        return link

    def _outside_story_link(self, entry: NewsItem) -> StoryLink:
        link = story_link(entry, None, self._tz)
        return self._equal_outside.setdefault(link, link)

    def _outside_link(self, node: int) -> StoryLink:
        link = self._outside_links.get(node)
        if link is None:
            entry = self._groups.outside[node - len(self._items)]
            link = self._outside_links[node] = self._outside_story_link(entry)
        return link

    def _relations(self, i: int) -> Relations:
        our = self._our
        related = (
            *[our(j) for j in self._links.listed[i]],
            *[self._computed_link(j) for j in self._computed[i]],
            *[self._outside_story_link(entry) for entry in self._links.outside[i]],
        )
        groups = self._groups
        root = groups.root[i]
        members = groups.members.get(root)
        if not members:
            return Relations(related, (), (), 0, root, 1)
        more, total = self._more(i)
        n = len(self._items)
        return Relations(
            related,
            tuple([our(j) for j in self._back[i]]),
            tuple([our(x) if x < n else self._outside_link(x) for x in more]),
            total,
            root,
            len(members),
        )


def relate(
    items: Sequence[NewsItem], urls: Sequence[str], settings: RelatedSettings, store: Path | None = None
) -> Related:
    """The whole related step: what each item's page shows, by position in ``items``.

    ``urls`` are the site-relative URLs of the items' own pages. Decided here for every item;
    each item's links are made when asked for (:class:`Related`). With a ``store`` folder, the
    decisions of a build whose items and settings gave the same inputs are taken from there
    instead (:mod:`.memo`), and new ones are kept there.
    """
    with gc_paused():
        decisions = None
        if store is not None:
            known = memo.load_item_digests(store)
            digest, found = memo.inputs_digest(items, settings, known)
            if found != known:
                memo.save_item_digests(store, found)
            decisions = memo.load(store, digest, items)
            if decisions is not None:
                logger.info("related stories: %s, decided by a build of the same inputs", KEPT)
        if decisions is None:
            decisions = decide(items, settings)
            if store is not None:
                memo.save(store, digest, decisions, items)
        links = decisions.links
        if links.self_dropped or links.duplicates_dropped:
            logger.info(
                "related stories: %d entries naming the item itself and %d repeated entries dropped",
                links.self_dropped,
                links.duplicates_dropped,
            )
        return Related(items, urls, settings, decisions)


def computed_wanted(settings: RelatedSettings, links: CrossLinks, i: int) -> int:
    """How many computed stories item ``i`` may be given: ``RELATED_MIN`` less its own entries."""
    return settings.min_related - len(links.listed[i]) - len(links.outside[i])


def never_computed(links: CrossLinks, back: list[list[int]], i: int) -> set[int]:
    """The items item ``i`` is never given as computed stories: itself, the ones it lists and
    the ones listing it (its page shows those already)."""
    return {i, *links.listed[i], *back[i]}


def decide(items: Sequence[NewsItem], settings: RelatedSettings) -> Decisions:
    """Every item's cross-links, backlinks, cluster and computed stories, by position."""
    order = date_order(items)
    index = story_index(items, order)
    links = cross_links(items, index)
    back = backlinks(links, order)
    times = [item.published_at.timestamp() for item in items]
    keys = [item.url_keys[0] for item in items]
    groups = clusters(items, links, index, order, times, keys)
    scorer = RelatedScorer(items, settings, order, times, keys)
    best = scorer.best
    computed: list[list[int]] = []
    empty: list[int] = []  # shared by the items that need no computed story (never appended to)
    for i in range(len(items)):
        need = computed_wanted(settings, links, i)
        computed.append(best(i, need, never_computed(links, back, i)) if need > 0 else empty)
    return Decisions(links, back, groups, computed)
