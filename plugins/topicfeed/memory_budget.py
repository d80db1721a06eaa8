"""How many processes a step may add when the build must stay within ``MEMORY_BUDGET_MB``.

The build uses both cores by forking: the JSON API is written beside the pages, pages are
rendered by several processes, and two Pagefind runs index at once. A fork shares the build's
memory only until it touches it, and in Python reading an object writes its reference count,
so a forked renderer or API writer soon holds its own copy of most of the build's heap. At
100,000 items the build holds about 1.4 GB when it forks its renderer, and the two processes
together reach 2.9 GB. That is the price of speed, and most machines can pay it (GitHub's
hosted runners have 7 GB or more); a smaller machine or container cannot, and a build killed
for memory is worse than a slow one.

With ``MEMORY_BUDGET_MB`` set to a number, each step asks before it starts processes: what the
build uses now (this process and every process it started, by proportional set size: a page
shared by two processes counts once overall), plus each new process's worst case (a fork: as
much as the build process holds; a Pagefind run: what its bundle needs), must stay within the
budget. A step that cannot have them all takes as many as fit, at least what it needs to do its
work (none for a step the build process can do itself), so the build is slower but the output
is the same. It is a plan, not a cap: memory the processes allocate later than the check is not
foreseen.

With ``"auto"`` (the default), the budget is what the machine has: each step starts only the
processes whose worst cases fit in nine tenths of the memory free now
(:func:`topicfeed.machine_memory.free_mb`: ``MemAvailable``, and the memory limits of the build's
control groups, so a build in a container limited to 2 GB plans within those 2 GB). On a machine
with room to spare that is no limit at all, and the build is as fast as with ``0``; on a small
one it is slower instead of killed. What is free is measured, not what the build uses: nothing
of the build's own needs to be summed.

Linux only (``/proc``); elsewhere nothing can be measured and every step gets what it asks for.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from topicfeed import machine_memory
from topicfeed.settings import Setting, is_int

logger = logging.getLogger(__name__)

#: ``MEMORY_BUDGET_MB``'s value for "what the machine has free" (:mod:`topicfeed.machine_memory`).
AUTO = "auto"
#: The share of the free memory an ``"auto"`` budget plans within: the plan is not a cap.
AUTO_SHARE = 0.9


def _budget_check(value: Any) -> str | None:
    if value == AUTO or is_int(0)(value) is None:
        return None
    return f'"{AUTO}" or an integer >= 0'


MEMORY_BUDGET = Setting(
    "MEMORY_BUDGET_MB",
    AUTO,
    'the memory, in MB, the build plans its extra processes within ("auto": what the machine or '
    "its container has free; 0: no limit)",
    _budget_check,
    output=False,  # fewer processes, the same bytes: a rebuild may follow another budget's build
)

PROC = Path("/proc")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_mb(pid: int | str = "self") -> float:
    """The resident memory of one process in MB (0 when it cannot be read)."""
    try:
        fields = (PROC / str(pid) / "statm").read_text().split()
        return int(fields[1]) * _PAGE / machine_memory.MB
    except (OSError, IndexError, ValueError):
        return 0.0


def pss_kib(pid: int) -> int:
    """The process's proportional set size in KiB; 0 once it has gone."""
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    return machine_memory.kib_field(text, "Pss") or 0


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


def tree_mb(pid: int) -> float | None:
    """The PSS of ``pid`` and its descendants together, in MB (MiB); None without ``/proc``.

    PSS, not RSS: a page shared by forked processes counts once overall, split between them.
    """
    if not measurable():
        return None
    return sum(pss_kib(process) for process in descendants(pid)) / 1024


def in_use_mb() -> float:
    """What the build uses now: this process and its descendants, proportional set sizes summed."""
    return tree_mb(os.getpid()) or 0.0


def measurable() -> bool:
    return (PROC / "self" / "smaps_rollup").exists()


def extra_processes(
    settings: dict[str, Any], wanted: int, each_mb: float, *, at_least: int = 0, step: str
) -> int:
    """How many of the ``wanted`` extra processes (each up to ``each_mb``) a step may start now.

    ``at_least``: what the step cannot do without (a search index needs one Pagefind run). With
    no budget, or nothing to measure, the step gets ``wanted``. Fewer is logged, once per step.
    A number budgets the build's processes together; ``"auto"`` fits them in what is free.
    """
    budget = settings[MEMORY_BUDGET.name]
    if not budget or wanted <= at_least:
        return wanted
    if budget == AUTO:
        free = machine_memory.free_mb()
        if free is None:
            return wanted
        room = AUTO_SHARE * free
        why = f'the machine has {free:.0f} MB free (MEMORY_BUDGET_MB="{AUTO}")'
    else:
        if not measurable():
            return wanted
        used = in_use_mb()
        room = budget - used
        why = f"to stay within MEMORY_BUDGET_MB={budget} (the build uses {used:.0f} MB)"
    fits = int(room // each_mb) if each_mb > 0 else wanted
    allowed = max(at_least, min(wanted, fits))
    if allowed < wanted:
        logger.info(
            "%s: %d extra process(es) instead of %d, %s; each would add up to %d MB",
            step,
            allowed,
            wanted,
            why,
            each_mb,
        )
    return allowed


def fork_fits(settings: dict[str, Any], step: str) -> bool:
    """Whether one more fork of this process (worst case: a copy of all it holds) fits the budget."""
    return extra_processes(settings, 1, resident_mb(), step=step) == 1
