"""``topicfeed.site``: the site's time zone, looked up in one place."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from topicfeed.site import site_timezone


def test_the_configured_zone() -> None:
    assert site_timezone({"TIMEZONE": "Asia/Tokyo"}) == zoneinfo.ZoneInfo("Asia/Tokyo")


def test_utc_when_unset_or_unknown() -> None:
    assert site_timezone({}) == zoneinfo.ZoneInfo("UTC")
    assert site_timezone({"TIMEZONE": ""}) == zoneinfo.ZoneInfo("UTC")
    assert site_timezone({"TIMEZONE": "Mars/Olympus_Mons"}) is dt.UTC
    assert site_timezone({"TIMEZONE": "../etc/passwd"}) is dt.UTC
