"""What a build leaves for the interpreter's exit: memory for the system to take back whole, not
millions of objects to free one by one.

When ``pelican`` returns, CPython frees what the run made as its last references go (the plan of
a rebuild from the site model as the run returns, Pelican's generators as ``Pelican.run``
returns), then clears every module and runs one more full collection over whatever is not
frozen. At 100,000 items, one item unpublished, that was about 1.3 s of the rebuild's 32 s, on
one core, after the site was already swapped in (0.3 s freeing the plan, 0.3 s the last
collection, the rest the modules' objects; measured against the same rebuild with the plan held
and everything frozen).

So a run hands what it keeps to the end to :func:`keep_past_run`: a list that holds itself,
reachable from this module until the next run of the process replaces it (autoreload frees the
last run's objects there, as before, not later) or until the interpreter clears the module at
exit; then it is a cycle in the permanent generation (:func:`run_over` freezes it), which
CPython's last collection does not visit, so nothing in it is freed before the process ends.
Nothing in it needs finalising: files are closed and temporary folders removed by the steps
that made them (``weakref.finalize`` callbacks run at exit all the same).
"""

from __future__ import annotations

import gc
from typing import Any

#: ``[itself, *values]`` of the current run (:func:`keep_past_run`); empty before the first.
_KEPT: list[Any] = []


def keep_past_run(*values: Any) -> None:
    """Hold ``values`` past the end of this run, in place of what an earlier run held (freed now)."""
    release()
    _KEPT.append(_KEPT)
    _KEPT.extend(values)


def release() -> None:
    """Free what an earlier run of this process kept (a new run starts)."""
    _KEPT.clear()


def run_over() -> None:
    """The run is over: what it made, the kept values with it, goes out of the collector's sight
    (``gc.freeze``, as the build's steps freeze what they read and make), so the last collection
    at exit has nothing to go over. A later run unfreezes as its reading starts."""
    if gc.isenabled():
        gc.freeze()
