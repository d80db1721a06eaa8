"""The steps of a build that need every article but no page, run in one forked process beside it.

A step that needs every article but no page (the JSON API) used to run after the pages, alone
on one core, while the other core idled: at 10,000 items a one-item build spent 1.4 s writing
the API and 6 s keying and writing pages, one after the other. Forked once the articles are
final, such work runs beside the page writer, on the copy of the articles the fork gives it
(nothing is pickled or copied up front), and hands its small result back through a pipe.

Every such work of a build runs in the same forked process (:class:`Beside`): a step of phase
``ARTICLES`` adds its work, and the process is forked once every ``ARTICLES`` step has run
(:func:`launch`). A forked process shares the build's memory only until either side writes to
a page of it, and reading a Python object writes its reference count: each fork ends up
holding its own copy of much of the build, so two works in one fork cost one copy, not two.
The works run one after the other, those added with ``first`` (needed soonest) first; each
result is sent back as soon as it is ready, and a thread of the build takes it off the pipe,
so a large result never holds the next work up.

The forked process dies with the build: it asks the kernel to kill it when its parent goes
(``PR_SET_PDEATHSIG``, Linux) and stops at once when the parent is already gone, so a build
killed with SIGKILL leaves no process writing on into a staging folder the next build may use.
Where ``fork`` is not available the works run in the build process, at :func:`launch`, with the
same results.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

_PR_SET_PDEATHSIG = 1

#: A work's outcome: ("ok", its value) or ("error", the traceback or what went wrong).
Outcome = tuple[str, Any]


class ForkedStepFailed(RuntimeError):
    """A forked work raised (its traceback is the message) or its process died without an answer."""


def _die_with_parent(parent: int) -> None:
    """In the forked process: be killed when the build process ends, however it ends."""
    try:  # the process's own symbols hold libc's prctl (find_library would run ldconfig: 25 ms)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the check below still stops an orphan at once
        pass
    if os.getppid() != parent:  # the build died before the request took effect
        os._exit(1)


def _run(work: Callable[[], Any]) -> Outcome:
    try:
        return "ok", work()
    except BaseException:  # reported to the build, which fails
        return "error", traceback.format_exc()


def _child(works: list[tuple[str, Callable[[], Any]]], sender: Any, receiver: Any, parent: int) -> None:
    receiver.close()  # the build's end: with it open here, a send to a dead build would block
    _die_with_parent(parent)
    try:
        for label, work in works:
            sender.send((label, *_run(work)))
    finally:
        sender.close()


class Beside:
    """One build's works that run beside the page writer, in one forked process.

    :meth:`add` them (phase ``ARTICLES``), :meth:`launch` once (after the last ``ARTICLES``
    step), then take each work's value with :meth:`result`, which waits for it and raises
    :class:`ForkedStepFailed` when it failed.
    """

    def __init__(self) -> None:
        self._works: list[tuple[bool, int, str, Callable[[], Any]]] = []
        self._launched = False
        self._outcomes: dict[str, Outcome] = {}
        self._pending: set[str] = set()
        self._arrived = threading.Condition()
        #: The forked process's id (None: not forked).
        self.pid: int | None = None

    def add(self, label: str, work: Callable[[], Any], *, first: bool = False) -> None:
        """Run ``work()`` beside the build; ``first``: before the works added without it.

        ``work`` sees the build as it is at the fork; what it changes stays in its process, so
        it must return everything the build needs from it (a picklable value) and write only
        files no other step writes.
        """
        if self._launched:
            raise RuntimeError(f"{label}: the works beside the build have started already")
        if label in {added[2] for added in self._works}:
            raise ValueError(f"{label}: added twice")
        self._works.append((not first, len(self._works), label, work))

    @property
    def labels(self) -> list[str]:
        """The works added, in the order they run."""
        return [label for _, _, label, _ in sorted(self._works, key=lambda w: w[:2])]

    def launch(self, fork: bool = True) -> None:
        """Fork the process that runs every work added (``fork`` False or impossible: run them here)."""
        if self._launched:
            return
        self._launched = True
        works = [(label, work) for _, _, label, work in sorted(self._works, key=lambda w: w[:2])]
        self._works = []
        if not works:
            return
        if not fork or "fork" not in multiprocessing.get_all_start_methods():
            self._outcomes = {label: _run(work) for label, work in works}
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        self._pending = {label for label, _ in works}
        process = context.Process(
            target=_child, args=(works, sender, receiver, os.getpid()), name="beside the build", daemon=True
        )
        process.start()
        sender.close()
        self.pid = process.pid
        threading.Thread(target=self._take, args=(receiver, process), name="taker", daemon=True).start()

    def _take(self, receiver: Any, process: Any) -> None:
        """Take each outcome off the pipe as it comes (a thread: a large one never blocks the process)."""
        try:
            while True:
                try:
                    label, status, payload = receiver.recv()
                except (EOFError, OSError):
                    break
                with self._arrived:
                    self._outcomes[label] = (status, payload)
                    self._pending.discard(label)
                    self._arrived.notify_all()
        finally:
            receiver.close()
            process.join()
            with self._arrived:
                for label in self._pending:
                    self._outcomes[label] = ("error", f"the process ({process.pid}) died without an answer")
                self._pending.clear()
                self._arrived.notify_all()

    def result(self, label: str) -> Any:
        """What ``label``'s work returned, once it has; raises when it failed."""
        with self._arrived:
            while label not in self._outcomes:
                if label not in self._pending:
                    raise KeyError(f"{label}: no such work beside the build")
                self._arrived.wait()
            status, payload = self._outcomes.pop(label)
        if status != "ok":
            raise ForkedStepFailed(f"{label} failed in its forked process:\n{payload}")
        return payload


#: Where a build keeps its :class:`Beside` (``Build.private``).
_KEY = __name__


def beside(private: dict[str, Any]) -> Beside:
    """The build's works beside it (``private``: the build's ``Build.private``)."""
    found = private.get(_KEY)
    if found is None:
        found = private[_KEY] = Beside()
    return found


def launch(private: dict[str, Any]) -> None:
    """Start the build's works beside it, if any were added (after the last ``ARTICLES`` step)."""
    found = private.get(_KEY)
    if found is not None:
        found.launch()


_T = TypeVar("_T")

logger = logging.getLogger(__name__)


def ahead(label: str, work: Callable[[], _T], fork: bool = True) -> Callable[[], _T]:
    """``work`` started now in a process forked for it alone (``fork``; else run here once
    waited for); the function that waits for its value. One that fails in its process, or whose
    process dies (killed for memory, ...), is run here instead: it costs time, not the build."""
    if not fork:
        return work
    beside = Beside()
    beside.add(label, work)
    beside.launch()

    def value() -> _T:
        try:
            return beside.result(label)
        except ForkedStepFailed as error:
            logger.debug("%s; run here instead", error)
            return work()

    return value


def _part(job: Callable[[], Any], sender: Any, inherited: list[Any], parent: int) -> None:
    """A forked part: ``job``'s outcome sent back to the build."""
    for receiver in inherited:  # the build's ends: with one open here, a send to a dead build blocks
        receiver.close()
    _die_with_parent(parent)
    try:
        sender.send(_run(job))
    finally:
        sender.close()


def _start_parts(context: Any, jobs: list[Callable[[], Any]]) -> list[tuple[Any, Any]]:
    """A forked process for each of ``jobs``, and the end of the pipe its outcome comes through."""
    parent = os.getpid()
    children: list[tuple[Any, Any]] = []
    for job in jobs:
        receiver, sender = context.Pipe(duplex=False)
        inherited = [receiver, *(other for _, other in children)]
        process = context.Process(target=_part, args=(job, sender, inherited, parent), daemon=True)
        process.start()
        sender.close()
        children.append((process, receiver))
    return children


def _gather(children: list[tuple[Any, Any]]) -> list[Any]:
    """Each forked part's value, in order, once every one has ended; raises
    :class:`ForkedStepFailed` when one raised or died."""
    values = []
    errors = []
    for process, receiver in children:
        try:
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "error", f"process {process.pid} died"
        process.join()
        if status == "ok":
            values.append(payload)
        else:
            errors.append(payload)
    if errors:
        raise ForkedStepFailed("a forked process failed:\n" + "\n".join(errors))
    return values


def _stop(children: list[tuple[Any, Any]]) -> None:
    """This process failed: the forked parts are of no use any more."""
    for process, _ in children:
        process.kill()
        process.join()


def split(jobs: list[Any], processes: int, work: Callable[[list[Any], bool], Any]) -> list[Any]:
    """``work`` over ``jobs`` cut into ``processes`` interleaved parts: the first part in this
    process, each other in a process forked for it (nothing is copied up front); the results,
    this process's first. ``work(part, forked)`` is told whether it runs in a forked process. A
    part that raised, or whose process died, raises :class:`ForkedStepFailed` once every part
    has ended; when this process's part raises, the forked ones are stopped. Without ``fork``,
    or with one process, every job runs here."""
    if processes <= 1 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(list(jobs), False)]
    parts = [partial(work, jobs[index::processes], True) for index in range(1, processes)]
    children = _start_parts(multiprocessing.get_context("fork"), parts)
    try:
        first = work(jobs[0::processes], False)
    except BaseException:
        _stop(children)
        raise
    return [first, *_gather(children)]


def _next_run(jobs: list[Any], taken: Any, run: int) -> tuple[int, list[Any]] | None:
    """The next ``run`` jobs no process has taken yet (their first index and the jobs), or None."""
    with taken.get_lock():
        start = taken.value
        if start >= len(jobs):
            return None
        taken.value = start + run
    return start, jobs[start : start + run]


def _work_through(
    work: Callable[[list[Any], bool], list[Any]], jobs: list[Any], taken: Any, run: int, forked: bool
) -> list[tuple[int, list[Any]]]:
    done = []
    while (next_run := _next_run(jobs, taken, run)) is not None:
        start, part = next_run
        done.append((start, work(part, forked)))
    return done


def share(
    jobs: list[Any],
    processes: int,
    work: Callable[[list[Any], bool], list[Any]],
    first: Callable[[], Any] = lambda: None,
) -> tuple[Any, list[Any]]:
    """``work`` over ``jobs`` by this process and ``processes - 1`` forked ones (nothing is copied
    up front), each taking the next few jobs whenever it is free; this process runs ``first``
    before it takes any. ``work(part, forked)`` returns one result per job of ``part`` and is
    told whether it runs in a forked process. Returns ``first``'s value and every job's result,
    in the order of ``jobs``. A part that raised, or whose process died, raises
    :class:`ForkedStepFailed` once every process has ended; when this process raises, the
    forked ones are stopped. Without ``fork``, or with one process, everything runs here.

    Taken as each process is free rather than cut up front: what this process does first (the
    files that are no pages, while the forked ones render pages) would otherwise leave the
    others idle at the end.
    """
    if processes <= 1 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return first(), work(list(jobs), False)
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)
    run = max(1, min(32, len(jobs) // (processes * 8)))
    forked = [partial(_work_through, work, jobs, taken, run, True) for _ in range(1, processes)]
    children = _start_parts(context, forked)
    try:
        value = first()
        parts = _work_through(work, jobs, taken, run, False)
    except BaseException:
        _stop(children)
        raise
    for done in _gather(children):
        parts.extend(done)
    results = [result for _, part in sorted(parts, key=lambda found: found[0]) for result in part]
    if len(results) != len(jobs):
        raise ForkedStepFailed(f"{len(jobs) - len(results)} of {len(jobs)} jobs were not done")
    return value, results
