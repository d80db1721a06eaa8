"""What the related step decides, by position in the items it was given: the types only.

Kept apart from the step (:mod:`.graph`) and from the store that keeps its decisions between
builds (:mod:`.memo`), which both use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from topicfeed.model import NewsItem


@dataclass
class CrossLinks:
    """Each item's related list resolved: our items by position, outside stories as items
    (``outside_at``: where each is in the item's related list)."""

    listed: list[list[int]] = field(default_factory=list)
    outside: list[list[NewsItem]] = field(default_factory=list)
    outside_at: list[list[int]] = field(default_factory=list)
    self_dropped: int = 0
    duplicates_dropped: int = 0


@dataclass
class Clusters:
    """Connected components of the cross-link graph.

    Nodes are our items (``0..n-1``) and outside stories (``n..``, one per story whatever its
    spelling); ``members`` of a component (two nodes or more) are sorted ours first, then
    outside, newest first; ``outside_nodes[i]`` are the nodes of item ``i``'s outside stories;
    ``outside_from`` says where each of ``outside`` is: the item and the place in its related list.
    """

    root: list[int]
    members: dict[int, list[int]]
    outside: list[NewsItem]
    outside_nodes: list[list[int]]
    outside_from: list[tuple[int, int]] = field(default_factory=list)


class Decisions(NamedTuple):
    """What the related step decides, by position in the items it was given: everything a
    :class:`.graph.Related` shows, before any link is made."""

    links: CrossLinks
    back: list[list[int]]
    groups: Clusters
    computed: list[list[int]]
