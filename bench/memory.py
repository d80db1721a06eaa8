"""Memory of a whole build: the process and every process it started, sampled while it runs.

``wait4``'s maximum resident set is that of the largest single process. A build that renders in
forked processes (Topicfeed's ``fast_writer``) holds several at once, so the runner also samples
the sum over the process tree. It sums PSS (proportional set size: a page shared by forks counts
once overall, split between them), not RSS, which would count every shared page once per fork.
Linux only (``/proc``); elsewhere the sample is ``None``.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def descendants(pid: int) -> list[int]:
    """``pid`` and every living process below it (from ``/proc/PID/task/TID/children``)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = list((PROC / str(current) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
    return found


def pss_kib(pid: int) -> int:
    """The process's proportional set size in KiB; 0 once it has gone."""
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_mb(pid: int) -> float | None:
    """The PSS of ``pid`` and its descendants together, in MB (MiB); None without ``/proc``."""
    if not (PROC / "self" / "smaps_rollup").exists():
        return None
    return sum(pss_kib(process) for process in descendants(pid)) / 1024
