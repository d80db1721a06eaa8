"""A story's older and newer neighbour in its first topic, each story referred to by one object."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from topicfeed.news_theme.neighbours import StoryRef, topic_neighbours


def story(n: int, topic: str) -> SimpleNamespace:
    return SimpleNamespace(
        title=f"Story {n}", url=f"s{n}/", date=dt.datetime(2024, 1, n), source_path=f"{n}.md", tags=[topic]
    )


def test_each_story_has_its_neighbours_and_is_one_reference_for_both_of_them() -> None:
    a, b, c = story(1, "AI"), story(2, "AI"), story(3, "AI")
    found = topic_neighbours([c, a, b], {"AI": [c, a, b]})
    assert (found[id(a)].older, found[id(a)].newer) == (None, StoryRef("Story 2", "s2/"))
    assert (found[id(b)].older, found[id(b)].newer) == (
        StoryRef("Story 1", "s1/"),
        StoryRef("Story 3", "s3/"),
    )
    assert (found[id(c)].older, found[id(c)].newer) == (StoryRef("Story 2", "s2/"), None)
    # B seen from A and from C: one object, digested once by the page keys.
    assert found[id(a)].newer is found[id(c)].older


def test_a_story_outside_the_grouping_gets_nothing() -> None:
    a, lone = story(1, "AI"), story(2, "Robots")
    assert set(topic_neighbours([a, lone], {"AI": [a]})) == {id(a)}
