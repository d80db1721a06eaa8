"""The settings atomic_output reads (docs/settings.md describes each)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_bool, is_number, is_str_list

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "OUTPUT_RETENTION",
        [],
        "names in the output folder carried over into each new build (.git, CNAME)",
        check=is_str_list,
    ),
    Setting(
        "OUTPUT_RECYCLE_FOLDERS",
        True,
        "keep the folders of the replaced site (emptied in the background) for the next build",
        check=is_bool,
    ),
    Setting(
        "OUTPUT_LOCK_TIMEOUT",
        3600,
        "seconds a build waits for another build of the same output before it stops",
        check=is_number(minimum=0),
        output=False,
    ),
)
