"""Digesting the files a step's output depends on (code, templates), one way for every step.

Keys that outlive a build (the fast writer's page keys, the JSON API's document keys) must change
when the code or templates that made the bytes change. Each step chooses its folders; how a
folder's files are fed to a digest is defined once here, so two steps never disagree about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


def update_with_files(digest: Any, folder: Path, suffixes: Iterable[str]) -> None:
    """Feed ``digest`` every file under ``folder`` with one of ``suffixes``, in a stable order:
    its path relative to ``folder``, a NUL, then its bytes."""
    wanted = tuple(suffixes)
    for path in sorted(folder.rglob("*")):
        if path.suffix in wanted and path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
