"""The settings build_report reads (docs/settings.md describes it)."""

from __future__ import annotations

from topicfeed.settings import Setting, is_str

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BUILD_REPORT_PATH",
        "",
        "where the JSON build report goes; empty: <output>.report.json beside the output folder",
        check=is_str,
    ),
)
