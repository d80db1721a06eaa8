"""How far one story's arrival or withdrawal reaches into the related step's computed lists.

For the exact shortcut `docs/performance.md` weighs ("How many computed lists one story
changes"): the related step decides again in full after any added or withdrawn story, because
every term's weight ``ln(N / df)`` moves. This decides the computed stories of every item with
and without one story, and counts:

- the items given computed stories, and how many of their lists the change altered;
- the items sharing a term with the changed story: a topic or any headline word, not only the
  rarest ones that count (the posting lists hold every word, and the story's words' counts decide
  which of an item's words are its rarest), so only these can see their windows or words change;
- the items whose margin is within twice the bound of how far their scores can move: the
  smallest of the gaps between the shown candidates' scores, the last shown against the best
  candidate not shown, and each against ``RELATED_THRESHOLD``, against
  ``sum over kinds of weight * 2D / (S - D)``, ``S`` the sum of the item's own terms' weights and
  ``D`` the sum of their changes;
- the items whose own cross-links or backlinks name the changed story (how many computed
  stories they get, and which never, change with it);
- the lists that changed outside these sets: an exact shortcut must find none.

Usage, from the repository root: ``PYTHONPATH=plugins python -m bench.related_reach FOLDER
[--withdraw NAME ...] [--add FILE ...]``: ``--withdraw`` names published item files of
``FOLDER`` (each taken out in turn), ``--add`` item files from elsewhere (each added in turn),
for example the benchmark's ``extra/news/`` story.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
from collections.abc import Sequence
from pathlib import Path

from topicfeed.model import NewsItem
from topicfeed.related_stories.graph import computed_wanted, decide, never_computed
from topicfeed.related_stories.score import RelatedScorer, title_words
from topicfeed.related_stories.settings import RelatedSettings
from topicfeed.stories import date_order

from .related_step import from_folder, plugin_settings

#: What :func:`computed_lists` finds of an item: the files chosen, its margin, its position, and
#: how many it may get and which files never (its own cross-links decide both).
Found = tuple[list[str], float, int, int, frozenset[str]]


def computed_lists(
    items: Sequence[NewsItem], settings: RelatedSettings
) -> tuple[RelatedScorer, dict[str, Found]]:
    """The scorer, and for each item given computed stories (by file): the files the step chose
    (:func:`decide`), its margin, its position and the rule's two inputs."""
    decisions = decide(items, settings)
    scorer = RelatedScorer(items, settings, date_order(items))
    found: dict[str, Found] = {}
    for i, chosen in enumerate(decisions.computed):
        need = computed_wanted(settings, decisions.links, i)
        if need <= 0:
            continue
        exclude = never_computed(decisions.links, decisions.back, i)
        scores = scorer.scores(i)
        shown = [scores[j] for j in chosen]
        rest = sorted((v for j, v in scores.items() if j not in exclude and j not in chosen), reverse=True)
        margin = min([a - b for a, b in itertools.pairwise(shown)], default=math.inf)
        if shown:
            margin = min(margin, shown[-1] - settings.threshold)
        if rest:
            margin = min(margin, (shown[-1] if len(chosen) == need else settings.threshold) - rest[0])
        paths = frozenset(items[j].source_path for j in exclude)
        found[items[i].source_path] = ([items[j].source_path for j in chosen], margin, i, need, paths)
    return scorer, found


def bound(before: RelatedScorer, after: RelatedScorer, i: int, settings: RelatedSettings) -> float:
    """How far any score of item ``i`` (position in ``before``) can move between the two."""
    total = 0.0
    for terms, weight in zip(before.terms(i), (settings.topic_weight, settings.title_weight), strict=True):
        own = sum(before.idf[t] for t in terms)
        if own <= 0 or weight <= 0:
            continue
        moved = sum(abs(after.idf.get(t, 0.0) - before.idf[t]) for t in terms)
        total += math.inf if moved >= own else weight * 2 * moved / (own - moved)
    return total


def reach(without: list[NewsItem], story: NewsItem, settings: RelatedSettings) -> dict[str, int]:
    """What adding ``story`` to ``without`` (or, the same lists, withdrawing it) reaches."""
    before, lists = computed_lists(without, settings)
    after, new_lists = computed_lists([*without, story], settings)
    story_terms = {*after.terms(len(without))[0], *title_words(story.title)}
    sharing = within = within_alone = relinked = missed = changed = 0
    for path, (chosen, margin, i, need, never) in lists.items():
        shares = not story_terms.isdisjoint([*before.terms(i)[0], *title_words(without[i].title)])
        close = margin <= 2 * bound(before, after, i, settings)
        now = new_lists.get(path)
        linked = now is None or now[3:] != (need, never)  # its cross-links name the story
        altered = now is None or now[0] != chosen
        sharing += shares
        within += close
        within_alone += close and not shares
        relinked += linked
        changed += altered
        missed += altered and not (shares or close or linked)
    return {
        "computed": len(lists),
        "changed": changed,
        "cross-linked to it": relinked,
        "sharing a term": sharing,
        "within the bound": within,
        "of those sharing none": within_alone,
        "changed outside all": missed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--withdraw", nargs="*", default=[], help="item files of FOLDER to take out")
    parser.add_argument("--add", nargs="*", type=Path, default=[], help="item files to add")
    args = parser.parse_args()
    settings, _ = plugin_settings()
    items = from_folder(args.folder)
    gc.disable()  # as the related step runs: nothing here is garbage
    cases: list[tuple[str, list[NewsItem], NewsItem]] = []
    for name in args.withdraw:
        story = next(item for item in items if Path(item.source_path).name == name)
        cases.append((f"withdrawn {name}", [item for item in items if item is not story], story))
    for path in args.add:
        extra = [item for item in from_folder(path.parent) if Path(item.source_path).name == path.name]
        cases.append((f"added {path.name}", items, extra[0]))
    for label, without, story in cases:
        counts = reach(without, story, settings)
        print(label + ": " + ", ".join(f"{name} {value:,}" for name, value in counts.items()))


if __name__ == "__main__":
    main()
