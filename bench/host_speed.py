"""How fast the machine ran plain Python before each round: a fixed loop, timed.

On these shared machines identical builds took up to 1.5 times the CPU time a few hours apart
(a 100,000-item cold build with ``MEMORY_BUDGET_MB=2000``: 384 s of CPU on 2026-12-01, 512 s and
572 s on 2026-12-03), while the load average and the disk's pressure (``bench/pressure.py``)
looked ordinary: other tenants of the host slow every instruction, they do not queue for this
machine's cores. CPU time is what a result compares, so each round records how long a fixed loop
of dict and string work (the kind of work a build does) took in CPU time, the best of a few
tries. Comparing that figure between runs tells a slower host from a slower build.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Strings made and looked up by :func:`workload`: about 44 ms of CPU on this project's machine.
SIZE = 100_000
#: Tries of :func:`probe`; the report names it.
REPEAT = 5


def workload(size: int = SIZE) -> int:
    """Fixed work: make ``size`` short strings, keep them in a dict, read them back."""
    table: dict[str, int] = {}
    for number in range(size):
        key = f"item-{number}"
        table[key] = len(key) + number % 7
    return sum(table[f"item-{number}"] for number in range(0, size, 3))


def probe(
    repeat: int = REPEAT, clock: Callable[[], float] = time.thread_time, work: Callable[[], object] = workload
) -> float:
    """Seconds of CPU the fastest of ``repeat`` runs of ``work`` took (the fastest: a try that
    another task interrupted says nothing about the host's speed)."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        work()
        best = min(best, clock() - start)
    return best
