"""A small site written to disk with the record a build would leave of it (the atomic_output tests)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path


def recorded_site(
    root: Path, files: Mapping[str, str], retained: Collection[str]
) -> tuple[Path, dict[str, list[int]]]:
    """``files`` (relative path -> text) written under ``root/site``, and the record of them as
    the ``site-listing`` derivation gives it (``[size, mtime_ns, inode]`` by path): every file
    but the ``retained`` ones, which the output step carries over and never records."""
    site = root / "site"
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    recorded = {}
    for name in files:
        if name not in retained:
            stat = (site / name).stat()
            recorded[name] = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    return site, recorded
