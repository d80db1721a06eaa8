"""Memory of a whole build: the process and every process it started, sampled while it runs.

``wait4``'s maximum resident set is that of the largest single process. A build that renders in
forked processes (Topicfeed's ``fast_writer``) holds several at once, so the runner also samples
the sum over the process tree. It sums PSS (proportional set size: a page shared by forks counts
once overall, split between them), not RSS, which would count every shared page once per fork.
Linux only (``/proc``); elsewhere the sample is ``None``. The build measures itself the same way
for ``MEMORY_BUDGET_MB``, so both use the build's own functions.
"""

from __future__ import annotations

from topicfeed.memory_budget import descendants, pss_kib, tree_mb

__all__ = ["descendants", "pss_kib", "tree_mb"]
