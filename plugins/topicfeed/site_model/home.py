"""The home page's own values (top stories, trending topics and their window) derived from a
model's records, as the build computes them from its articles.

A rebuild that plans from the model has no build to record these values from: it must compute
them for the new state of the items. The ranking and the trending topics are shared code
(:mod:`topicfeed.ranking`, :mod:`topicfeed.trending`) that the related-stories and coverage
plugins run on the build's items; here they run on the records, and the tests hold the two to
the same values (:func:`derive_home` of a model equals the ``home`` its build recorded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pelican.urlwrappers import Tag

from topicfeed import trending
from topicfeed.ranking import rank_settings, top_positions
from topicfeed.settings import apply
from topicfeed.site import site_timezone

from .records import ItemRecord, SiteModel


def top_stories(records: Sequence[ItemRecord], settings: Mapping[str, Any]) -> tuple[tuple[int, int], ...]:
    """The top stories: each one's position and how many other stories its cluster holds."""
    chosen = top_positions(
        [r.heat for r in records],
        [r.quality for r in records],
        [r.timestamp for r in records],
        [r.key for r in records],
        [r.cluster for r in records],
        rank_settings(settings),
    )
    return tuple((i, records[i].cluster_size - 1) for i in chosen)


def trending_topics(
    records: Sequence[ItemRecord], topics: Mapping[str, str], settings: Mapping[str, Any]
) -> tuple[tuple[tuple[Any, ...], ...], tuple[Any, ...]]:
    """The trending topics as the home page shows them (but their sparklines) and their window."""
    if not records:
        return (), ()
    values = dict(settings)
    apply(values, trending.SETTINGS)  # a build has applied them; a plain mapping gets them here
    zone = site_timezone(settings)
    days = [dt.datetime.fromtimestamp(r.timestamp, zone).date() for r in records]
    by_topic: dict[str, list[dt.date]] = {}
    for record, day in zip(records, days, strict=True):
        for slug in record.topics:
            by_topic.setdefault(slug, []).append(day)
    newest = max(days)
    recent = values["TRENDING_RECENT_DAYS"]
    shown = trending.trending(
        dict(sorted(by_topic.items())),
        days,
        newest,
        recent,
        values["TRENDING_BASELINE_DAYS"],
        values["TRENDING_TOPICS"],
        values["TRENDING_MIN_ITEMS"],
    )
    trends = []
    for share in shown:
        tag = Tag(topics[share.key], settings)
        tag.slug = share.key
        trends.append(
            (tag.name, tag.url, share.recent, share.baseline, share.recent_percent, share.baseline_percent)
        )
    first, last = trending.recent_window(newest, recent)
    return tuple(trends), (first.isoformat(), last.isoformat(), recent)


def derive_home(model: SiteModel, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``SiteModel.home`` computed from the model's items (the shape ``records.home_values`` gives)."""
    records = model.records()
    trends, window = trending_topics(records, model.topics, settings)
    top = top_stories(records, settings)
    return {"top_stories": top, "trending_topics": trends, "trending_window": window}
