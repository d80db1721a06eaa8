"""An article's lists of links as a rebuild's pages get them: made when a template first reads one.

A rebuild from the site model makes a Pelican article for every story a page it renders shows,
and dresses each with its related links, backlinks and more coverage. The theme's list pages
(home, topics, sources: most of what an added story re-renders) show none of them, only its
article page does; yet making the links was about a third of making an article (0.18 of 0.57 s
of CPU at 10,000 items, one story added, 424 pages). So each list is a :class:`LazyLinks`: a
read-only sequence equal to the tuple the build hangs there, made from the site's relations on
its first read, whatever reads it (a custom theme's list page too). The counts beside them
(``more_coverage_total``, ``cluster_size``) are plain integers, found without making links.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal, overload

from .graph import Related
from .links import StoryLink

#: The lists of :class:`~.links.Relations` an article carries (under the same attribute names,
#: but ``related``, which it carries as ``related_links``).
Field = Literal["related", "backlinks", "more_coverage"]


class LazyLinks(Sequence[StoryLink]):
    """Item ``position``'s ``field`` of ``relations`` (a tuple of links), made when first read.

    Behaves as that tuple for every read a template makes (length, truth, items, slices,
    iteration, membership, equality, concatenation) and pickles as it.
    """

    __slots__ = ("_field", "_links", "_position", "_relations")

    def __init__(self, relations: Related, position: int, field: Field) -> None:
        self._relations, self._position, self._field = relations, position, field
        self._links: tuple[StoryLink, ...] | None = None

    @property
    def links(self) -> tuple[StoryLink, ...]:
        """The links themselves (made on the first read of any of them)."""
        links = self._links
        if links is None:
            links = self._links = getattr(self._relations[self._position], self._field)
        return links

    def __len__(self) -> int:
        return len(self.links)

    @overload
    def __getitem__(self, index: int) -> StoryLink: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[StoryLink, ...]: ...
    def __getitem__(self, index: int | slice) -> StoryLink | tuple[StoryLink, ...]:
        return self.links[index]

    def __iter__(self) -> Iterator[StoryLink]:
        return iter(self.links)

    def __reversed__(self) -> Iterator[StoryLink]:
        return reversed(self.links)

    def __contains__(self, value: object) -> bool:
        return value in self.links

    def __eq__(self, other: object) -> bool:
        return self.links == (other.links if isinstance(other, LazyLinks) else other)

    def __hash__(self) -> int:
        return hash(self.links)

    def __add__(self, other: Any) -> Any:
        return self.links + (other.links if isinstance(other, LazyLinks) else other)

    def __radd__(self, other: Any) -> Any:
        return other + self.links

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return tuple, (self.links,)

    def __repr__(self) -> str:
        return repr(self.links)
