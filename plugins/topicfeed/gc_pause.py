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
