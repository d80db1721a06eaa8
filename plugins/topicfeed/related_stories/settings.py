"""The related-stories settings: declared once here, read once per build into a frozen object.

Every value is an ordinary Pelican setting (UPPER_CASE, docs/settings.md); a site overrides it
in ``pelicanconf.py``. :data:`SETTINGS` gives each its default and check: a bad value stops the
build at start-up with one line naming the setting. The scoring code receives a
:class:`RelatedSettings` and never looks at Pelican's settings dict itself, so the benchmark and
the unit tests can run it without Pelican.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from topicfeed import ranking
from topicfeed.ranking import RankSettings
from topicfeed.settings import Setting, apply, is_bool, is_int, is_number, is_weights
from topicfeed.site import site_timezone

RELATED_WEIGHT_NAMES = ("topics", "title", "date")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "RELATED_MIN",
        3,
        "With fewer stories in an item's own list, computed ones are added up to this.",
        is_int(minimum=0),
    ),
    Setting(
        "RELATED_WEIGHTS",
        {"topics": 1.0, "title": 1.0, "date": 0.25},
        "The parts of the related score; a partial mapping keeps the other defaults.",
        is_weights(RELATED_WEIGHT_NAMES),
    ),
    Setting("RELATED_THRESHOLD", 0.5, "A computed story must score at least this.", is_number(minimum=0)),
    Setting(
        "RELATED_DATE_HALF_LIFE_DAYS",
        7.0,
        "The date part of the score halves every this many days apart.",
        is_number(above=0),
    ),
    Setting(
        "RELATED_TITLE_WORDS",
        5,
        "An item's rarest headline words that count (its topics all count).",
        is_int(minimum=0),
    ),
    Setting(
        "RELATED_CANDIDATES",
        6,
        "Per term, the items nearest in time that are looked at.",
        is_int(minimum=1),
    ),
    Setting(
        "RELATED_CLUSTER_MAX",
        10,
        '"More coverage of this story" shows at most this many.',
        is_int(minimum=0),
    ),
    Setting(
        "RELATED_STORE",
        True,
        "Keep the related step's decisions in CACHE_PATH/related-step, so a build whose items' "
        "URLs, headlines, topics, dates and related lists are unchanged does not decide again.",
        is_bool,
        output=False,  # the same decisions either way
    ),
    *ranking.SETTINGS,
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
#: The default of every setting above, by name (for the benchmark and the tests).
DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}


@dataclass(frozen=True, slots=True)
class RelatedSettings:
    """What the related step needs, validated; docs/settings.md gives the meaning of each value."""

    min_related: int = DEFAULTS["RELATED_MIN"]
    topic_weight: float = DEFAULTS["RELATED_WEIGHTS"]["topics"]
    title_weight: float = DEFAULTS["RELATED_WEIGHTS"]["title"]
    date_weight: float = DEFAULTS["RELATED_WEIGHTS"]["date"]
    threshold: float = DEFAULTS["RELATED_THRESHOLD"]
    date_half_life_days: float = DEFAULTS["RELATED_DATE_HALF_LIFE_DAYS"]
    title_words: int = DEFAULTS["RELATED_TITLE_WORDS"]
    candidates: int = DEFAULTS["RELATED_CANDIDATES"]
    cluster_max: int = DEFAULTS["RELATED_CLUSTER_MAX"]
    #: The home page's ranking (its settings are declared in :mod:`topicfeed.ranking`).
    rank: RankSettings = field(default_factory=RankSettings)
    timezone: dt.tzinfo = dt.UTC


def _weights(settings: Mapping[str, Any], name: str) -> dict[str, float]:
    """A weights setting over its default: a site may give only the weights it changes."""
    return {key: float(value) for key, value in {**_BY_NAME[name].default, **settings[name]}.items()}


def read_settings(settings: Mapping[str, Any]) -> RelatedSettings:
    """The plugin's settings as a :class:`RelatedSettings`.

    In a build they were checked at start-up; a plain mapping (benchmark, tests) gets the same
    defaults and checks here, so a bad value raises :class:`topicfeed.settings.SettingsError`.
    """
    values = dict(settings)
    apply(values, SETTINGS)
    related = _weights(values, "RELATED_WEIGHTS")
    return RelatedSettings(
        min_related=values["RELATED_MIN"],
        topic_weight=related["topics"],
        title_weight=related["title"],
        date_weight=related["date"],
        threshold=float(values["RELATED_THRESHOLD"]),
        date_half_life_days=float(values["RELATED_DATE_HALF_LIFE_DAYS"]),
        title_words=values["RELATED_TITLE_WORDS"],
        candidates=values["RELATED_CANDIDATES"],
        cluster_max=values["RELATED_CLUSTER_MAX"],
        rank=ranking.rank_settings(values),
        timezone=site_timezone(values),
    )
