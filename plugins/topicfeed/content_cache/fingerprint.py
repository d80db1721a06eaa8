"""The cache key: a hash of what the cached items depend on besides their own files.

Pelican's reader cache keys each entry on the source file alone; it never notices that the
settings or the reader changed since the entry was written. What the news reader caches depends
on both (``TIMEZONE``, the ``NEWS_*`` settings, the item model), and the cached Tag objects even
carry the settings of the build that wrote them. So the key covers every setting (after ``-e``
overrides) except the few that only say where things go or how the run is driven, every ``.py``
file in ``PLUGIN_PATHS``, and the Pelican and Python versions. A change to any of them starts
from an empty cache; an unchanged project finds its cache again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pelican

#: Settings that say where output goes or how the run is driven, not what is read.
NOT_FINGERPRINTED = frozenset(
    {"OUTPUT_PATH", "CACHE_PATH", "CACHE_CONTENT", "LOAD_CONTENT_CACHE", "BIND", "PORT", "DEBUG"}
)
#: The name of a cache folder: the first 16 hex digits of the key.
FOLDER_NAME = re.compile(r"^[0-9a-f]{16}$")


def _plain(value: object) -> object:
    """A deterministic JSON stand-in for settings values JSON cannot hold (never an id())."""
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    if isinstance(value, os.PathLike | dt.date | dt.tzinfo):
        return str(value)
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"<{getattr(value, '__module__', '')}.{name}>"


def fingerprint(settings: dict[str, Any]) -> str:
    """The cache folder name for ``settings`` (16 hex digits)."""
    digest = hashlib.sha256()
    chosen = {key: value for key, value in settings.items() if key not in NOT_FINGERPRINTED}
    digest.update(json.dumps(chosen, sort_keys=True, default=_plain).encode())
    digest.update(f"\0pelican {pelican.__version__} python {sys.version_info[:2]}\0".encode())
    for folder in settings.get("PLUGIN_PATHS") or []:
        root = Path(folder)
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
