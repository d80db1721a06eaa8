"""Profile one build of a generated set with py-spy and list the top costs: a cold build, or a
rebuild after one item changed, was added or was unpublished (``--scenario``).

py-spy samples the real ``pelican`` process from outside, so the build runs at full speed and
the shares are not skewed towards code with many small calls (an instrumenting profiler such
as pyinstrument or cProfile doubled this build's time and inflated per-character loops). The
raw samples (collapsed stacks, one line per stack: open them in speedscope) stay in the work
folder with a text report of the functions with the most inclusive and self time; the phase
shares and the top functions go to ``bench/results/profile-SYSTEM-N.json``, which
``BENCHMARKS.md`` shows.

A rebuild is profiled as ``make bench`` measures it: a cold build, the rebuilds of the scenarios
before it (each with its input change, as ``bench/run.py`` makes them), then the change and the
profiled rebuild; the inputs are put back afterwards. A rebuild is sampled in every process of the
build (``--subprocesses``: the forked API writer and page renderers do part of its work beside
the build process), a cold build in the build process only, as before. The 1-minute load average
before the profiled build is recorded; the run waits for it to fall to ``--max-load`` first.

Usage, from the repository root (``make bench-profile``, ``BENCH_PROFILE_SCENARIO=changed``):
``PYTHONPATH=plugins python -m bench.profile_build --size 10000 [--system topicfeed|pelican]
[--scenario cold|changed|added|unpublished] [--topicfeed-setting NAME=JSON]``. With a setting
(``MEMORY_BUDGET_MB=2000``), every build of the profile gets it, as ``bench/run.py`` builds a
variant, and the profile's files are named after it, beside the default build's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from . import report, run

BENCH = Path(__file__).resolve().parent

_WAITING = ("Condition.wait  threading.py", "Event.wait  threading.py")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")

#: The helper process that links unchanged pages (``fast_writer/link_pages.py``), as a script.
_HELPER = "<module>  topicfeed/fast_writer/link_pages.py"

#: Where a build spends its time: a sample counts for a phase when any of these functions is on
#: its stack. Phases overlap (YAML parsing is part of reading).
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("articles and their plugins (generate_context)", ("ArticlesGenerator.generate_context",)),
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
    ("- feeds (write_feed)", ("Writer.write_feed", "SiteWriter.write_feed")),
    ("deferred pages keyed, linked and rendered (flush)", ("flush",)),
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
    ("related stories (relate)", ("relate",)),
    ("records from the item store (ItemStore.get)", ("ItemStore.get",)),
    ("page and feed keys: digests (Fingerprinter.digest)", ("Fingerprinter.digest",)),
    ("unchanged pages and feeds linked (Manifest.reuse)", ("Manifest.reuse",)),
    ("unchanged pages linked by the helper (link_pages.py, a process)", (_HELPER,)),
    ("JSON API (write_api; forked from 1,000 items)", ("write_api",)),
    ("search index (IndexWork.run, a thread)", ("IndexWork.run",)),
    ("emptying the replaced site (recycle, a process)", ("recycle",)),
    ("start-up: imports, settings, plugins (outside Pelican.run)", ()),
)

#: What runs outside ``Pelican.run`` and is not start-up: a thread of the build, the process that
#: empties the replaced site, the helper that links unchanged pages (a rebuild profiled in all
#: processes shows them).
_NOT_STARTUP = ("Pelican.run", "Thread._bootstrap", "recycle", _HELPER)


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
                hit = not any(_matches(frame, other) for frame in frames for other in _NOT_STARTUP)
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
    scenarios = tuple(report.PROFILE_SCENARIOS)
    parser.add_argument("--scenario", choices=scenarios, default="cold", help="the build to profile")
    parser.add_argument("--max-load", type=float, default=1.0, help="wait for this 1-minute load first")
    parser.add_argument("--load-wait", type=float, default=900, help="seconds to wait for it")
    parser.add_argument("--allow-load", action="store_true", help="profile at any load (recorded)")
    parser.add_argument(
        "--topicfeed-setting",
        action="append",
        type=run.topicfeed_setting,
        default=[],
        metavar="NAME=JSON",
        help="profile Topicfeed built with this setting too (a variant, as bench/run.py measures it)",
    )
    args = parser.parse_args(argv)
    args.topicfeed_settings = dict(args.topicfeed_setting)
    if args.topicfeed_settings and args.system != "topicfeed":
        parser.error("--topicfeed-setting is for --system topicfeed")

    system = run.SYSTEMS[args.system]
    scenario = args.scenario
    name = system.name if scenario == "cold" else f"{system.name}-{scenario}"
    name += variant_suffix(args.topicfeed_settings)
    raw_path = args.raw
    load = None
    if raw_path is None:
        set_dir, manifest = run.ensure_set(args.size, args.seed, args.work.resolve())
        raw_path = set_dir / f"profile-{name}.collapsed.txt"
        if scenario == "cold":
            load = run.wait_for_quiet(args.max_load, args.allow_load, args.load_wait)
            record(system, set_dir, raw_path, args.rate, args.topicfeed_settings)
        else:
            load = record_rebuild(system, set_dir, manifest, scenario, raw_path, args)
    total, inclusive, own, phases = parse(raw_path.read_text(encoding="utf-8"))
    command = f"python -m bench.profile_build --size {args.size} --system {args.system}"
    if scenario != "cold":
        command += f" --scenario {scenario}"
    for setting, value in args.topicfeed_settings.items():
        command += f" --topicfeed-setting {setting}={json.dumps(value)}"
    where = "the build process" if scenario == "cold" else "all its processes"
    text = [
        f"{report.PROFILE_SCENARIOS[scenario].capitalize()}: {system.label} build of {args.size:,} items "
        f"under py-spy ({args.rate} samples/s, {where}): {total:,} samples, about {total / args.rate:.1f} s"
        + ("." if load is None else f"; 1-minute load before it {load:.2f}."),
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
    text_path = raw_path.with_name(f"profile-{name}.txt")
    text_path.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))
    summary = {
        "size": args.size,
        "system": system.name,
        "scenario": scenario,
        "processes": "build" if scenario == "cold" else "all",
        "load": None if load is None else round(load, 2),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": run.git_commit(),
        "command": command,
        "topicfeed_settings": args.topicfeed_settings,
        "seconds": round(total / args.rate, 1),
        "phases": [[phase, round(100 * phases[phase] / total, 1)] for phase, _ in PHASES],
        "self": [[name, round(100 * n / total, 1)] for name, n in own.most_common(15)],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"profile-{name}-{args.size}.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    results = report.load_results(args.results)
    args.report.write_text(report.render(results, args.results, run.SYSTEMS), encoding="utf-8")
    print(f"[profile] wrote {text_path}, {raw_path} (collapsed stacks) and {args.report}")
    return 0


def _folders(system: run.System, set_dir: Path) -> tuple[Path, Path]:
    return set_dir / f"profile-output-{system.name}", set_dir / f"profile-cache-{system.name}"


def _py_spy(rate: int, raw_path: Path, subprocesses: bool) -> list[str]:
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    command = [py_spy, "record", "--function", "--rate", str(rate), "--format", "raw"]
    return [*command, *(["--subprocesses"] if subprocesses else []), "--output", str(raw_path), "--"]


def variant_suffix(settings: dict[str, Any]) -> str:
    """What a variant's profile files add to their names (``-memory-budget-mb-2000``): a variant
    never overwrites the default build's profile."""
    words = [f"{name}-{json.dumps(value)}" for name, value in settings.items()]
    return "".join("-" + re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-") for word in words)


def record(
    system: run.System, set_dir: Path, raw_path: Path, rate: int, settings: dict[str, Any] | None = None
) -> None:
    output_dir, cache_dir = _folders(system, set_dir)
    run.clear_output(output_dir)
    shutil.rmtree(cache_dir, ignore_errors=True)
    command = [
        *_py_spy(rate, raw_path, subprocesses=False),
        *run.pelican_command(system, set_dir / system.input, output_dir, cache_dir, settings=settings),
    ]
    print(f"[profile] {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=run.ROOT, check=True)


def record_rebuild(
    system: run.System,
    set_dir: Path,
    manifest: dict[str, Any],
    scenario: str,
    raw_path: Path,
    args: argparse.Namespace,
) -> float:
    """Profile the rebuild of ``scenario`` after the builds ``make bench`` makes before it; the
    1-minute load average before the profiled build."""
    output_dir, cache_dir = _folders(system, set_dir)
    run.clear_output(output_dir)
    shutil.rmtree(cache_dir, ignore_errors=True)
    before = [s for s in run.SCENARIOS[: run.SCENARIOS.index(scenario)] if s == "cold" or s in run.CHANGES]
    undo: run.Undo = []
    try:
        for earlier in before:
            if earlier in run.CHANGES:
                run.CHANGES[earlier](set_dir, system, manifest, undo)
            _build(system, set_dir, output_dir, cache_dir, earlier, args.topicfeed_settings)
        run.CHANGES[scenario](set_dir, system, manifest, undo)
        os.sync()  # what the earlier builds left to write out is not this build's cost
        load = run.wait_for_quiet(args.max_load, args.allow_load, args.load_wait)
        command = [
            *_py_spy(args.rate, raw_path, subprocesses=True),
            *run.build_command(system, set_dir, output_dir, cache_dir, scenario, args.topicfeed_settings),
        ]
        print(f"[profile] {' '.join(command)}", flush=True)
        subprocess.run(command, cwd=run.ROOT, check=True)
    finally:
        run.restore(undo)
    return load


def _build(
    system: run.System,
    set_dir: Path,
    output_dir: Path,
    cache_dir: Path,
    scenario: str,
    settings: dict[str, Any] | None = None,
) -> None:
    command = run.build_command(system, set_dir, output_dir, cache_dir, scenario, settings)
    print(f"[profile] {scenario} build first: {' '.join(command)}", flush=True)
    log = set_dir / f"profile-{system.name}-{scenario}.log"
    with log.open("w", encoding="utf-8") as handle:
        result = subprocess.run(command, cwd=run.ROOT, stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode:
        raise RuntimeError(f"the {scenario} build failed ({log})")


if __name__ == "__main__":
    raise SystemExit(main())
