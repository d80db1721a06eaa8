"""The JSON API's settings (docs/api.md and docs/settings.md describe them)."""

from __future__ import annotations

from typing import Any

from topicfeed.memory_budget import MEMORY_BUDGET
from topicfeed.settings import Setting, is_bool, is_int, is_str


def _locale(settings: Any) -> str:
    return str(settings.get("DEFAULT_LANG") or "en").lower()


SETTINGS: tuple[Setting, ...] = (
    MEMORY_BUDGET,  # shared: declared in topicfeed.memory_budget
    Setting("API", True, "Write the JSON API under api/ (False: no API files at all).", is_bool),
    Setting("API_PAGE_SIZE", 20, "Items per page of every API collection.", is_int(1)),
    Setting(
        "API_LOCALE",
        None,
        "The `locale` of every API entry (the exporter's en-us); default: DEFAULT_LANG.",
        is_str,
        derive=_locale,
    ),
    Setting(
        "API_FORK_MIN_ITEMS",
        1000,
        "From this many published items on, the API is written by a forked process beside the "
        "page writer, on the other core (0: always; below it, the fork costs more than it saves).",
        is_int(0),
    ),
)
