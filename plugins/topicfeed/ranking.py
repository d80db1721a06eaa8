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

Shared code, not the related-stories plugin's own: the plugin ranks the build's items, and the
site model ranks its plain records the same way (:func:`top_positions` takes plain values), so
a rebuild can tell what the home page will show without Pelican's articles. The settings are
declared here once and registered by the related-stories plugin.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from topicfeed.model import NewsItem
from topicfeed.settings import Setting, apply, is_int, is_number, is_weights

RANK_WEIGHT_NAMES = ("heat", "quality")

SETTINGS: tuple[Setting, ...] = (
    Setting("HOME_TOP_STORIES", 5, "Top stories on the home page (one per story cluster).", is_int(0)),
    Setting(
        "HOME_RANK_WEIGHTS",
        {"heat": 1.0, "quality": 0.5},
        "Boosts of the home ranking; a partial mapping keeps the other defaults.",
        is_weights(RANK_WEIGHT_NAMES),
    ),
    Setting(
        "HOME_RANK_HALF_LIFE_HOURS",
        24.0,
        "The home rank halves every this many hours of age.",
        is_number(above=0),
    ),
)

_DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}


@dataclass(frozen=True, slots=True)
class RankSettings:
    """The ranking's settings, validated; docs/settings.md gives the meaning of each."""

    top_stories: int = _DEFAULTS["HOME_TOP_STORIES"]
    heat_weight: float = _DEFAULTS["HOME_RANK_WEIGHTS"]["heat"]
    quality_weight: float = _DEFAULTS["HOME_RANK_WEIGHTS"]["quality"]
    half_life_hours: float = _DEFAULTS["HOME_RANK_HALF_LIFE_HOURS"]


def rank_settings(settings: Mapping[str, Any]) -> RankSettings:
    """The ranking's settings from a site's (checked here too, for a plain mapping); a partial
    ``HOME_RANK_WEIGHTS`` keeps the other default."""
    values = dict(settings)
    apply(values, SETTINGS)
    weights = {**_DEFAULTS["HOME_RANK_WEIGHTS"], **values["HOME_RANK_WEIGHTS"]}
    return RankSettings(
        top_stories=values["HOME_TOP_STORIES"],
        heat_weight=float(weights["heat"]),
        quality_weight=float(weights["quality"]),
        half_life_hours=float(values["HOME_RANK_HALF_LIFE_HOURS"]),
    )


def percentiles(values: Sequence[int | None]) -> list[float]:
    """Each value's share of the known values at or below it; unknown values get 0.5."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return [0.5] * len(values)
    return [0.5 if v is None else bisect_right(known, v) / len(known) for v in values]


def rank_scores(
    heat: Sequence[int | None], quality: Sequence[int | None], times: Sequence[float], settings: RankSettings
) -> list[float]:
    """The rank of every item, by position (``times``: POSIX timestamps)."""
    if not times:
        return []
    heat_pct = percentiles(heat)
    quality_pct = percentiles(quality)
    newest = max(times)
    decay = math.log(2) / (settings.half_life_hours * 3600.0)
    return [
        (1 + settings.heat_weight * h + settings.quality_weight * q) * math.exp(-(newest - t) * decay)
        for h, q, t in zip(heat_pct, quality_pct, times, strict=True)
    ]


def top_positions(
    heat: Sequence[int | None],
    quality: Sequence[int | None],
    times: Sequence[float],
    keys: Sequence[str],
    clusters: Sequence[Hashable],
    settings: RankSettings,
) -> list[int]:
    """Positions of the top stories, best first: at most one per cluster (items with equal
    ``clusters`` values), ``HOME_TOP_STORIES`` in all."""
    if settings.top_stories <= 0:
        return []
    scores = rank_scores(heat, quality, times, settings)
    by_rank = sorted(range(len(times)), key=lambda i: (-scores[i], -times[i], keys[i]))
    chosen: list[int] = []
    clusters_seen: set[Hashable] = set()
    for i in by_rank:
        if clusters[i] in clusters_seen:
            continue
        clusters_seen.add(clusters[i])
        chosen.append(i)
        if len(chosen) == settings.top_stories:
            break
    return chosen


def top_stories(items: Sequence[NewsItem], settings: RankSettings, cluster_of: Sequence[int]) -> list[int]:
    """:func:`top_positions` of news items."""
    return top_positions(
        [item.heat for item in items],
        [item.quality for item in items],
        [item.published_at.timestamp() for item in items],
        [item.key for item in items],
        cluster_of,
        settings,
    )
