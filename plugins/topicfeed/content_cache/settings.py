"""The settings content_cache reads (docs/settings.md describes each).

The first three are Pelican's own (its defaults are the ones below); they are declared here so
that a bad value stops the build at start-up with one line.
"""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool, is_number, is_str

SETTINGS: tuple[Setting, ...] = (
    Setting("CACHE_CONTENT", False, "save what the readers read, for the next build", check=is_bool),
    Setting("LOAD_CONTENT_CACHE", False, "read unchanged files from the saved cache", check=is_bool),
    Setting(
        "CACHE_PATH", "cache", "where the cache goes; content_cache adds one folder per version", check=is_str
    ),
    Setting(
        "CACHE_LOCK_TIMEOUT",
        3600,
        "seconds a build waits for another build using the same cache folder before it stops",
        check=is_number(minimum=0),
        output=False,
    ),
)
