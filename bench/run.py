"""Benchmark: Topicfeed against plain Pelican on the same synthetic stories, in one run.

For each size N the runner generates the set once (``bench/generate.py``, cached under the work
folder), then, for each of ``--runs`` rounds, builds it with Topicfeed (``pelicanconf.py``) and
the same stories as plain Pelican Markdown (``bench/baseline_conf.py``), each three ways:

- **cold**: fresh output folder, no cache;
- **warm**: nothing changed, output and cache (where the settings enable one) kept;
- **changed**: one published item's excerpt edited (the same story in both formats).

Each build is the real ``pelican`` command in its own process; wall time from the parent, peak
memory (maximum resident set) and CPU time from ``wait4``. Medians over rounds and the ratios
Topicfeed / Pelican of those medians go to ``bench/results/N.json`` and ``BENCHMARKS.md``
(which is rendered from every stored result, so running one size keeps the others).

Usage: ``python bench/run.py --sizes 1000 10000 --runs 3`` (what ``make bench`` runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

SCENARIOS = ("cold", "warm", "changed")
SCENARIO_NAMES = {
    "cold": "cold (fresh output, no cache)",
    "warm": "warm (nothing changed)",
    "changed": "one item changed",
}


@dataclass(frozen=True)
class System:
    """One way of building the stories: which input folder, which settings file."""

    name: str
    label: str
    input: str  # sub-folder of the generated set
    settings: Path


SYSTEMS = {
    "topicfeed": System("topicfeed", "Topicfeed", "news", ROOT / "pelicanconf.py"),
    "pelican": System("pelican", "plain Pelican", "markdown", BENCH / "baseline_conf.py"),
}


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the build process (and its reaped children)
    peak_mb: float  # maximum resident set size
    articles: int | None  # from Pelican's "Done: Processed N articles" line
    load: float  # 1-minute load average just before the build


def pelican_command(system: System, input_dir: Path, output_dir: Path, cache_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pelican",
        str(input_dir),
        "-o",
        str(output_dir),
        "-s",
        str(system.settings),
        "-e",
        f"CACHE_PATH={json.dumps(str(cache_dir))}",
    ]


def measure(command: list[str], log_path: Path, timeout: float) -> Sample:
    """Run one build; wall time, CPU time and peak memory of exactly that process."""
    load = os.getloadavg()[0]
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    with log_path.open("w", encoding="utf-8") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                raise RuntimeError(f"build timed out after {timeout:.0f} s: {log_path}")
            time.sleep(0.02)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"build failed ({process.returncode}); log: {log_path}\n{text[-3000:]}")
    articles = None
    marker = "Processed "
    if marker in text:
        words = text.split(marker, 1)[1].split()
        articles = int(words[0]) if words and words[0].isdigit() else None
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        articles=articles,
        load=load,
    )


def output_stats(output_dir: Path) -> dict[str, int]:
    files = [p for p in output_dir.rglob("*") if p.is_file()]
    return {
        "files": len(files),
        "html_files": sum(p.suffix == ".html" for p in files),
        "bytes": sum(p.stat().st_size for p in files),
    }


def change_item(set_dir: Path, system: System, manifest: dict[str, Any]) -> tuple[Path, bytes]:
    """Edit the manifest's item (its excerpt) in this system's format; returns what to restore."""
    change = manifest["change"]
    path = set_dir / system.input / change[system.input]
    original = path.read_bytes()
    text = original.decode("utf-8")
    mark = change["mark"]
    if system.input == "news":
        edited = text.replace('excerpt: "', f'excerpt: "{mark}', 1)
    else:
        edited = text.replace("Summary: ", f"Summary: {mark}", 1).replace("\n\n", f"\n\n{mark}", 1)
    if edited == text:
        raise RuntimeError(f"could not edit {path}")
    path.write_text(edited, encoding="utf-8")
    return path, original


def change_visible(output_dir: Path, mark: str) -> bool:
    """Whether the edited excerpt reached an article page (the edit was not served stale)."""
    for page in output_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"):
        if mark in page.read_text(encoding="utf-8"):
            return True
    return False


def ensure_set(size: int, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The generated set for ``size``, made once and reused while the generator is unchanged."""
    set_dir = work / str(size)
    manifest_path = set_dir / "manifest.json"
    stamp = f"{seed}:{hashlib.sha256((BENCH / 'generate.py').read_bytes()).hexdigest()}"
    stamp_path = set_dir / ".generator"
    if manifest_path.exists() and stamp_path.exists() and stamp_path.read_text() == stamp:
        return set_dir, json.loads(manifest_path.read_text())
    print(f"[bench] generating {size} items into {set_dir}", flush=True)
    manifest = generate.write(size, set_dir, seed)
    stamp_path.write_text(stamp)
    return set_dir, manifest


def bench_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    set_dir, manifest = ensure_set(size, args.seed, args.work)
    systems = [SYSTEMS[name] for name in args.systems]
    samples: dict[str, dict[str, list[Sample]]] = {s.name: {sc: [] for sc in args.scenarios} for s in systems}
    stats: dict[str, dict[str, int]] = {}
    load_start = os.getloadavg()
    for round_number in range(1, args.runs + 1):
        for system in systems:
            output_dir = set_dir / f"output-{system.name}"
            cache_dir = set_dir / f"cache-{system.name}"
            command = pelican_command(system, set_dir / system.input, output_dir, cache_dir)
            for scenario in args.scenarios:
                if scenario == "cold":
                    shutil.rmtree(output_dir, ignore_errors=True)
                    shutil.rmtree(cache_dir, ignore_errors=True)
                restore = change_item(set_dir, system, manifest) if scenario == "changed" else None
                try:
                    log_path = set_dir / f"{system.name}-{scenario}.log"
                    sample = measure(command, log_path, args.timeout)
                    if scenario == "changed" and not change_visible(output_dir, manifest["change"]["mark"]):
                        raise RuntimeError(
                            f"{system.label}: the edited item is not in the output ({log_path})"
                        )
                finally:
                    if restore:
                        restore[0].write_bytes(restore[1])
                samples[system.name][scenario].append(sample)
                print(
                    f"[bench] N={size} round {round_number} {system.label:13} {scenario:8} "
                    f"{sample.wall:7.2f} s  {sample.peak_mb:6.0f} MB  cpu {sample.cpu:6.1f} s  "
                    f"articles {sample.articles}  load {sample.load:.2f}",
                    flush=True,
                )
                if scenario == "cold" and round_number == 1:
                    stats[system.name] = output_stats(output_dir)
    for system in systems:
        counts = {s.articles for runs in samples[system.name].values() for s in runs}
        if counts != {manifest["published"]}:
            raise RuntimeError(f"{system.label} built {counts} articles, expected {manifest['published']}")
    return {
        "size": size,
        "runs": args.runs,
        "seed": args.seed,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "command": command_line(args, [size]),
        "machine": machine(),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "manifest": manifest,
        "output": stats,
        "samples": {
            name: {sc: [asdict(s) for s in runs] for sc, runs in by.items()} for name, by in samples.items()
        },
    }


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pelican

    return (
        f"{os.cpu_count()} cores{', ' + model if model else ''}; Python {platform.python_version()}, "
        f"Pelican {pelican.__version__}"
    )


def command_line(args: argparse.Namespace, sizes: list[int]) -> str:
    parts = ["python", "bench/run.py", "--sizes", *map(str, sizes), "--runs", str(args.runs)]
    if args.seed != 1:
        parts += ["--seed", str(args.seed)]
    if args.systems != list(SYSTEMS):
        parts += ["--systems", *args.systems]
    if args.scenarios != list(SCENARIOS):
        parts += ["--scenarios", *args.scenarios]
    return shlex.join(parts)


# Report ----------------------------------------------------------------------------------------
def median(result: dict[str, Any], system: str, scenario: str, key: str) -> float | None:
    runs = result["samples"].get(system, {}).get(scenario)
    return statistics.median(s[key] for s in runs) if runs else None


def spread(result: dict[str, Any], system: str, scenario: str) -> str:
    runs = result["samples"].get(system, {}).get(scenario)
    if not runs:
        return "–"
    walls = [s["wall"] for s in runs]
    middle = statistics.median(walls)
    if len(walls) == 1:
        return f"{middle:.1f} s"
    return f"{middle:.1f} s ({min(walls):.1f}–{max(walls):.1f})"


def load_range(result: dict[str, Any]) -> str:
    loads = [s["load"] for by in result["samples"].values() for runs in by.values() for s in runs]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "unknown"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def size_section(result: dict[str, Any]) -> list[str]:
    size = result["size"]
    manifest = result["manifest"]
    lines = [
        f"## {size:,} items",
        "",
        f"Measured {result['date']} at commit {result['commit']}, {result['runs']} round(s), medians "
        f"(range); {result['machine']}; 1-minute load average before the builds "
        f"{load_range(result)} (other work shares the machine).",
        "",
        f"Command: `{result['command']}`",
        "",
        "| build | Topicfeed wall | CPU | peak MB | plain Pelican wall | CPU | peak MB "
        "| ratio wall | ratio CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario in SCENARIOS:
        cells = [SCENARIO_NAMES[scenario]]
        for system in ("topicfeed", "pelican"):
            cpu = median(result, system, scenario, "cpu")
            peak = median(result, system, scenario, "peak_mb")
            cells += [
                spread(result, system, scenario),
                f"{cpu:.1f} s" if cpu is not None else "–",
                f"{peak:.0f}" if peak is not None else "–",
            ]
        for key in ("wall", "cpu"):
            cells.append(
                ratio(median(result, "topicfeed", scenario, key), median(result, "pelican", scenario, key))
            )
        lines.append("| " + " | ".join(cells) + " |")

    def cpus(system: str) -> tuple[float | None, float | None]:
        return median(result, system, "changed", "cpu"), median(result, system, "cold", "cpu")

    tc, tch = median(result, "topicfeed", "cold", "wall"), median(result, "topicfeed", "changed", "wall")
    pc, pch = median(result, "pelican", "cold", "wall"), median(result, "pelican", "changed", "wall")
    lines += [
        "",
        f"- One item changed / cold, wall (CPU): Topicfeed {ratio(tch, tc)} "
        f"({ratio(*cpus('topicfeed'))}), plain Pelican {ratio(pch, pc)} ({ratio(*cpus('pelican'))}).",
        f"- Set: {manifest['count']:,} items ({manifest['published']:,} published), "
        f"{manifest['total_bytes'] / 1e6:.1f} MB, {manifest['mean_bytes']:,} bytes per item on average "
        f"({manifest['mean_bytes_with_related']:,} with a related list), {manifest['topics_used']} topics, "
        f"{manifest['providers_used']} sources.",
    ]
    for name, label in (("topicfeed", "Topicfeed"), ("pelican", "plain Pelican")):
        out = result["output"].get(name)
        if out:
            lines.append(
                f"- {label} output: {out['files']:,} files ({out['html_files']:,} HTML), "
                f"{out['bytes'] / 1e6:.1f} MB."
            )
    return lines


def targets_section(results: dict[int, dict[str, Any]]) -> list[str]:
    lines = ["## Targets (issue 8)", "", "| target | measured | status |", "| --- | --- | --- |"]
    r10 = results.get(10_000)
    if r10:
        tc, pc = median(r10, "topicfeed", "cold", "wall"), median(r10, "pelican", "cold", "wall")
        tcc, pcc = median(r10, "topicfeed", "cold", "cpu"), median(r10, "pelican", "cold", "cpu")
        if tc and pc:
            value = tc / pc
            status = "met" if value <= 0.25 else f"gap: {value / 0.25:.1f}x too slow"
            lines.append(
                f"| 10,000 items, full build ≤ 0.25 x plain Pelican | {value:.2f} x wall "
                f"({ratio(tcc, pcc)} x CPU) | {status} |"
            )
        tch, tchc = median(r10, "topicfeed", "changed", "wall"), median(r10, "topicfeed", "changed", "cpu")
        if tc and tch:
            value = tch / tc
            status = "met" if value <= 0.1 else f"gap: {value / 0.1:.1f}x too slow"
            lines.append(
                f"| 10,000 items, one item changed ≤ 0.1 x full build | {value:.2f} x wall "
                f"({ratio(tchc, tcc)} x CPU) | {status} |"
            )
    else:
        lines.append("| 10,000 items: full build and one item changed | not measured | – |")
    r100 = results.get(100_000)
    if r100 and median(r100, "topicfeed", "cold", "wall"):
        wall = median(r100, "topicfeed", "cold", "wall") or 0
        peak = median(r100, "topicfeed", "cold", "peak_mb") or 0
        time_status = "time met" if wall < 300 else f"time: gap {wall / 300:.1f}x"
        status = f"{time_status}; memory {'met' if peak < 2048 else 'not met'}"
        cpu = median(r100, "topicfeed", "cold", "cpu") or 0
        lines.append(
            f"| 100,000 items < 5 min, < 2 GB | {wall:.0f} s ({cpu:.0f} s CPU), {peak:.0f} MB | {status} |"
        )
    else:
        lines.append("| 100,000 items < 5 min, < 2 GB | not measured (`make bench BENCH_SIZES=100000`) | – |")
    lines.append("| related-stories step < 10 s at 100,000 | not measured (the step has not landed) | – |")
    return lines


HEADER = """# Benchmarks

Topicfeed against plain Pelican 4.12 on the same synthetic stories, measured in the same run on
the same machine (ratios are what to compare: the machine is shared and its speed drifts).
Generated by `make bench` (`bench/run.py`; sizes with `make bench BENCH_SIZES="1000 10000"`,
rounds with `BENCH_RUNS=3`); this file is rewritten from `bench/results/*.json`.

- **Input**: `bench/generate.py` (seed 1): items in the exporter's format for Topicfeed; the same
  stories as plain Pelican Markdown (title, date, topics as tags, source as category, excerpt as
  summary and body; unpublished items `Status: skip`) for the baseline.
- **Baseline**: `bench/baseline_conf.py`: Pelican's default theme (`notmyidea`), the same URL
  scheme, pagination 20, Atom and RSS feeds for everything, each topic and each source, and
  Pelican's content cache on.
- **Builds**: the `pelican` command, one process each. *cold*: fresh output, no cache; *warm*:
  nothing changed since the previous build; *one item changed*: one published item's excerpt edited
  (the runner checks the edit reached its page). Peak MB is the build process's maximum resident
  set size; CPU is its user + system time, steadier than wall time when other work shares the
  machine.
- **Same site?** Each size lists both outputs' file counts: until Topicfeed has every page the
  baseline has (source pages and feeds), the baseline does more work than Topicfeed.
"""


def profile_section(directory: Path) -> list[str]:
    """The stored profiles (``bench/profile_build.py``): phase shares and top self times."""
    profiles = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("profile-*.json"))]
    if not profiles:
        return []
    profiles.sort(key=lambda p: (p["size"], p["system"] != "topicfeed"))
    lines = [
        "## Where the time goes (profiles)",
        "",
        "py-spy samples of one cold build each (shares of the build; phases overlap, a `-` marks a "
        "part of the phase above). Regenerate with `make bench-profile` "
        "(`BENCH_PROFILE_SIZE=10000`).",
        "",
    ]
    for profile in profiles:
        label = SYSTEMS[profile["system"]].label
        lines += [
            f"### {label}, {profile['size']:,} items, cold ({profile['seconds']} s sampled)",
            "",
            f"Measured {profile['date']} at commit {profile['commit']}: `{profile['command']}`",
            "",
            "| phase | share |",
            "| --- | --- |",
            *(f"| {phase} | {share:.1f}% |" for phase, share in profile["phases"] if share >= 0.1),
            "",
            "Top self time: "
            + "; ".join(f"`{name.split('  ')[0]}` {share:.1f}%" for name, share in profile["self"][:10])
            + ".",
            "",
        ]
    return lines


def render(results: dict[int, dict[str, Any]], directory: Path | None = None) -> str:
    lines = [HEADER.rstrip(), "", *targets_section(results), ""]
    for size in sorted(results):
        lines += [*size_section(results[size]), ""]
    if directory is not None:
        lines += profile_section(directory)
    return "\n".join(lines).rstrip() + "\n"


def load_results(directory: Path) -> dict[int, dict[str, Any]]:
    """The stored benchmark results, ``N.json`` per size."""
    results = {}
    for path in sorted(directory.glob("[0-9]*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[int(data["size"])] = data
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="warm and changed need cold",
    )
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--work", type=Path, default=ROOT / ".bench", help="generated sets and outputs")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--report", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per build")
    parser.add_argument("--render-only", action="store_true", help="rewrite the report from stored results")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    if not args.render_only:
        args.results.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            result = bench_size(size, args)
            path = args.results / f"{size}.json"
            path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    args.report.write_text(render(load_results(args.results), args.results), encoding="utf-8")
    print(f"[bench] wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
