"""The preview's settings: whether this build is the preview, and the one folder it may write."""

from __future__ import annotations

from typing import Any

from topicfeed import preview_mode
from topicfeed.settings import Setting


def _is_folder(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a folder name (not empty)"


SETTINGS: tuple[Setting, ...] = (
    *preview_mode.SETTINGS,
    Setting(
        "PREVIEW_OUTPUT",
        "preview",
        "The folder the preview is built into (previewconf.py sets OUTPUT_PATH to it); never output/.",
        _is_folder,
    ),
)
