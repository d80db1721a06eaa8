"""Profile one cold build of a generated set with py-spy and list the top costs.

py-spy samples the real ``pelican`` process from outside, so the build runs at full speed and
the shares are not skewed towards code with many small calls (an instrumenting profiler such
as pyinstrument or cProfile doubled this build's time and inflated per-character loops). The
raw samples (collapsed stacks, one line per stack: open them in speedscope) stay in the work
folder with a text report of the functions with the most inclusive and self time; the phase
shares and the top functions go to ``bench/results/profile-SYSTEM-N.json``, which
``BENCHMARKS.md`` shows.

Usage, from the repository root (``make bench-profile``):
``PYTHONPATH=plugins python -m bench.profile_build --size 10000 [--system topicfeed|pelican]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from . import report, run

BENCH = Path(__file__).resolve().parent

_WAITING = ("Condition.wait  threading.py", "Event.wait  threading.py")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")

#: Where a build spends its time: a sample counts for a phase when any of these functions is on
#: its stack. Phases overlap (YAML parsing is part of reading).
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("read all files (Readers.read_file)", ("Readers.read_file",)),
    ("- YAML parsing (yaml.load)", ("load  yaml/__init__.py",)),
    ("- news item model (build_item)", ("build_item",)),
    ("- - related entries (_related)", ("_related",)),
    ("- - text clean-up (clean_text)", ("clean_text",)),
    ("- - URL clean-up and keys (clean_url, story_key)", ("clean_url", "story_key")),
    ("- Markdown (Markdown.convert)", ("Markdown.convert",)),
    ("write pages and feeds (generate_output)", ("ArticlesGenerator.generate_output",)),
    ("- article pages (generate_articles)", ("ArticlesGenerator.generate_articles",)),
    ("- topic pages (generate_tags)", ("ArticlesGenerator.generate_tags",)),
    ("- index and archives (generate_direct_templates)", ("ArticlesGenerator.generate_direct_templates",)),
    ("- source pages (generate_categories)", ("ArticlesGenerator.generate_categories",)),
    ("- author pages (generate_authors)", ("ArticlesGenerator.generate_authors",)),
    ("- feeds (write_feed)", ("Writer.write_feed",)),
    ("Jinja rendering (Template.render)", ("Template.render",)),
    ("URL and save_as of contents (Content.get_url_setting)", ("Content.get_url_setting",)),
    (
        "O(N²) list scans in tag, category, author pages",
        (
            "ArticlesGenerator.generate_tags.<locals>.<listcomp>",
            "ArticlesGenerator.generate_categories.<locals>.<listcomp>",
            "ArticlesGenerator.generate_authors.<locals>.<listcomp>",
        ),
    ),
    ("opening and creating files (Writer._open_w, makedirs)", ("Writer._open_w", "makedirs  <frozen os>")),
    ("start-up: imports, settings, plugins (outside Pelican.run)", ()),
)


def frame_name(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    return f"{match['function']}  {match['file']}:{match['line'] or '?'}"


def _matches(frame: str, pattern: str) -> bool:
    return frame.startswith(pattern if "  " in pattern else pattern + "  ")


def parse(raw: str) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """Samples in total; per function the samples it is on the stack (once) and on top; per phase.

    Threads waiting in ``threading`` are left out: they are sampled but do no work.
    """
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(frame) for frame in stack.split(";")]
        if frames[-1].startswith(_WAITING):
            continue  # a helper thread asleep (rich's progress refresh), not build work
        total += count
        for name in set(frames):
            inclusive[name] += count
        own[frames[-1]] += count
        for phase, patterns in PHASES:
            if not patterns:
                hit = not any(_matches(frame, "Pelican.run") for frame in frames)
            else:
                hit = any(_matches(frame, pattern) for frame in frames for pattern in patterns)
            if hit:
                phases[phase] += count
    return total, inclusive, own, phases


def table(
    title: str,
    values: Counter[str],
    total: int,
    rate: int,
    limit: int,
    what: str = "function  file:first line",
) -> list[str]:
    lines = [title, f"{'%':>6} {'s':>7}  {what}"]
    for name, samples in values.most_common(limit):
        lines.append(f"{100 * samples / total:6.1f} {samples / rate:7.2f}  {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    pelican_systems = [name for name, system in run.SYSTEMS.items() if not system.is_hugo]
    parser.add_argument("--system", choices=pelican_systems, default="topicfeed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--limit", type=int, default=40, help="rows per table")
    parser.add_argument("--work", type=Path, default=run.ROOT / ".bench")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--report", type=Path, default=run.ROOT / "BENCHMARKS.md")
    parser.add_argument("--raw", type=Path, help="analyse these collapsed stacks instead of profiling")
    args = parser.parse_args(argv)

    system = run.SYSTEMS[args.system]
    raw_path = args.raw
    if raw_path is None:
        set_dir, _manifest = run.ensure_set(args.size, args.seed, args.work.resolve())
        raw_path = set_dir / f"profile-{system.name}.collapsed.txt"
        record(system, set_dir, raw_path, args.rate)
    total, inclusive, own, phases = parse(raw_path.read_text(encoding="utf-8"))
    command = f"python -m bench.profile_build --size {args.size} --system {args.system}"
    text = [
        f"Cold {system.label} build of {args.size:,} generated items under py-spy ({args.rate} samples/s): "
        f"{total:,} samples, about {total / args.rate:.1f} s.",
        f"Command: {command}",
        "",
        *table("Phases", phases, total, args.rate, len(PHASES), "phase"),
        "",
        *table(
            "Inclusive time (a function and everything it calls)", inclusive, total, args.rate, args.limit
        ),
        "",
        *table("Self time (the function's own code)", own, total, args.rate, args.limit),
    ]
    text_path = raw_path.with_name(f"profile-{system.name}.txt")
    text_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))
    summary = {
        "size": args.size,
        "system": system.name,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": run.git_commit(),
        "command": command,
        "seconds": round(total / args.rate, 1),
        "phases": [[phase, round(100 * phases[phase] / total, 1)] for phase, _ in PHASES],
        "self": [[name, round(100 * n / total, 1)] for name, n in own.most_common(15)],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"profile-{system.name}-{args.size}.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    results = report.load_results(args.results)
    args.report.write_text(report.render(results, args.results, run.SYSTEMS), encoding="utf-8")
    print(f"[profile] wrote {text_path}, {raw_path} (collapsed stacks) and {args.report}")
    return 0


def record(system: run.System, set_dir: Path, raw_path: Path, rate: int) -> None:
    output_dir = set_dir / f"profile-output-{system.name}"
    cache_dir = set_dir / f"profile-cache-{system.name}"
    shutil.rmtree(output_dir, ignore_errors=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    command = [
        py_spy,
        "record",
        "--function",
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--output",
        str(raw_path),
        "--",
        *run.pelican_command(system, set_dir / system.input, output_dir, cache_dir),
    ]
    print(f"[profile] {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=run.ROOT, check=True)


if __name__ == "__main__":
    raise SystemExit(main())
