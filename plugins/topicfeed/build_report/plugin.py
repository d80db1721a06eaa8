"""Collects the report from Pelican's signals and the build object, and writes it.

The JSON goes beside the output folder (``output.report.json`` for ``output/``, or
``BUILD_REPORT_PATH``), never inside the published site; a short summary is printed.

What it reads: ``build.ledger`` (the fate of every news file, from the reader),
``build.render`` (pages rendered and reused, from the writer, when it ran) and
``build.timings``, to which it adds the stages it measures itself from Pelican's signals:
``read`` (articles read), ``process`` (every generator's context ready) and ``write`` (pages,
feeds, files and indexes written, up to the ``report`` step).

A run planned from the site model writes its report too (:func:`finish_planned`): that run
fills the same ledger and the pages rendered and reused, says how many feeds the site has
(``Build.render.feeds``) and times its ``plan`` and ``write``.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.log import console

from topicfeed.build import Build
from topicfeed.ledger import Ledger
from topicfeed.plugin import Phase, register_plugin

from .report import Report
from .settings import SETTINGS

#: This run's counters and clock (Pelican runs one build at a time per process).
_state: dict[str, Any] = {}


def _mark(build: Build, stage: str) -> None:
    now = time.perf_counter()
    build.timings[stage] = build.timings.get(stage, 0.0) + now - _state.get("last", now)
    _state["last"] = now


def start(generator: Any) -> None:
    """First signal of a run that build_report sees (the articles generator is created first)."""
    _state.clear()
    _state.update(last=time.perf_counter(), pages=0, feeds=0, generator=generator)


def articles_read(generator: Any) -> None:
    _mark(Build.of(generator), "read")


def context_done(generators: list[Any]) -> None:
    if generators:
        _mark(Build.of(generators[0]), "process")


def page_written(path: str, context: Any = None) -> None:
    _state["pages"] = _state.get("pages", 0) + 1


def feed_written(path: str, context: Any = None, feed: Any = None) -> None:
    _state["feeds"] = _state.get("feeds", 0) + 1


def _ignored(patterns: list[str]) -> Callable[[str], bool]:
    """``IGNORE_FILES`` as one test of a name, as ``fnmatch.fnmatch`` applies each pattern."""
    if not patterns:
        return lambda name: False
    joined = re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns))
    return lambda name: joined.match(os.path.normcase(name)) is not None


def _input_files(root: Path, settings: dict[str, Any]) -> list[str]:
    """Every file under ``root`` but the ignored ones, relative, with ``/``: folder by folder,
    each in name order.

    Each file's name is the folder's relative path plus the name: a ``Path`` made, made relative
    and printed per file cost 12 us, 1.2 s of every build at 100,000 items.
    """
    ignored = _ignored(list(settings["IGNORE_FILES"]))
    top = os.fspath(root)
    found: list[str] = []
    for folder, dirs, files in os.walk(top):
        relative = os.path.relpath(folder, top)
        prefix = "" if relative == os.curdir else relative.replace(os.sep, "/") + "/"
        dirs[:] = sorted(d for d in dirs if not ignored(d))
        found.extend(prefix + name for name in sorted(files) if not ignored(name))
    return found


def _fates(report: Report, context: dict[str, Any], ledger: Ledger) -> None:
    root = Path(report.input_path)
    generated = context.get("generated_content", {})
    static = context.get("static_content", {})
    news = dict(ledger.fates)
    for path in _input_files(root, context):
        if path in news:
            report.files[path] = news[path]
        elif path in generated:
            content = generated[path]
            kind = type(content).__name__.lower()
            report.files[path] = "failed" if content is None else f"{kind} {content.status}"
        elif path in static:
            report.files[path] = "static"
        else:
            report.files[path] = "not read (no reader for this file)"
    report.problems = [
        {
            "file": p.path,
            "field": p.field,
            "message": p.message,
            "level": "error" if p.fatal else "info" if p.notice else "warning",
        }
        for p in sorted(ledger.problems, key=lambda p: (p.path, p.field, p.message))
    ]


def report_path(settings: dict[str, Any], output: Path) -> Path:
    configured = settings["BUILD_REPORT_PATH"]
    if configured:
        return Path(configured)
    return output.with_name(output.name + ".report.json")


def finish(pelican: Any, build: Build) -> None:
    """The ``report`` step: every page is written and indexed, the swap is still to come."""
    generator = _state.get("generator")
    if generator is None:
        return
    _mark(build, "write")
    _write(pelican, build, str(generator.path), generator.context, _state["pages"], _state["feeds"])


def finish_planned(pelican: Any, build: Build) -> None:
    """The ``report`` step of a run planned from the site model: no generator and no writer's
    signals, but the same ledger and the pages and feeds counted by the run
    (``Build.render``), so the report says what a full build of the folder would (its
    rejected files above all: such a run goes on beside them)."""
    if not build.rendered or build.render.feeds is None:
        return
    stats, settings = build.render, pelican.settings
    _write(pelican, build, str(settings["PATH"]), settings, stats.rendered + stats.reused, stats.feeds)


def _write(
    pelican: Any, build: Build, input_path: str, context: dict[str, Any], pages: int, feeds: int
) -> None:
    report = Report(input_path=input_path, output_path=str(pelican.settings["OUTPUT_PATH"]))
    report.pages_written = pages
    report.feeds_written = feeds
    report.stages = dict(build.timings)
    if build.rendered:  # the writer says how many pages it rendered and how many it reused
        report.rendering = {
            "pages_rendered": build.render.rendered,
            "pages_reused": build.render.reused,
            "feeds_reused": build.render.feeds_reused,
        }
    report.redirects = dict(build.redirects)
    _fates(report, context, build.ledger)
    path = report_path(pelican.settings, build.output)
    report.write(path)
    for line in report.summary_lines(path):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def register() -> None:
    register_plugin(
        __package__ or __name__,
        settings=SETTINGS,
        steps=[(Phase.REPORT, finish)],
        planned_steps=[(Phase.REPORT, finish_planned)],
    )
    signals.article_generator_init.connect(start)
    signals.article_generator_finalized.connect(articles_read)
    signals.all_generators_finalized.connect(context_done)
    signals.content_written.connect(page_written)
    signals.feed_written.connect(feed_written)
