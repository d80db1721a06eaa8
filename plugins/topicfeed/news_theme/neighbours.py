"""Previous and next story within an article's topic.

An article's topic here is its first one (the exporter lists the main topic first). Within that
topic the stories are ordered by date, ties broken by source path, so the same content always
gives the same links (the build is deterministic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


@dataclass(frozen=True, slots=True)
class StoryRef:
    """What a page shows of another story: its headline and site-relative URL.

    Only these, never the article itself: a page's inputs stay what it shows (the incremental writer
    digests them), and no article refers to another one in a chain.
    """

    title: str
    url: str

    def __fingerprint__(self) -> str:
        """What the incremental writer digests for this reference: both strings, quoted by ``repr``."""
        return repr((self.title, self.url))


@dataclass(frozen=True, slots=True)
class TopicNeighbours:
    """The stories before and after an article in its main topic; either may be None."""

    topic: Any  # a Pelican Tag
    older: StoryRef | None = None
    newer: StoryRef | None = None


def _order(article: Any) -> tuple[Any, str]:
    return article.date, str(getattr(article, "source_path", "") or "")


def topic_neighbours(
    articles: Sequence[Any], tags: Mapping[Any, Sequence[Any]]
) -> dict[int, TopicNeighbours]:
    """For each article with a topic (by ``id``), its older and newer story in its first topic.

    ``tags`` is Pelican's grouping of the published articles by tag; articles that are not in
    it (hidden, or without topics) get nothing.
    """
    positions: dict[Any, dict[int, int]] = {}
    ordered: dict[Any, list[Any]] = {}
    found: dict[int, TopicNeighbours] = {}
    # One reference per story, shared by both stories beside it: half the objects, and the page
    # keys digest each once.
    refs: dict[int, StoryRef] = {}

    def ref(story: Any | None) -> StoryRef | None:
        if story is None:
            return None
        made = refs.get(id(story))
        if made is None:
            made = refs[id(story)] = StoryRef(str(story.title), str(story.url))
        return made

    for article in articles:
        topics = getattr(article, "tags", None) or ()
        if not topics or topics[0] not in tags:
            continue
        topic = topics[0]
        if topic not in ordered:
            ordered[topic] = sorted(tags[topic], key=_order)
            positions[topic] = {id(a): i for i, a in enumerate(ordered[topic])}
        stories = ordered[topic]
        index = positions[topic].get(id(article))
        if index is None:
            continue
        older = stories[index - 1] if index > 0 else None
        newer = stories[index + 1] if index + 1 < len(stories) else None
        found[id(article)] = TopicNeighbours(topic, ref(older), ref(newer))
    return found


def neighbour_urls(stories: Sequence[tuple[tuple[str, ...], float, str, str]]) -> list[tuple[str, str]]:
    """:func:`topic_neighbours` from plain values (derivation of ``theme-data`` for the site model).

    ``stories``: each published story's topic slugs (first topic first), date (POSIX
    timestamp), source path and URL. Returns each one's older and newer story's URL in its
    first topic ("" where there is none), by running the build's own function on stand-ins.
    """
    stand_ins = [
        SimpleNamespace(tags=list(topics), date=date, source_path=path, title="", url=url)
        for topics, date, path, url in stories
    ]
    tags: dict[str, list[Any]] = {}
    for story in stand_ins:
        for slug in story.tags:
            tags.setdefault(slug, []).append(story)
    found = topic_neighbours(stand_ins, tags)
    result = []
    for story in stand_ins:
        neighbours = found.get(id(story))
        older = newer = ""
        if neighbours is not None:
            older = "" if neighbours.older is None else neighbours.older.url
            newer = "" if neighbours.newer is None else neighbours.newer.url
        result.append((older, newer))
    return result
