"""The news reader's settings: which files are news items, how they are read, what is allowed."""

from __future__ import annotations

from typing import Any

from topicfeed import permalinks, preview_mode
from topicfeed.embed import DEFAULT_EMBED_HOSTS
from topicfeed.settings import Setting, is_bool, is_int, is_str, is_str_list


def _is_extension_list(value: Any) -> str | None:
    """File extensions, without the dot: ``["txt", "md"]``."""
    if is_str_list(value) is None and all(item and not item.startswith(".") for item in value):
        return None
    return "a list of file extensions without the dot"


def _is_host_list(value: Any) -> str | None:
    if is_str_list(value) is None and all(item and "/" not in item and ":" not in item for item in value):
        return None
    return "a list of host names (no scheme, port or path)"


SETTINGS: tuple[Setting, ...] = (
    *preview_mode.SETTINGS,
    Setting(
        "NEWS_FILE_EXTENSIONS",
        ["txt", "md"],
        "Extensions of the files read as news items when their content says so.",
        _is_extension_list,
    ),
    Setting(
        "NEWS_MAX_FILE_BYTES",
        1_000_000,
        "Files larger than this are rejected, not read.",
        is_int(minimum=1),
    ),
    Setting(
        "NEWS_STRICT",
        False,
        "True (or `make html STRICT=1`) fails the build when any news file is rejected.",
        is_bool,
    ),
    Setting(
        "NEWS_ASSET_BASE_URL",
        "",
        "Where relative logo paths (/assets/...) resolve; empty drops them.",
        is_str,
    ),
    Setting(
        "NEWS_EMBED_HOSTS",
        list(DEFAULT_EMBED_HOSTS),
        "Hosts whose https iframes are kept as video embeds (the CSP frame-src follows them).",
        _is_host_list,
    ),
    Setting(
        "NEWS_ITEM_STORE",
        True,
        "Keep what the reader made of each file in CACHE_PATH/news-items, so an unchanged file is "
        "not parsed again (records are keyed by the file's bytes, the settings and the code).",
        is_bool,
    ),
    Setting(
        "NEWS_READ_PROCESSES",
        0,
        "Processes that read news files (forked at the start of reading); 0: one per core, 1: none "
        "(the build process reads every file itself). The result is the same either way.",
        is_int(minimum=0),
        output=False,
    ),
    *permalinks.SETTINGS,  # NEWS_URL_FROM_FILENAME: page URLs from the exporter's file names
)
