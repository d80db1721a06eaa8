"""The files a rebuild from the model writes from the site alone (:func:`topicfeed.plugin.site_writers`:
the search bundles), started while the rebuild still plans.

Pagefind indexes a bundle in a process of its own, for about a second at 10,000 items. Started
once the plan, the reach and the renderer's set-up were done, it was the end of a one-item
rebuild's critical path: 0.9 to 1.0 s of waiting after the pages were written. Everything such a
writer needs is known once the stories are read and their sources grouped, before the related
step, so a rebuild starts the writers there (:meth:`SiteWrites.ahead`), on the files the change
will reach as far as the stories tell (the prediction's guess: :func:`.reach.search_reach`).
They make all they can (the documents, Pagefind's runs in memory) while the rebuild plans and
renders, and wait for the folder (:data:`topicfeed.plugin.WriteSiteFiles`). Once the building
folder holds the last site without the files the change reaches, :meth:`SiteWrites.go` hands
them the folder with the files the reach named: the same files, and they place what they made;
other files (the guess is built to be the same, but it is checked, not trusted), and they stop
and start again on those.

The writers run in a process forked for them. When the memory budget has no room for one (or
there is no ``fork``), they run on a thread started when the rebuild says go, as before: ahead,
a thread would share the interpreter with the plan for no time won, and hold the documents it
makes at the plan's peak of memory.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from topicfeed import forked
from topicfeed.items import PlainSite
from topicfeed.memory_budget import extra_processes, resident_mb
from topicfeed.plugin import site_writers

#: What the writers are told: the folder and the files to write, or None (the rebuild stopped).
Go = tuple[Path, frozenset[str]] | None


class Stopped(Exception):
    """The rebuild stopped before its folder was ready: the writers write nothing."""


class Misguessed(Exception):
    """The files the writers started on are not the ones the rebuild's reach named."""

    def __init__(self, folder: Path, paths: frozenset[str]) -> None:
        super().__init__(f"{len(paths)} files to write, not the ones the writers started on")
        self.folder, self.paths = folder, paths


class _Folder:
    """The folder, as a writer started ahead of it gets it (a function): waits for the rebuild's
    word, once for every writer and thread, and raises unless the files are the ones guessed."""

    def __init__(self, receive: Callable[[], Go], guess: frozenset[str]) -> None:
        self._receive, self._guess = receive, guess
        self._lock = threading.Lock()
        self._asked = False
        self._go: Go = None

    def __call__(self) -> Path:
        with self._lock:
            if not self._asked:
                self._asked = True
                self._go = self._receive()
            go = self._go
        if go is None:
            raise Stopped("the rebuild stopped before its folder was ready")
        folder, paths = go
        if paths != self._guess:
            raise Misguessed(folder, paths)
        return folder


def _write_site(
    writers: list[Any], site: PlainSite, wanted: set[str], folder: Callable[[], Path]
) -> set[str]:
    """Run each site writer on the wanted files the ones before it did not write."""
    written: set[str] = set()
    for _, write in writers:
        written |= write(site, wanted - written, folder)
    return written


def _write_ahead(
    writers: list[Any], site: PlainSite, guess: Callable[[], Iterable[str]], receive: Callable[[], Go]
) -> set[str]:
    """The writers on the guessed files, then (when the rebuild named others) on the named ones."""
    guessed = frozenset(guess())
    folder = _Folder(receive, guessed)
    try:
        written = _write_site(writers, site, set(guessed), folder)
        folder()  # a writer with nothing to write never asked: the guess is checked all the same
        return written
    except Misguessed as wrong:
        ready, named = wrong.folder, wrong.paths
    return _write_site(writers, site, set(named), lambda: ready)


def _in_forked_process(
    writers: list[Any], site: PlainSite, guess: Callable[[], Iterable[str]], receiver: Any, sender: Any
) -> set[str]:
    # The rebuild's end of the pipe, inherited: with it open here, a rebuild that stops
    # would never be seen to close it.
    sender.close()

    def receive() -> Go:
        try:
            go: Go = receiver.recv()
        except (EOFError, OSError):  # the rebuild closed its end without a word: it stopped
            return None
        return go

    return _write_ahead(writers, site, guess, receive)


class SiteWrites:
    """The site writers at work for one rebuild: :meth:`ahead` (or the constructor, with the
    folder ready), :meth:`go`, then :meth:`finish`; :meth:`stop` when the rebuild does not go on."""

    def __init__(self, site: PlainSite, paths: Iterable[str], folder: Path) -> None:
        """Start the writers on ``paths``, into ``folder``, which is ready."""
        wanted = frozenset(paths)
        self._start(site, lambda: wanted)
        self.go(wanted, folder)

    @classmethod
    def ahead(cls, site: PlainSite, guess: Callable[[], Iterable[str]]) -> SiteWrites:
        """Start the writers before the folder is ready, on the files ``guess()`` names (called
        where they run)."""
        writes = cls.__new__(cls)
        writes._start(site, guess)
        return writes

    def _start(self, site: PlainSite, guess: Callable[[], Iterable[str]]) -> None:
        self.written: set[str] = set()
        self._error: BaseException | None = None
        self._beside: forked.Beside | None = None
        self._thread: threading.Thread | None = None
        self._sender: Any = None  # the pipe's end the forked writers are told through
        self._later: tuple[list[Any], PlainSite] | None = None
        writers = site_writers(dict(site.settings))
        if not writers:
            return
        if "fork" in multiprocessing.get_all_start_methods() and (
            extra_processes(dict(site.settings), 1, resident_mb(), step="site writes") == 1
        ):
            receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
            self._beside = forked.Beside()
            self._beside.add(
                "site writes", lambda: _in_forked_process(writers, site, guess, receiver, sender)
            )
            self._beside.launch()
            receiver.close()
            self._sender = sender
            return
        # On a thread they would share the interpreter with the plan, for no time won, and hold
        # their documents at the plan's peak of memory (the budget left no room for a process):
        # they start when told to go, on the files named.
        self._later = writers, site

    def _write(
        self,
        writers: list[Any],
        site: PlainSite,
        guess: Callable[[], Iterable[str]],
        receive: Callable[[], Go],
    ) -> None:
        try:
            self.written = _write_ahead(writers, site, guess, receive)
        except BaseException as error:  # handed to the rebuild's thread by finish()
            self._error = error

    def _tell(self, go: Go) -> None:
        sender, self._sender = self._sender, None  # told once
        if sender is not None:
            try:
                sender.send(go)
            except OSError:  # the process has ended: failed before it asked (finish() says how)
                pass
            finally:
                sender.close()
        later, self._later = self._later, None
        if later is None:
            return
        if go is None:
            self._error = Stopped("the rebuild stopped before its folder was ready")
            return
        writers, site = later
        named = go[1]
        self._thread = threading.Thread(
            target=self._write,
            args=(writers, site, lambda: named, lambda: go),
            name="site-writes",
            daemon=True,
        )
        self._thread.start()

    def go(self, paths: Iterable[str], folder: Path) -> None:
        """The folder is ready: write ``paths`` (those of them the writers make) into it."""
        self._tell((folder, frozenset(paths)))

    def stop(self) -> None:
        """The rebuild does not go on: the writers stop at the folder, having written nothing
        (not waited for: a Pagefind run under way ends first)."""
        self._tell(None)

    def finish(self) -> set[str]:
        """Wait for the writers; the files they wrote. Raises what one of them raised (in a
        forked process: :class:`topicfeed.forked.ForkedStepFailed`, with its traceback); one
        never told to go is stopped first, and raises."""
        self.stop()
        beside, self._beside = self._beside, None  # asked again after a failure: nothing more
        if beside is not None:
            self.written = beside.result("site writes")
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self.written
