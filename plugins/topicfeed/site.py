"""Site-wide values that several plugins read: declared or computed here once.

``SITEDESCRIPTION`` is Topicfeed's own setting (Pelican has none): the theme shows it on every
page and the feeds use it as the site feed's description, so both plugins register
:data:`SETTINGS`. The site's time zone is Pelican's ``TIMEZONE``; :func:`site_timezone` is the one
place that turns it into a ``tzinfo``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from topicfeed.settings import Setting, is_str

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SITEDESCRIPTION",
        "",
        "One sentence about the site: the home page, every page's meta description, the site feed.",
        check=is_str,
    ),
)


def site_timezone(settings: Mapping[str, Any]) -> dt.tzinfo:
    """The zone article dates are shown in: ``TIMEZONE``, or UTC when it is unset or unknown.

    Pelican fills ``TIMEZONE`` (UTC when a site leaves it out); a plain mapping without it, as
    the benchmark and unit tests pass, gets UTC too.
    """
    try:
        return zoneinfo.ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
