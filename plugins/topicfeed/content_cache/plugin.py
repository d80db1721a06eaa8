"""Gives Pelican's content cache a folder of its own for each version of settings and code.

- Step ``use_own_folder`` (phase CHECK, at ``initialized``: before any generator opens the
  cache, and before a rebuild from the site model reads its item store): ``CACHE_PATH`` becomes
  ``CACHE_PATH/<key>`` (:mod:`.fingerprint`), so a change of settings, plugin code, Pelican or
  Python starts from an empty cache and an unchanged project finds its cache again.
- Step ``start`` (phase START, before the generators load the cache): the build takes the cache
  lock (``CACHE_PATH/.<key>.lock``, :mod:`topicfeed.locks`), so two builds with the same settings
  (into two outputs: the output is not part of the key) never write the cache at once; and a
  folder left half-written by a killed build is emptied (:mod:`.guard`).
- ``all_generators_finalized`` (Pelican has saved the cache): the save is recorded, older key
  folders beside it that no build is using are removed, and the lock is given back (in a run
  planned from the site model, which saves no cache: step ``give_back``, phase RECORD).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed import locks
from topicfeed.build import Build
from topicfeed.plugin import Phase, register_plugin

from . import guard
from .fingerprint import FOLDER_NAME, fingerprint
from .settings import SETTINGS

logger = logging.getLogger(__name__)


def _caching(settings: dict[str, Any]) -> bool:
    return bool(settings["CACHE_CONTENT"] or settings["LOAD_CONTENT_CACHE"])


def use_own_folder(pelican: Any, _build: Build | None) -> None:
    settings = pelican.settings
    if not _caching(settings):
        return
    base = Path(settings["CACHE_PATH"])
    if FOLDER_NAME.match(base.name):
        return  # already ours (autoreload builds the same instance again)
    settings["CACHE_PATH"] = str(base / fingerprint(settings))
    logger.debug("content cache: %s", settings["CACHE_PATH"])


def _folder(settings: dict[str, Any]) -> Path | None:
    folder = Path(settings["CACHE_PATH"]).resolve()
    return folder if _caching(settings) and FOLDER_NAME.match(folder.name) else None


def start(pelican: Any, build: Build) -> None:
    """Hold the cache folder for this build and make sure what it loads is whole."""
    folder = _folder(pelican.settings)
    if folder is None:
        return
    locks.acquire(
        locks.lock_file(folder),
        rank=locks.CACHE,
        what=f"the content cache {folder}",
        timeout=pelican.settings["CACHE_LOCK_TIMEOUT"],
    )
    guard.clear_if_incomplete(folder)


def remove_stale_folders(current: Path) -> None:
    """Remove the other key folders beside ``current``, skipping any a running build holds."""
    for sibling in current.parent.iterdir():
        if sibling == current or not sibling.is_dir() or not FOLDER_NAME.match(sibling.name):
            continue
        lock = locks.lock_file(sibling)
        if not locks.try_acquire(lock):
            continue
        try:
            shutil.rmtree(sibling, ignore_errors=True)
            lock.unlink(missing_ok=True)
        finally:
            locks.release(lock)


def saved(generators: list[Any]) -> None:
    """Pelican saved the cache at the end of reading: record it and give the folder back."""
    if not generators:
        return
    settings = generators[0].settings
    folder = _folder(settings)
    if folder is None:
        return
    try:
        if settings["CACHE_CONTENT"]:
            guard.record(folder)
            remove_stale_folders(folder)
    finally:
        locks.release(locks.lock_file(folder))


def give_back(pelican: Any, _build: Build) -> None:
    """A run planned from the site model (which reads the item store and writes no cache) is
    done with the folder: give it back."""
    folder = _folder(pelican.settings)
    if folder is not None:
        locks.release(locks.lock_file(folder))


def register() -> None:
    register_plugin(
        __package__ or __name__,
        settings=SETTINGS,
        steps=[(Phase.CHECK, use_own_folder), (Phase.START, start)],
        planned_steps=[(Phase.START, start), (Phase.RECORD, give_back)],
    )
    signals.all_generators_finalized.connect(saved)
