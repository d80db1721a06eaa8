"""One step of a build run in a forked process beside the rest of the build, collected later.

A step that needs every article but no page (the JSON API) used to run after the pages, alone
on one core, while the other core idled: at 10,000 items a one-item build spent 1.4 s writing
the API and 6 s keying and writing pages, one after the other. Forked once the articles are
final, the step runs beside the page writer, on the copy of the articles the fork gives it
(nothing is pickled or copied up front), and hands its small result back through a pipe.

The forked process dies with the build: it asks the kernel to kill it when its parent goes
(``PR_SET_PDEATHSIG``, Linux) and stops at once when the parent is already gone, so a build
killed with SIGKILL leaves no process writing on into a staging folder the next build may use.
Where ``fork`` is not available the step runs in the build process, with the same result.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


class ForkedStepFailed(RuntimeError):
    """The forked step raised (its traceback is the message) or died without an answer."""


@dataclass
class Forked(Generic[T]):
    """A step running in a forked process (``process`` None: it ran here, ``value`` holds it)."""

    label: str
    process: Any = None
    receiver: Any = None
    value: T | None = None


def _die_with_parent(parent: int) -> None:
    """In the forked process: be killed when the build process ends, however it ends."""
    try:  # the process's own symbols hold libc's prctl (find_library would run ldconfig: 25 ms)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the check below still stops an orphan at once
        pass
    if os.getppid() != parent:  # the build died before the request took effect
        os._exit(1)


def _child(work: Callable[[], Any], sender: Any, receiver: Any, parent: int) -> None:
    receiver.close()  # the build's end: with it open here, a send to a dead build would block
    _die_with_parent(parent)
    try:
        sender.send(("ok", work()))
    except BaseException:  # reported to the build, which fails
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def start(label: str, work: Callable[[], T], fork: bool = True) -> Forked[T]:
    """Run ``work()`` in a forked process (``fork`` False or impossible: here, now).

    ``work`` sees the build as it is at the fork; what it changes stays in its process, so it
    must return everything the build needs from it (a picklable value) and write only files
    no other step writes.
    """
    if not fork or "fork" not in multiprocessing.get_all_start_methods():
        return Forked(label, value=work())
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(work, sender, receiver, os.getpid()), name=label, daemon=True
    )
    process.start()
    sender.close()
    return Forked(label, process, receiver)


def finish(forked: Forked[T]) -> T:
    """Wait for the step and return what ``work()`` returned; raise when it failed."""
    if forked.process is None:
        return forked.value  # type: ignore[return-value]
    try:
        status, payload = forked.receiver.recv()
    except EOFError:
        status, payload = "error", f"the process ({forked.process.pid}) died without an answer"
    finally:
        forked.receiver.close()
    forked.process.join()
    if status != "ok":
        raise ForkedStepFailed(f"{forked.label} failed in its forked process:\n{payload}")
    return payload
