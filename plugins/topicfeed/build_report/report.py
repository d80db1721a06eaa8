"""The report's data and its two renderings: JSON for machines, one screen for people."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topicfeed import atomic_files

MAX_LINES_SHOWN = 15
NEWS_FATES = ("published", "unpublished", "rejected")


@dataclass
class Report:
    """Everything one build did; ``files`` maps each input file to its fate."""

    input_path: str
    output_path: str
    files: dict[str, str] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    pages_written: int = 0
    feeds_written: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    rendering: dict[str, int] = field(default_factory=dict)
    #: Redirect pages written: old site-relative URL -> the URL the story moved to.
    redirects: dict[str, str] = field(default_factory=dict)

    @property
    def fates(self) -> Counter[str]:
        return Counter(self.files.values())

    @property
    def rejected(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["level"] == "error"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [p for p in self.problems if p["level"] == "warning"]

    def as_json(self) -> dict[str, Any]:
        fates = self.fates
        news = sum(fates[f] for f in NEWS_FATES)
        return {
            "input": self.input_path,
            "output": self.output_path,
            "summary": {
                "items_read": news,
                "published": fates["published"],
                "unpublished": fates["unpublished"],
                "rejected": fates["rejected"],
                "other_files": dict(sorted((k, v) for k, v in fates.items() if k not in NEWS_FATES)),
                "warnings": len(self.warnings),
                "pages_written": self.pages_written,
                "feeds_written": self.feeds_written,
            },
            "stages_seconds": {name: round(seconds, 3) for name, seconds in self.stages.items()},
            "rendering": self.rendering,
            "redirects": dict(sorted(self.redirects.items())),
            "rejected": self.rejected,
            "warnings": self.warnings,
            "notices": [p for p in self.problems if p["level"] == "info"],
            "files": dict(sorted(self.files.items())),
        }

    def write(self, path: Path) -> None:
        atomic_files.write(path, json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n")

    def summary_lines(self, report_path: Path) -> list[str]:
        data = self.as_json()["summary"]
        stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.stages.items())
        lines = [
            f"Items read: {data['items_read']}  published: {data['published']}  "
            f"unpublished: {data['unpublished']}  rejected: {data['rejected']}  warnings: {data['warnings']}",
            f"Pages written: {data['pages_written']}  feeds: {data['feeds_written']}  time: {stages}",
        ]
        if self.rendering:
            lines.append(
                f"Pages rendered: {self.rendering['pages_rendered']}  unchanged, reused: "
                f"{self.rendering['pages_reused']} pages, {self.rendering['feeds_reused']} feeds"
            )
        if self.redirects:
            moved = len(self.redirects)
            lines.append(f"Redirects: {moved} moved URLs keep a redirect page (listed in the report)")
        for problem in self.rejected[:MAX_LINES_SHOWN]:
            lines.append(f"  rejected {problem['file']}: {problem['field']}: {problem['message']}")
        if len(self.rejected) > MAX_LINES_SHOWN:
            lines.append(f"  ... and {len(self.rejected) - MAX_LINES_SHOWN} more rejected")
        lines.append(f"Report: {report_path}")
        return lines
