"""The writer's settings (docs/settings.md documents each)."""

from __future__ import annotations

from topicfeed.memory_budget import MEMORY_BUDGET
from topicfeed.settings import Setting, is_bool, is_int

SETTINGS: tuple[Setting, ...] = (
    MEMORY_BUDGET,  # shared: declared in topicfeed.memory_budget
    Setting("RENDER_PROCESSES", 0, "processes that render pages; 0: one per core", is_int(0), output=False),
    Setting(
        "RENDER_LINKER_MIN_PAGES",
        1000,
        "from this many pages on, a rebuild links its unchanged pages through a helper process",
        is_int(0),
    ),
    Setting(
        "RENDER_PREDIGEST_MIN_ITEMS",
        1000,
        "from this many articles on, a rebuild digests them beside the build, before the pages are keyed",
        is_int(0),
    ),
    Setting(
        "RENDER_INCREMENTAL",
        True,
        "reuse pages and feeds whose inputs did not change (needs a fresh output folder per build)",
        is_bool,
    ),
    Setting(
        "RENDER_DEFERRED",
        True,
        "render pages after all are known (parallel, reusable); False: as Pelican does, one by one",
        is_bool,
    ),
)
