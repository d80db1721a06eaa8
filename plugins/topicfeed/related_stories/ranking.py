"""Home page ranking: top stories by a declared blend of heat, quality and recency.

The rank of a published item (the README states it too)::

    rank = (1 + W_heat * pct(heat) + W_quality * pct(quality)) * 2 ** (-age_hours / HOME_RANK_HALF_LIFE_HOURS)

``pct(x)`` is the share of the feed's known values that are <= x (in ``(0, 1]``), so one
outlier cannot flatten everyone else; an unknown score (absent, or ``-1`` in the file) counts as
0.5, the middle. ``age_hours`` is measured from the newest published item, not from the clock,
so building the same content twice gives the same page. With the defaults a story with the
feed's top heat and quality outranks one with the lowest unless it is about 32 hours older. Ties go to the
newer story, then the smaller story key. Top stories take the best item of each story cluster
only, so one story covered ten times fills one slot.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from topicfeed.model import NewsItem

from .settings import RelatedSettings


def percentiles(values: Sequence[int | None]) -> list[float]:
    """Each value's share of the known values at or below it; unknown values get 0.5."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return [0.5] * len(values)
    return [0.5 if v is None else bisect_right(known, v) / len(known) for v in values]


def rank_scores(items: Sequence[NewsItem], settings: RelatedSettings) -> list[float]:
    """The rank of every item, by position."""
    if not items:
        return []
    heat = percentiles([item.heat for item in items])
    quality = percentiles([item.quality for item in items])
    times = [item.published_at.timestamp() for item in items]
    newest = max(times)
    decay = math.log(2) / (settings.rank_half_life_hours * 3600.0)
    return [
        (1 + settings.heat_weight * h + settings.quality_weight * q) * math.exp(-(newest - t) * decay)
        for h, q, t in zip(heat, quality, times, strict=True)
    ]


def top_stories(items: Sequence[NewsItem], settings: RelatedSettings, cluster_of: Sequence[int]) -> list[int]:
    """Positions of the top stories, best first: at most one per cluster, ``HOME_TOP_STORIES`` in all."""
    if settings.top_stories <= 0:
        return []
    scores = rank_scores(items, settings)
    times = [item.published_at.timestamp() for item in items]
    keys = [item.url_keys[0] for item in items]
    by_rank = sorted(range(len(items)), key=lambda i: (-scores[i], -times[i], keys[i]))
    chosen: list[int] = []
    clusters_seen: set[int] = set()
    for i in by_rank:
        if cluster_of[i] in clusters_seen:
            continue
        clusters_seen.add(cluster_of[i])
        chosen.append(i)
        if len(chosen) == settings.top_stories:
            break
    return chosen
