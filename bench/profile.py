"""Profile one cold build of a generated set with pyinstrument and list the top costs.

Runs the real ``pelican`` command under pyinstrument (sampling, so the build runs at nearly full
speed), keeps the session for ``pyinstrument --load``, renders an HTML call tree, and prints
the functions with the most inclusive and self time as a share of the whole build.

Usage: ``python bench/profile.py --size 10000 [--system topicfeed|pelican]`` (``make bench-profile``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402


def frame_key(frame: object) -> str:
    path = getattr(frame, "file_path_short", None) or getattr(frame, "file_path", None) or "?"
    return f"{frame.function}  {path}:{frame.line_no}"  # type: ignore[attr-defined]


def costs(root: object) -> tuple[float, dict[str, float], dict[str, float]]:
    """Total time, inclusive time and self time per function (recursion counted once)."""
    inclusive: dict[str, float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    stack: list[tuple[object, frozenset[str]]] = [(root, frozenset())]
    while stack:
        frame, above = stack.pop()
        if frame.is_synthetic:  # type: ignore[attr-defined]
            continue
        key = frame_key(frame)
        if key not in above:
            inclusive[key] += frame.time  # type: ignore[attr-defined]
        own[key] += frame.total_self_time  # type: ignore[attr-defined]
        below = above | {key}
        stack.extend((child, below) for child in frame.children)  # type: ignore[attr-defined]
    return root.time, inclusive, own  # type: ignore[attr-defined]


def table(title: str, values: dict[str, float], total: float, limit: int) -> list[str]:
    lines = [f"{title}", f"{'%':>6} {'s':>8}  function  file:line"]
    for key, seconds in sorted(values.items(), key=lambda kv: -kv[1])[:limit]:
        lines.append(f"{100 * seconds / total:6.1f} {seconds:8.2f}  {key}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--system", choices=list(run.SYSTEMS), default="topicfeed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.002, help="sampling interval in seconds")
    parser.add_argument("--limit", type=int, default=40, help="rows per table")
    parser.add_argument("--work", type=Path, default=run.ROOT / ".bench")
    args = parser.parse_args(argv)
    from pyinstrument.session import Session

    set_dir, _manifest = run.ensure_set(args.size, args.seed, args.work.resolve())
    system = run.SYSTEMS[args.system]
    output_dir = set_dir / f"profile-output-{system.name}"
    cache_dir = set_dir / f"profile-cache-{system.name}"
    shutil.rmtree(output_dir, ignore_errors=True)
    shutil.rmtree(cache_dir, ignore_errors=True)
    session_path = set_dir / f"profile-{system.name}.pyisession"
    pelican = run.pelican_command(system, set_dir / system.input, output_dir, cache_dir)
    command = [
        sys.executable,
        "-m",
        "pyinstrument",
        "-i",
        str(args.interval),
        "-r",
        "pyisession",
        "-o",
        str(session_path),
        "-m",
        *pelican[2:],
    ]
    print(f"[profile] {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=run.ROOT, check=True)
    session = Session.load(session_path)
    root = session.root_frame()
    total, inclusive, own = costs(root)
    report = [
        f"Cold {system.label} build of {args.size:,} generated items under pyinstrument "
        f"(interval {args.interval} s): {total:.1f} s sampled, {session.cpu_time:.1f} s CPU.",
        f"Command: python bench/profile.py --size {args.size} --system {args.system}",
        "",
        *table("Inclusive time (a function and everything it calls)", inclusive, total, args.limit),
        "",
        *table("Self time (time spent in the function's own code)", own, total, args.limit),
    ]
    text_path = set_dir / f"profile-{system.name}.txt"
    text_path.write_text("\n".join(report) + "\n", encoding="utf-8")
    html_path = set_dir / f"profile-{system.name}.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pyinstrument",
            "--load",
            str(session_path),
            "-r",
            "html",
            "-o",
            str(html_path),
        ],
        check=True,
    )
    print("\n".join(report))
    print(f"[profile] wrote {text_path}, {html_path} and {session_path} (pyinstrument --load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
