"""The related-stories settings: defaults in one place, read once per build into a frozen object.

Every value here is an ordinary Pelican setting (UPPER_CASE, documented in the README); a site
overrides it in ``pelicanconf.py``. The scoring code receives a :class:`RelatedSettings` and
never looks at Pelican's settings dict itself, so the benchmark and the unit tests can run it
without Pelican.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: Defaults of every setting this plugin reads (``pelicanconf.py`` repeats them for users).
DEFAULTS: dict[str, Any] = {
    "RELATED_MIN": 3,
    "RELATED_WEIGHTS": {"topics": 1.0, "title": 1.0, "date": 0.25},
    "RELATED_THRESHOLD": 0.5,
    "RELATED_DATE_HALF_LIFE_DAYS": 7.0,
    "RELATED_TITLE_WORDS": 5,
    "RELATED_CANDIDATES": 6,
    "RELATED_CLUSTER_MAX": 10,
    "HOME_TOP_STORIES": 5,
    "HOME_RANK_WEIGHTS": {"heat": 1.0, "quality": 0.5},
    "HOME_RANK_HALF_LIFE_HOURS": 24.0,
    "SOURCE_URL": "sources/{slug}/",
    "SOURCE_SAVE_AS": "sources/{slug}/index.html",
    "SOURCES_URL": "sources/",
    "SOURCES_SAVE_AS": "sources/index.html",
}


@dataclass(frozen=True, slots=True)
class RelatedSettings:
    """What the related step needs, validated; see the README for the meaning of each value."""

    min_related: int = DEFAULTS["RELATED_MIN"]
    topic_weight: float = 1.0
    title_weight: float = 1.0
    date_weight: float = 0.25
    threshold: float = DEFAULTS["RELATED_THRESHOLD"]
    date_half_life_days: float = DEFAULTS["RELATED_DATE_HALF_LIFE_DAYS"]
    title_words: int = DEFAULTS["RELATED_TITLE_WORDS"]
    candidates: int = DEFAULTS["RELATED_CANDIDATES"]
    cluster_max: int = DEFAULTS["RELATED_CLUSTER_MAX"]
    top_stories: int = DEFAULTS["HOME_TOP_STORIES"]
    heat_weight: float = 1.0
    quality_weight: float = 0.5
    rank_half_life_hours: float = DEFAULTS["HOME_RANK_HALF_LIFE_HOURS"]
    timezone: dt.tzinfo = dt.UTC


def _number(settings: Mapping[str, Any], name: str, minimum: float, integer: bool = False) -> Any:
    """A numeric setting, or its default with a one-line error when it is not usable."""
    value = settings.get(name, DEFAULTS[name])
    ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not ok or value < minimum:
        logger.error(
            "settings: %s: expected a number >= %s, got %r; using %r", name, minimum, value, DEFAULTS[name]
        )
        return DEFAULTS[name]
    return value


def _weights(settings: Mapping[str, Any], name: str) -> dict[str, float]:
    """A weights mapping; unknown or negative entries are reported and the default kept."""
    default: dict[str, float] = DEFAULTS[name]
    value = settings.get(name, default)
    if not isinstance(value, Mapping):
        logger.error("settings: %s: expected a mapping like %r, got %r", name, default, value)
        return dict(default)
    weights = dict(default)
    for key, weight in value.items():
        if key not in default:
            logger.error("settings: %s: unknown weight %r (known: %s)", name, key, ", ".join(default))
        elif isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            logger.error("settings: %s: %s: expected a number >= 0, got %r", name, key, weight)
        else:
            weights[key] = float(weight)
    return weights


def read_settings(settings: Mapping[str, Any]) -> RelatedSettings:
    """Validate the plugin's Pelican settings into a :class:`RelatedSettings`."""
    related = _weights(settings, "RELATED_WEIGHTS")
    rank = _weights(settings, "HOME_RANK_WEIGHTS")
    try:
        timezone: dt.tzinfo = zoneinfo.ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone = dt.UTC
    return RelatedSettings(
        min_related=_number(settings, "RELATED_MIN", 0, integer=True),
        topic_weight=related["topics"],
        title_weight=related["title"],
        date_weight=related["date"],
        threshold=float(_number(settings, "RELATED_THRESHOLD", 0)),
        date_half_life_days=float(_number(settings, "RELATED_DATE_HALF_LIFE_DAYS", 0.001)),
        title_words=_number(settings, "RELATED_TITLE_WORDS", 0, integer=True),
        candidates=_number(settings, "RELATED_CANDIDATES", 1, integer=True),
        cluster_max=_number(settings, "RELATED_CLUSTER_MAX", 0, integer=True),
        top_stories=_number(settings, "HOME_TOP_STORIES", 0, integer=True),
        heat_weight=rank["heat"],
        quality_weight=rank["quality"],
        rank_half_life_hours=float(_number(settings, "HOME_RANK_HALF_LIFE_HOURS", 0.001)),
        timezone=timezone,
    )
