"""The feeds' declared settings cover everything the feed plan reads that Pelican does not declare."""

from __future__ import annotations

import pytest

from topicfeed.news_feeds.plan import PATH_SETTINGS
from topicfeed.news_feeds.settings import SETTINGS
from topicfeed.settings import SettingsError, apply

#: Feed paths Pelican itself declares (and defaults).
PELICAN_FEEDS = {"FEED_ALL_ATOM", "FEED_ALL_RSS", "TAG_FEED_ATOM", "TAG_FEED_RSS"}


def test_every_feed_path_the_plan_reads_is_declared() -> None:
    declared = {setting.name for setting in SETTINGS}
    read = {name for paths in PATH_SETTINGS.values() for name in paths.values()}
    assert read - PELICAN_FEEDS <= declared
    assert {"FEED_OPML", "SITEDESCRIPTION", "SOURCE_URL"} <= declared


def test_defaults_and_checks() -> None:
    values: dict = {}
    apply(values, SETTINGS)
    assert values["SOURCE_FEED_JSON"] is None
    assert values["SOURCE_FEED_ATOM"] == "feeds/sources/{slug}.atom.xml"
    with pytest.raises(SettingsError, match=r"^settings: FEED_OPML: expected a string or None"):
        apply({"FEED_OPML": False}, SETTINGS)
