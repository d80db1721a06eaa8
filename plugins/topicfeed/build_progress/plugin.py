"""Shows reading and writing progress with rich (which Pelican already uses).

Thousands of items take a while to read and write; on a terminal the editor sees how far the
build is. Nothing is shown when output is not a terminal or when ``CI`` is set, so logs stay
clean; ``BUILD_PROGRESS = False`` turns it off everywhere.
"""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.log import console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from topicfeed.build import Build
from topicfeed.plugin import Phase, register_plugin

from .settings import SETTINGS

_state: dict[str, Any] = {}


def _wanted(settings: dict[str, Any]) -> bool:
    return settings["BUILD_PROGRESS"] and console.is_terminal and not os.environ.get("CI")


def start(generator: Any) -> None:
    stop()
    if not _wanted(generator.settings):
        return
    settings = generator.settings
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    progress.start()
    _state["progress"] = progress
    _state["read"] = progress.add_task("Reading items", total=len(files))


def file_read(generator: Any) -> None:
    progress: Progress | None = _state.get("progress")
    if progress is not None:
        progress.advance(_state["read"])


def reading_done(generator: Any) -> None:
    progress: Progress | None = _state.get("progress")
    if progress is None:
        return
    progress.update(_state["read"], completed=progress.tasks[0].total)
    _state["write"] = progress.add_task("Writing pages", total=None)


def page_written(path: str, context: Any = None) -> None:
    progress: Progress | None = _state.get("progress")
    if progress is not None and "write" in _state:
        progress.advance(_state["write"])


def stop(*_: Any) -> None:
    progress: Progress | None = _state.pop("progress", None)
    _state.clear()
    if progress is not None:
        progress.stop()


def finish(pelican: Any, build: Build) -> None:
    """Every page is written (the write step is over): the bars go."""
    stop()


def register() -> None:
    register_plugin(__package__ or __name__, settings=SETTINGS, steps=[(Phase.FILES, finish)])
    signals.article_generator_init.connect(start)
    signals.article_generator_preread.connect(file_read)
    signals.article_generator_finalized.connect(reading_done)
    signals.content_written.connect(page_written)
