"""The settings site_search reads (docs/settings.md describes each)."""

from __future__ import annotations

from topicfeed.memory_budget import MEMORY_BUDGET
from topicfeed.settings import Setting, is_bool, is_int, is_str, is_str_list


def is_folder_name(value: object) -> str | None:
    ok = isinstance(value, str) and value.strip("/") != ""
    return None if ok else "a folder name inside the output (pagefind)"


SETTINGS: tuple[Setting, ...] = (
    MEMORY_BUDGET,  # shared: declared in topicfeed.memory_budget
    Setting("SEARCH_URL", "search/", "the URL of the search page (template search.html)", check=is_str),
    Setting(
        "SEARCH_SAVE_AS",
        "search/index.html",
        "where the search page goes; empty: no search page, no index",
        check=is_str,
    ),
    Setting(
        "SEARCH_INDEX",
        True,
        "index every published story with Pagefind during every build with a search page",
        check=is_bool,
    ),
    Setting(
        "SEARCH_BUNDLE_DIR",
        "pagefind",
        "where the Pagefind bundle goes inside the output",
        check=is_folder_name,
    ),
    Setting(
        "SEARCH_SHARDS",
        16,
        "about how many bundles the index is split into, by runs of months (1: one bundle)",
        check=is_int(1),
    ),
    Setting(
        "SEARCH_SHARD_MIN_PAGES",
        1000,
        "the fewest pages a bundle holds before the next one starts",
        check=is_int(1),
    ),
    Setting(
        "SEARCH_PARALLEL_RUNS",
        2,
        "how many bundles Pagefind indexes at once (one run keeps about 1.5 cores busy)",
        check=is_int(1),
    ),
    Setting(
        "SEARCH_CSP_SCRIPT_SRC",
        ["'wasm-unsafe-eval'"],
        "added to script-src on the search page only",
        check=is_str_list,
    ),
)
