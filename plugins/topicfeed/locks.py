"""Exclusive locks on what a build shares with other builds: the output folder, the reader cache.

Two builds started together (``make devserver`` rebuilding while ``make html`` runs, two CI jobs
on one runner) must not write into each other's folders. Each piece of shared state has a lock
file beside it, locked with ``flock``: the kernel drops the lock when its process ends, however
it ends (SIGKILL included), so a stale lock file is harmless and never needs cleaning up.

- A build that finds a lock taken says so in one line ("waiting for another build of ... (pid N)
  to finish") and waits, up to a timeout after which it stops with :class:`LockTimeout`.
- **One order.** Every lock has a rank (:data:`OUTPUT` before :data:`CACHE`); this process takes
  them in rank order whatever order the plugins' steps ask for them in. A step that asks for a
  lower-ranked lock while a higher-ranked one is held and the lower one is busy gives the higher
  ones back, waits, and takes them all again in order; that is safe because locks are taken at
  the start of a run, before anything is read or written under them. With one order, two builds
  can never each hold what the other waits for.
- **A failed run lets others in.** Pelican sends no signal when a run fails. A plain ``pelican``
  or ``make html`` then exits and the kernel drops its locks; in autoreload mode (``pelican -r``,
  ``make devserver``) the process lives on and runs again at once, and again while the error
  lasts. So a run that finds a lock still held by this process (its previous run failed) gives
  it back, pauses long enough for a waiting build to take it, and waits its turn like any build.

The lock file holds the pid of the process that holds it, for the waiting message only.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from pelican.log import console

logger = logging.getLogger(__name__)

#: Ranks: a process always holds the output lock before the cache lock.
OUTPUT = 10
CACHE = 20

#: How often a waiting build tries the lock again, in seconds.
POLL_SECONDS = 0.1
#: How long a failed run's lock is left free before the next run of that process takes it again.
YIELD_SECONDS = 3 * POLL_SECONDS


class LockTimeout(RuntimeError):
    """Another build held a lock longer than the timeout; the message names it and its pid."""


@dataclass
class HeldLock:
    path: Path
    rank: int
    what: str
    fd: int


#: The locks this process holds, by lock file.
_HELD: dict[Path, HeldLock] = {}


def _forget_in_child() -> None:
    """A forked child (a render worker) must not keep the build's locks alive after its parent.

    Closing its copies drops only its reference; unlocking would release the parent's lock.
    """
    for lock in _HELD.values():
        try:
            os.close(lock.fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def lock_file(target: Path) -> Path:
    """The lock file of a folder: ``.<name>.lock`` beside it (``output`` -> ``.output.lock``)."""
    return target.with_name(f".{target.name}.lock")


def holder(path: Path) -> str:
    """The pid written in a lock file, or "unknown" (it is written just after the lock is taken)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return text if text.isdigit() else "unknown"


def held(path: Path) -> bool:
    """Whether this process holds the lock of ``path`` (a lock file)."""
    return path in _HELD


def _open_locked(path: Path, blocking_until: float | None) -> int | None:
    """Open ``path`` and lock it; None when it is busy (after waiting until ``blocking_until``).

    A lock file may be removed while another process waits on it (an old cache folder's lock);
    locking an unlinked file would lock nothing, so the lock is taken again on the file now there.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if blocking_until is None or time.monotonic() >= blocking_until:
                        os.close(fd)
                        return None
                    time.sleep(POLL_SECONDS)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


def _release(lock: HeldLock) -> None:
    _HELD.pop(lock.path, None)
    try:
        # Unlock explicitly: processes forked while it was held (render workers) share the lock.
        fcntl.flock(lock.fd, fcntl.LOCK_UN)
    finally:
        os.close(lock.fd)


def _wait(path: Path, rank: int, what: str, timeout: float) -> HeldLock:
    fd = _open_locked(path, None)
    if fd is None:
        console.print(
            f"waiting for another build of {what} (pid {holder(path)}) to finish",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        fd = _open_locked(path, time.monotonic() + timeout)
        if fd is None:
            raise LockTimeout(
                f"another build of {what} (pid {holder(path)}) is still running after {timeout:g} s; "
                f"this build stops without touching it (lock file {path})"
            )
    _write_pid(fd)
    lock = HeldLock(path, rank, what, fd)
    _HELD[path] = lock
    return lock


def acquire(path: Path, *, rank: int, what: str, timeout: float) -> HeldLock:
    """Hold the lock file ``path`` for this process, waiting up to ``timeout`` seconds.

    ``what`` names the state in messages ("/srv/site/output"). Locks are taken in rank order
    (see the module docstring).
    """
    if path in _HELD:  # this process's previous run failed: let a waiting build go first
        _release(_HELD[path])
        time.sleep(YIELD_SECONDS)
    path.parent.mkdir(parents=True, exist_ok=True)
    higher = sorted((lock for lock in _HELD.values() if lock.rank > rank), key=lambda lock: lock.rank)
    if higher:
        fd = _open_locked(path, None)
        if fd is not None:
            _write_pid(fd)
            lock = HeldLock(path, rank, what, fd)
            _HELD[path] = lock
            return lock
        for lock in higher:  # give them back so the order stays the same for everyone
            _release(lock)
    lock = _wait(path, rank, what, timeout)
    for other in higher:
        _wait(other.path, other.rank, other.what, timeout)
    return lock


def release(path: Path) -> None:
    """Give back the lock of ``path`` if this process holds it."""
    lock = _HELD.get(path)
    if lock is not None:
        _release(lock)


def try_acquire(path: Path) -> bool:
    """Take the lock of ``path`` only if it is free now (for removing what nobody uses)."""
    if path in _HELD:
        return True
    fd = _open_locked(path, None)
    if fd is None:
        return False
    _write_pid(fd)
    _HELD[path] = HeldLock(path, 0, str(path), fd)
    return True
