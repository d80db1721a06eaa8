"""The search index's files as plain values: which bundles the site has and which stories each
indexes, for the site model.

A bundle is a folder (``<SEARCH_BUNDLE_DIR>/<name>/``) whose files all change when any story of
it changes; ``shards.json`` lists every bundle with the digest of its documents, so it changes
with any of them. :func:`derive_search` plans the bundles with the plugin's own
:func:`.shards.plan_shards` from plain items (the derivation of ``search``, called by the site
model in a build and in a prediction alike), without making the search documents: which stories
a bundle holds depends on their months and pages only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

from topicfeed.site import site_timezone

from .indexer import LISTING
from .shards import SearchPage, plan_shards

#: One file or folder of the index: ``(path, kind, the stories' files, what else it shows)``;
#: a bundle's path ends with ``/`` (every file under it).
SearchFile = tuple[str, str, tuple[str, ...], tuple[Any, ...]]


def has_search_template(settings: Mapping[str, Any]) -> bool:
    """Whether the theme has the search page's template (else the site has no index)."""
    folders = [
        os.path.join(str(settings["THEME"]), "templates"),
        *settings.get("THEME_TEMPLATES_OVERRIDES", ()),
    ]
    return "search" in settings["DIRECT_TEMPLATES"] or any(
        os.path.isfile(os.path.join(folder, "search.html")) for folder in folders
    )


def derive_search(
    stories: Sequence[tuple[str, str, str, float]], settings: Mapping[str, Any]
) -> tuple[SearchFile, ...]:
    """The bundles and listing an index of ``stories`` (each ``(file, URL, save_as, date as a
    POSIX timestamp)``) has; nothing when the site has no index."""
    if not settings["SEARCH_INDEX"] or not settings["SEARCH_SAVE_AS"] or not has_search_template(settings):
        return ()
    zone = site_timezone(settings)
    file_of = {save_as: path for path, _url, save_as, _date in stories}
    pages = [
        SearchPage(f"{dt.datetime.fromtimestamp(date, zone):%Y-%m}", url, save_as)
        for _path, url, save_as, date in stories
    ]
    shards = plan_shards(pages, settings["SEARCH_SHARDS"], settings["SEARCH_SHARD_MIN_PAGES"])
    root = settings["SEARCH_BUNDLE_DIR"].strip("/")
    files: list[SearchFile] = [
        (
            f"{root}/{shard.name}/",
            "bundle",
            tuple(file_of[p.save_as] for p in shard.pages),
            (shard.first, shard.last),
        )
        for shard in shards
    ]
    files.append((f"{root}/{LISTING}", "listing", (), tuple(shard.name for shard in shards)))
    return tuple(files)
