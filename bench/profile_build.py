"""Profile one cold build of a generated set with py-spy and list the top costs.

py-spy samples the real ``pelican`` process from outside, so the build runs at full speed and
the shares are not skewed towards code with many small calls (an instrumenting profiler such
as pyinstrument or cProfile doubled this build's time and inflated per-character loops). The
raw samples (collapsed stacks, one line per stack: open them in speedscope) are kept next to
a text report of the functions with the most inclusive and self time, as shares of the build.

Usage: ``python bench/profile_build.py --size 10000 [--system topicfeed|pelican]`` (``make bench-profile``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402

_WAITING = ("Condition.wait  threading.py", "Event.wait  threading.py")
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def parse(raw: str) -> tuple[int, Counter[str], Counter[str]]:
    """Samples in total, and per function the samples it is on the stack (once) and on top.

    Threads waiting in ``threading`` are left out: they are sampled but do no work.
    """
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
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
    return total, inclusive, own


def frame_name(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    return f"{match['function']}  {match['file']}:{match['line'] or '?'}"


def table(title: str, values: Counter[str], total: int, rate: int, limit: int) -> list[str]:
    lines = [title, f"{'%':>6} {'s':>7}  function  file:first line"]
    for name, samples in values.most_common(limit):
        lines.append(f"{100 * samples / total:6.1f} {samples / rate:7.2f}  {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--system", choices=list(run.SYSTEMS), default="topicfeed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--limit", type=int, default=40, help="rows per table")
    parser.add_argument("--work", type=Path, default=run.ROOT / ".bench")
    args = parser.parse_args(argv)

    set_dir, _manifest = run.ensure_set(args.size, args.seed, args.work.resolve())
    system = run.SYSTEMS[args.system]
    output_dir = set_dir / f"profile-output-{system.name}"
    cache_dir = set_dir / f"profile-cache-{system.name}"
    shutil.rmtree(output_dir, ignore_errors=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    raw_path = set_dir / f"profile-{system.name}.collapsed.txt"
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    command = [
        py_spy,
        "record",
        "--function",
        "--rate",
        str(args.rate),
        "--format",
        "raw",
        "--output",
        str(raw_path),
        "--",
        *run.pelican_command(system, set_dir / system.input, output_dir, cache_dir),
    ]
    print(f"[profile] {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=run.ROOT, check=True)
    total, inclusive, own = parse(raw_path.read_text(encoding="utf-8"))
    report = [
        f"Cold {system.label} build of {args.size:,} generated items under py-spy ({args.rate} samples/s): "
        f"{total:,} samples, about {total / args.rate:.1f} s.",
        f"Command: python bench/profile_build.py --size {args.size} --system {args.system}",
        "",
        *table(
            "Inclusive time (a function and everything it calls)", inclusive, total, args.rate, args.limit
        ),
        "",
        *table("Self time (the function's own code)", own, total, args.rate, args.limit),
    ]
    text_path = set_dir / f"profile-{system.name}.txt"
    text_path.write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(report))
    print(f"[profile] wrote {text_path} and {raw_path} (collapsed stacks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
