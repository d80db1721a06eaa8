"""What one changed item costs: a cold build, then edit, add, unpublish and delete one item.

    PYTHONPATH=plugins .venv/bin/python -m bench.incremental tests/data/corpus/powerapps-news --work /tmp/inc
    PYTHONPATH=plugins .venv/bin/python -m bench.incremental /tmp/gen/news --work /tmp/inc   (bench.generate)

The content is copied into ``--work`` and built into the same output folder after each change,
the way an exporter's rebuilds go. Each line gives the pages rendered and reused (from the build
report) and the build's wall and CPU seconds (the pelican process and its render workers). The
CPU time is the figure to compare on a loaded machine; the load average is printed first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = re.compile(r"^published: true$", re.MULTILINE)

NEW_ITEM = """---
title: "A brand new story, the newest of all"
excerpt: "Something new happened today."
publishedDateTime: {date}
webUrl: "https://{domain}/a-brand-new-story-the-newest-of-all/"
type: article
provider:
  name: "{name}"
  domain: {domain}
topics:
  - "{topic}"
---
"""


def published_items(content: Path) -> list[Path]:
    return [p for p in sorted(content.iterdir()) if PUBLISHED.search(p.read_text(encoding="utf-8"))]


def field(text: str, pattern: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1).strip().strip('"') if match else ""


def build(content: Path, output: Path, cache: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", "pelicanconf.py"]
    command += ["-e", f"CACHE_PATH={json.dumps(str(cache))}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(result.stdout[-2000:] + result.stderr[-2000:])
    report = json.loads(output.with_name(output.name + ".report.json").read_text(encoding="utf-8"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**report["rendering"], "wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder (emptied first)")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    content = args.work / "content"
    shutil.copytree(args.content, content)
    output, cache = args.work / "out" / "site", args.work / "cache"
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    items = published_items(content)
    newest = max(items, key=lambda p: field(p.read_text(encoding="utf-8"), r"^publishedDateTime: (.*)$"))
    text = newest.read_text(encoding="utf-8")
    topic = field(text, r"^topics:\n  - (.*)$")
    domain = field(text, r"^  domain: (.*)$")
    name = field(text, r"^  name: (.*)$")
    edited, unpublished, deleted = items[len(items) // 3], items[len(items) // 2], items[2 * len(items) // 3]

    def edit() -> None:
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace('excerpt: "', 'excerpt: "Edited: ', 1), encoding="utf-8")

    def add() -> None:
        item = NEW_ITEM.format(date="2031-01-01T08:00:00Z", domain=domain, name=name, topic=topic)
        (content / f"zz-new{newest.suffix}").write_text(item, encoding="utf-8")

    def unpublish() -> None:
        text = unpublished.read_text(encoding="utf-8")
        unpublished.write_text(PUBLISHED.sub("published: false", text), encoding="utf-8")

    def delete() -> None:
        deleted.unlink()

    steps = [("cold", lambda: None), ("edit", edit), ("add", add), ("unpublish", unpublish)]
    steps += [("delete", delete), ("nothing", lambda: None)]
    for label, change in steps:
        change()
        r = build(content, output, cache)
        print(
            f"{label:10} rendered {r['pages_rendered']:6}  reused {r['pages_reused']:6}  "
            f"feeds reused {r['feeds_reused']:5}  wall {r['wall']:6.1f}s  cpu {r['cpu']:6.1f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
