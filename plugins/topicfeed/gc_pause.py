"""Pausing Python's cyclic garbage collector around a step that allocates much and frees little.

Two steps of a large build (the related step, the JSON API) make hundreds of thousands of small
objects that hold no reference cycles, so reference counting frees what they drop. With the
collector on, every few thousand allocations it rescans the young objects, and now and then the
whole heap of the build (every article, page and template), which cost more than either step.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off inside the block, and back as it was after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: A third threshold no run reaches: the number of middle-generation collections between two
#: collections of the whole heap (Python's default is 10).
NEVER = 1_000_000_000


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Inside the block the collector frees young cycles as usual but never goes over the
    whole heap; as it was after. Processes forked inside keep the setting.

    For a step whose objects mostly live to the end of the run and whose garbage cycles die
    young (a template's render makes a few), a full collection finds little and costs the most:
    at 100,000 items, one story added, the rebuild's 37 full collections took 2.75 s in the
    build process and 1.48 s in the forked page renderer (each over every article it had made
    so far), and found about 8,600 objects of garbage in all.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
