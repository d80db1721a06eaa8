"""Computed related stories: a declared score over an inverted index, in the spirit of Hugo.

The score of a candidate ``B`` for an item ``A`` (the README states it too)::

    score(A, B) = W_topics * shared(A, B, topics)
                + W_title  * shared(A, B, title words)
                + W_date   * 2 ** (-|days between A and B| / RELATED_DATE_HALF_LIFE_DAYS)

    shared(A, B, kind) = sum(idf(t) for A's terms t of that kind that B shares)
                         / sum(idf(t) for all A's terms t of that kind)     (0 when A has none)
    idf(t) = ln(N / df(t))      N = published items, df(t) = published items with term t

A's terms are all its topics, compared by topic key (case, spaces and hyphens ignored), and the
``RELATED_TITLE_WORDS`` rarest words of its headline (case-folded, two letters or more, no
English stopwords; B shares a word when its headline has it). A rare topic counts for much and
a topic on every item counts for nothing; each part is in ``[0, 1]``.

Sub-quadratic by construction: an inverted index maps each term to the items carrying it, in
date order. For each of A's terms only the ``RELATED_CANDIDATES`` items nearest to A in that
list (half before, half after; shifted at either end) are looked at, and a term counts as shared
with B when B is one of them. So one item costs ``terms x RELATED_CANDIDATES`` dictionary
updates whatever N is. A candidate scoring below ``RELATED_THRESHOLD`` is never shown; ties go
to the newer story, then the smaller story key, so the result does not depend on file order.
"""

from __future__ import annotations

import math
import re
from bisect import insort
from collections import defaultdict
from collections.abc import Sequence
from operator import itemgetter

from topicfeed.model import NewsItem
from topicfeed.text import topic_key

from .settings import RelatedSettings

_WORD = re.compile(r"[^\W_]{2,}")

#: English function words that say nothing about what a headline is about.
STOPWORDS = frozenset(
    """
    a about after all also an and any are as at be been but by can could did do does for from
    had has have he her his how i if in into is it its just more most new no not now of off on
    one or our out over says she so than that the their them then there these they this those
    to too up us via was we were what when where which who why will with would you your
    """.split()
)


def title_words(title: str) -> list[str]:
    """The words of a headline that can tie two stories: case-folded, 2+ letters, no stopwords."""
    return sorted(set(_WORD.findall(title.casefold())) - STOPWORDS)


class RelatedScorer:
    """Scores candidates for any item of a fixed list; built once per build.

    Items are numbered by their rank in the date order; each posting list holds the ranks of
    the items carrying a term, ascending, so the items nearest in time to an item are the
    ones around its own place in the list.
    """

    def __init__(
        self,
        items: Sequence[NewsItem],
        settings: RelatedSettings,
        order: Sequence[int],
        times: list[float] | None = None,
        story_keys: list[str] | None = None,
    ) -> None:
        """``times`` and ``story_keys``: each item's ``published_at.timestamp()`` and story key, when the
        caller has them already (:func:`.graph.decide` makes them once for every part of the step)."""
        self.items = items
        self.settings = settings
        n = len(items)
        self.order = list(order)
        self.rank = [0] * n
        for r, i in enumerate(self.order):
            self.rank[i] = r
        self.times = [item.published_at.timestamp() for item in items] if times is None else times
        self.rank_times = [self.times[i] for i in self.order]
        # Terms: a topic is "#" + its key, a title word is itself (words never hold a "#").
        # Each item keeps its terms with their positions in the posting lists, so that finding
        # its neighbours is an index, not a search.
        keys: dict[str, str] = {}  # topic name -> term, computed once per distinct name
        topics: list[tuple[list[str], list[int]]] = []
        words: list[tuple[list[str], list[int]]] = []
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for r, i in enumerate(self.order):
            item = items[i]
            mine = []
            for name in item.topics:
                term = keys.get(name)
                if term is None:
                    term = keys[name] = "#" + topic_key(name)
                mine.append(term)
            if len(mine) > 1:
                mine = sorted(set(mine))
            title = title_words(item.title)
            places = []
            for term in mine:
                ranks = postings[term]
                places.append(len(ranks))
                ranks.append(r)
            topics.append((mine, places))
            places = []
            for term in title:
                ranks = postings[term]
                places.append(len(ranks))
                ranks.append(r)
            words.append((title, places))
        self.postings = dict(postings)
        self.idf = {term: math.log(n / len(ranks)) for term, ranks in postings.items()}
        limit = settings.title_words
        df = {term: len(ranks) for term, ranks in postings.items()}.__getitem__
        for r, (title, places) in enumerate(words):
            if len(title) > limit:  # keep the rarest (alphabetical among equals: a stable sort)
                kept = sorted(sorted(title, key=df)[:limit])
                place = dict(zip(title, places, strict=True))
                words[r] = (kept, [place[w] for w in kept])
        #: the terms that can find another item: (posting list, idf)
        self.useful = {t: (ranks, self.idf[t]) for t, ranks in postings.items() if 1 < len(ranks) < n}
        self._topics = topics  # by rank: (terms, positions)
        self._words = words  # by rank: (terms, positions)
        self.keys = [item.key for item in items] if story_keys is None else story_keys

    def terms(self, i: int) -> tuple[list[str], list[str]]:
        """Item ``i``'s terms (by position) as its score counts them: its topics and its kept
        headline words (``bench.related_reach`` bounds how far a change moves its scores)."""
        r = self.rank[i]
        return self._topics[r][0], self._words[r][0]

    def _shared(self, r: int) -> dict[int, float]:
        """The topic and title parts of the score of every candidate, by rank, for the item of rank ``r``."""
        settings = self.settings
        width = 2 * ((settings.candidates + 1) // 2) + 1  # the item itself plus K around it
        half = width // 2
        idf, useful = self.idf, self.useful
        shared: dict[int, float] = {}
        get = shared.get
        for (terms, places), kind_weight in (
            (self._topics[r], settings.topic_weight),
            (self._words[r], settings.title_weight),
        ):
            total = sum(map(idf.__getitem__, terms))
            if total <= 0 or kind_weight <= 0:
                continue
            scale = kind_weight / total
            for term, place in zip(terms, places, strict=True):
                found = useful.get(term)
                if found is None:
                    continue
                ranks, weight = found
                weight *= scale
                size = len(ranks)
                if size <= width:
                    window = ranks
                else:
                    lo = place - half
                    if lo < 0:
                        lo = 0
                    elif lo > size - width:
                        lo = size - width
                    window = ranks[lo : lo + width]
                for other in window:
                    shared[other] = get(other, 0.0) + weight
        shared.pop(r, None)
        return shared

    def scores(self, i: int) -> dict[int, float]:
        """Every candidate for item ``i`` (by position) with its full score, threshold not applied."""
        r = self.rank[i]
        date_weight = self.settings.date_weight
        decay = math.log(2) / (self.settings.date_half_life_days * 86400.0)
        t0 = self.rank_times[r]
        rank_times, order = self.rank_times, self.order
        return {
            order[other]: part + date_weight * math.exp(-abs(rank_times[other] - t0) * decay)
            for other, part in self._shared(r).items()
        }

    def best(self, i: int, count: int, exclude: set[int]) -> list[int]:
        """Up to ``count`` items (positions) most related to ``i``, best first, none in ``exclude``.

        Ties go to the newer item, then the smaller story key. Candidates are taken by their
        topic and title parts, best first, and the date part is computed only while it could
        still change the result: the same answer as scoring them all, for a fraction of the work.
        """
        if count <= 0:
            return []
        r = self.rank[i]
        threshold, date_weight = self.settings.threshold, self.settings.date_weight
        decay = math.log(2) / (self.settings.date_half_life_days * 86400.0)
        t0 = self.rank_times[r]
        rank_times, order, times, keys = self.rank_times, self.order, self.times, self.keys
        top: list[tuple[float, float, str, int]] = []  # (-score, -time, key, position), best first
        worst = threshold  # a candidate must reach this: the threshold, then the last of a full top
        for other, part in sorted(self._shared(r).items(), key=itemgetter(1), reverse=True):
            if part + date_weight < worst:
                break  # no later candidate can reach it either
            score = part + date_weight * math.exp(-abs(rank_times[other] - t0) * decay)
            if score < worst:
                continue
            j = order[other]
            if j in exclude:
                continue
            insort(top, (-score, -times[j], keys[j], j))
            if len(top) > count:
                top.pop()
            if len(top) == count:
                worst = -top[-1][0]
        return [j for *_, j in top]
