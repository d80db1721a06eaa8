"""The related-reach measurement counts the related step's own lists, and its bound holds."""

from __future__ import annotations

import pytest

from bench.related_reach import bound, computed_lists, reach
from bench.related_step import plugin_settings, synthetic
from topicfeed.model import NewsItem
from topicfeed.related_stories.graph import decide
from topicfeed.related_stories.score import title_words

SETTINGS, _ = plugin_settings()


@pytest.fixture(scope="module")
def items() -> list[NewsItem]:
    return [item for item in synthetic(1500, 1) if item.published]


def test_the_lists_counted_are_the_steps_and_each_is_the_best_of_its_candidates(
    items: list[NewsItem],
) -> None:
    # A negative margin would mean a shown story scoring below one not shown, or below the threshold.
    _, lists = computed_lists(items, SETTINGS)
    decided = decide(items, SETTINGS).computed
    assert len(lists) > 500
    for chosen, margin, i, *_ in lists.values():
        assert chosen == [items[j].source_path for j in decided[i]]
        assert margin >= 0
    assert sum(1 for chosen, *_ in lists.values() if chosen) == sum(1 for found in decided if found)


def test_a_story_moves_no_score_of_an_item_sharing_no_term_further_than_the_bound(
    items: list[NewsItem],
) -> None:
    # Without a shared term an item's candidates stay the same; only the terms' weights move.
    story = items[700]
    without = [item for item in items if item is not story]
    before, _ = computed_lists(without, SETTINGS)
    after, _ = computed_lists([*without, story], SETTINGS)
    story_terms = {*after.terms(len(without))[0], *title_words(story.title)}
    checked = 0
    for i, item in enumerate(without):
        if not story_terms.isdisjoint([*before.terms(i)[0], *title_words(item.title)]):
            continue
        old, new = before.scores(i), after.scores(i)
        assert old.keys() == new.keys()
        limit = bound(before, after, i, SETTINGS)
        moved = max((abs(new[j] - old[j]) for j in old), default=0.0)
        assert moved <= limit + 1e-12
        checked += moved > 0
    assert checked > 50


def test_every_changed_list_is_one_a_shortcut_would_decide_again(items: list[NewsItem]) -> None:
    changed = 0
    for k in (0, 700, 1400, len(items) - 1):
        story = items[k]
        counts = reach([item for item in items if item is not story], story, SETTINGS)
        assert counts["changed outside all"] == 0
        assert counts["computed"] > counts["within the bound"] > counts["of those sharing none"] > 0
        changed += counts["changed"]
    assert changed > 0


def test_the_same_items_move_no_score(items: list[NewsItem]) -> None:
    scorer, lists = computed_lists(items, SETTINGS)
    again, _ = computed_lists(items, SETTINGS)
    assert all(bound(scorer, again, i, SETTINGS) == 0 for _, _, i, *_ in lists.values())
