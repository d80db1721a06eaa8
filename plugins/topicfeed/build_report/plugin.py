"""Collects the report from Pelican's signals and the news reader's ledger.

The JSON goes beside the output folder (``output.report.json`` for ``output/``, or
``BUILD_REPORT_PATH``), never inside the published site; a short summary is printed.
"""

from __future__ import annotations

import fnmatch
import os
import time
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.log import console

from .report import Report

_state: dict[str, Any] = {}


def _mark(stage: str) -> None:
    now = time.perf_counter()
    report: Report | None = _state.get("report")
    if report is not None:
        report.stages[stage] = report.stages.get(stage, 0.0) + now - _state["last"]
    _state["last"] = now


def start(generator: Any) -> None:
    """First signal of a run (the articles generator is created first)."""
    _state.clear()
    _state["report"] = Report(
        input_path=str(generator.path), output_path=str(generator.settings.get("OUTPUT_PATH", ""))
    )
    _state["last"] = time.perf_counter()
    _state["settings"] = generator.settings


def articles_read(generator: Any) -> None:
    _mark("read")
    _state["articles_generator"] = generator


def context_done(generators: list[Any]) -> None:
    _mark("process")
    _state["generators"] = generators


def page_written(path: str, context: Any = None) -> None:
    report: Report | None = _state.get("report")
    if report is not None:
        report.pages_written += 1


def feed_written(path: str, context: Any = None, feed: Any = None) -> None:
    report: Report | None = _state.get("report")
    if report is not None:
        report.feeds_written += 1


def _input_files(root: Path, settings: dict[str, Any]) -> list[str]:
    ignored = settings.get("IGNORE_FILES", [])
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in ignored))
        for name in sorted(files):
            if not any(fnmatch.fnmatch(name, p) for p in ignored):
                found.append(Path(folder, name).relative_to(root).as_posix())
    return found


def _fates(report: Report, context: dict[str, Any], ledger: Any) -> None:
    root = Path(report.input_path)
    generated = context.get("generated_content", {})
    static = context.get("static_content", {})
    news = dict(ledger.fates) if ledger is not None else {}
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
    if ledger is not None:
        report.problems = [
            {
                "file": p.path,
                "field": p.field,
                "message": p.message,
                "level": "error" if p.fatal else "info" if p.notice else "warning",
            }
            for p in sorted(ledger.problems, key=lambda p: (p.path, p.field, p.message))
        ]


def report_path(settings: dict[str, Any], output_path: str) -> Path:
    configured = settings.get("BUILD_REPORT_PATH")
    if configured:
        return Path(configured)
    output = Path(output_path).resolve()
    return output.with_name(output.name + ".report.json")


def finish(pelican: Any) -> None:
    report: Report | None = _state.get("report")
    generator = _state.get("articles_generator")
    if report is None or generator is None:
        return
    _mark("write")
    report.output_path = str(pelican.settings.get("OUTPUT_PATH", report.output_path))
    fast = getattr(pelican, "fast_writer_result", None)
    if fast is not None:  # fast_writer: how many pages were rendered and how many reused
        report.rendering = {
            "pages_rendered": fast.rendered,
            "pages_reused": fast.reused,
            "feeds_reused": fast.feeds_reused,
        }
    _fates(report, generator.context, generator.context.get("news_ledger"))
    path = report_path(pelican.settings, report.output_path)
    report.write(path)
    pelican.build_report = report
    for line in report.summary_lines(path):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def register() -> None:
    signals.article_generator_init.connect(start)
    signals.article_generator_finalized.connect(articles_read)
    signals.all_generators_finalized.connect(context_done)
    signals.content_written.connect(page_written)
    signals.feed_written.connect(feed_written)
    signals.finalized.connect(finish)
