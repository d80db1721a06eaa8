"""Gives Pelican's content cache a folder of its own for each version of settings and code.

Pelican's reader cache (``CACHE_CONTENT``/``LOAD_CONTENT_CACHE``) keys each entry on the
source file alone; it never notices that the settings or the reader changed since the entry
was written. What the news reader caches depends on both (``TIMEZONE``, the ``NEWS_*``
settings, the item model), and the cached Tag objects even carry the settings of the build
that wrote them. So in ``initialized``, before any generator opens the cache, ``CACHE_PATH``
becomes ``CACHE_PATH/<fingerprint>``: a hash of every setting (after ``-e`` overrides) except
the few that only say where things go, of every ``.py`` file in ``PLUGIN_PATHS``, and of the
Pelican and Python versions. A change to any of them starts from an empty cache; an unchanged
project finds its cache again. Older fingerprint folders beside it are removed at the end of a
build that saved the cache, so the folder does not grow with every settings change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pelican
from pelican import signals

logger = logging.getLogger(__name__)

#: Settings that say where output goes or how the run is driven, not what is read.
NOT_FINGERPRINTED = frozenset(
    {"OUTPUT_PATH", "CACHE_PATH", "CACHE_CONTENT", "LOAD_CONTENT_CACHE", "BIND", "PORT", "DEBUG"}
)
_FINGERPRINT_DIR = re.compile(r"^[0-9a-f]{16}$")


def _plain(value: object) -> object:
    """A deterministic JSON stand-in for settings values JSON cannot hold (never an id())."""
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    if isinstance(value, os.PathLike | dt.date | dt.tzinfo):
        return str(value)
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"<{getattr(value, '__module__', '')}.{name}>"


def fingerprint(settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    chosen = {key: value for key, value in settings.items() if key not in NOT_FINGERPRINTED}
    digest.update(json.dumps(chosen, sort_keys=True, default=_plain).encode())
    digest.update(f"\0pelican {pelican.__version__} python {sys.version_info[:2]}\0".encode())
    for folder in settings.get("PLUGIN_PATHS") or []:
        root = Path(folder)
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def use_own_folder(instance: Any) -> None:
    settings = instance.settings
    if not (settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")):
        return
    base = Path(settings["CACHE_PATH"])
    if _FINGERPRINT_DIR.match(base.name):
        return  # already ours (autoreload builds the same instance again)
    settings["CACHE_PATH"] = str(base / fingerprint(settings))
    logger.debug("content cache: %s", settings["CACHE_PATH"])


def remove_stale_folders(instance: Any) -> None:
    settings = instance.settings
    if not settings.get("CACHE_CONTENT"):
        return
    current = Path(settings["CACHE_PATH"])
    if not (_FINGERPRINT_DIR.match(current.name) and current.is_dir()):
        return
    for sibling in current.parent.iterdir():
        if sibling != current and sibling.is_dir() and _FINGERPRINT_DIR.match(sibling.name):
            shutil.rmtree(sibling, ignore_errors=True)


def register() -> None:
    signals.initialized.connect(use_own_folder)
    signals.finalized.connect(remove_stale_folders)
