"""How fast the machine ran plain Python before each round: a fixed loop, timed.

On these shared machines identical builds took up to 1.5 times the CPU time a few hours apart
(a 100,000-item cold build with ``MEMORY_BUDGET_MB=2000``: 384 s of CPU on 2026-12-01, 512 s and
572 s on 2026-12-03), while the load average and the disk's pressure (``bench/pressure.py``)
looked ordinary: other tenants of the host slow every instruction, they do not queue for this
machine's cores. CPU time is what a result compares, so each round records how long a fixed loop
of dict and string work (the kind of work a build does) took in CPU time, the best of a few
tries. Comparing that figure between runs tells a slower host from a slower build.

The loop stays in the processor's cache and never asks the kernel for memory, so it misses the
other way a host slows down: on 2026-12-06 the same cold build of 10,000 items took 3.9 s of
system time, then up to 31 s an hour later, for about 640,000 page faults each (6 to 50 us a
fault) while the loop read alike. Topicfeed forks and runs Pagefind, and faults far more than
plain Pelican or Hugo, so a host with costly faults slows it the most. Each round also records
what touching fresh memory costs (:func:`fault_probe`).
"""

from __future__ import annotations

import mmap
import time
from collections.abc import Callable

#: Strings made and looked up by :func:`workload`: about 44 ms of CPU on this project's machine.
SIZE = 100_000
#: Tries of :func:`probe`; the report names it.
REPEAT = 5
#: Fresh pages :func:`touch_pages` writes: 32 MB.
PAGES = 8192


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


def touch_pages(pages: int = PAGES) -> None:
    """Map ``pages`` fresh pages of anonymous memory and write one byte in each: one page fault
    a page, as a build's new heap and a forked process's copies cost."""
    size = mmap.PAGESIZE
    with mmap.mmap(-1, pages * size) as memory:
        for offset in range(0, pages * size, size):
            memory[offset] = 1


def fault_probe(
    repeat: int = REPEAT, clock: Callable[[], float] = time.thread_time, pages: int = PAGES
) -> float:
    """Seconds of CPU (user and system) one page fault took, the fastest of ``repeat`` tries of
    :func:`touch_pages`."""
    return probe(repeat, clock, lambda: touch_pages(pages)) / pages
