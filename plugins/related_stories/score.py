"""Computed related stories: a declared score over an inverted index, in the spirit of Hugo.

The score of a candidate ``B`` for an item ``A`` (the README states it too)::

    score(A, B) = W_topics * shared(A, B, topics)
                + W_title  * shared(A, B, title words)
                + W_date   * 2 ** (-|days between A and B| / RELATED_DATE_HALF_LIFE_DAYS)

    shared(A, B, kind) = sum(idf(t) for t in A's terms of that kind found in B)
                         / sum(idf(t) for t in A's terms of that kind)   (0 when A has none)
    idf(t) = ln(N / df(t))   N = published items, df(t) = published items with term t

So a rare topic counts for much and a topic every item has counts for nothing; each part is in
``[0, 1]``. Candidates come from an inverted index (term -> items, in date order): for each of
A's terms, the ``RELATED_CANDIDATES`` items nearest to A in that list. A candidate scoring
below ``RELATED_THRESHOLD`` is never shown. Ties go to the newer story, then the smaller story
key, so the result does not depend on file order. The cost is
``N * terms per item * RELATED_CANDIDATES`` dictionary updates: linear in N, never all pairs.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from news_reader.model import NewsItem
from news_reader.text import topic_key

from .settings import RelatedSettings

_WORD = re.compile(r"[^\W_]+")

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
    words = _WORD.findall(title.casefold())
    return sorted({w for w in words if len(w) > 1 and w not in STOPWORDS})


class RelatedScorer:
    """Scores candidates for any item of a fixed list; built once per build."""

    def __init__(self, items: Sequence[NewsItem], settings: RelatedSettings, order: Sequence[int]) -> None:
        self.items = items
        self.settings = settings
        n = len(items)
        self.order = list(order)
        self.rank = [0] * n
        for r, i in enumerate(self.order):
            self.rank[i] = r
        self.times = [item.published_at.timestamp() for item in items]
        topics = [sorted({"t" + topic_key(t) for t in item.topics}) for item in items]
        words = [["w" + w for w in title_words(item.title)] for item in items]
        postings: dict[str, list[int]] = {}
        for r, i in enumerate(self.order):
            for term in topics[i]:
                postings.setdefault(term, []).append(r)
            for term in words[i]:
                postings.setdefault(term, []).append(r)
        self.postings = postings
        self.idf = {term: math.log(n / len(ranks)) for term, ranks in postings.items()}
        self._topics = topics
        self._words = words

    def _weighted(self, terms: Iterable[str], weight: float) -> list[tuple[list[int], float]]:
        """(posting list, weight) of each term that can find another item, normalised per kind."""
        idf = self.idf
        total = sum(idf[t] for t in terms)
        if total <= 0 or weight <= 0:
            return []
        return [
            (self.postings[t], weight * idf[t] / total)
            for t in terms
            if idf[t] > 0 and len(self.postings[t]) > 1
        ]

    def scores(self, i: int, floor: float = 0.0) -> dict[int, float]:
        """Candidates for item ``i`` (by position) with their scores; none that cannot reach ``floor``."""
        settings = self.settings
        width = 2 * ((settings.candidates + 1) // 2) + 1  # the item itself plus K around it
        half = width // 2
        terms = self._weighted(self._topics[i], settings.topic_weight)
        terms += self._weighted(self._words[i], settings.title_weight)
        r = self.rank[i]
        shared: dict[int, float] = {}
        get = shared.get
        for ranks, weight in terms:
            p = bisect_left(ranks, r)
            lo = min(max(p - half, 0), max(len(ranks) - width, 0))
            for other in ranks[lo : lo + width]:
                shared[other] = get(other, 0.0) + weight
        shared.pop(r, None)
        date_weight = settings.date_weight
        decay = math.log(2) / (settings.date_half_life_days * 86400.0)
        t0 = self.times[i]
        times, order = self.times, self.order
        result: dict[int, float] = {}
        floor -= date_weight
        for other, part in shared.items():
            if part < floor:
                continue
            j = order[other]
            result[j] = part + date_weight * math.exp(-abs(times[j] - t0) * decay)
        return result

    def best(self, i: int, count: int, exclude: set[int]) -> list[int]:
        """Up to ``count`` items (positions) most related to ``i``, best first, none in ``exclude``."""
        if count <= 0:
            return []
        threshold = self.settings.threshold
        items, times = self.items, self.times
        scored = [(s, j) for j, s in self.scores(i, threshold).items() if s >= threshold and j not in exclude]
        best = heapq.nsmallest(count, scored, key=lambda sj: (-sj[0], -times[sj[1]], items[sj[1]].key))
        return [j for _, j in best]
