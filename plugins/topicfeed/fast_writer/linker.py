"""Unchanged pages linked from the previous site by a helper process, while the build keys the rest.

A rebuild after one item changed links nearly every page from the previous site: a ``stat`` of
the old file (is it the one the render manifest describes?) and a hard link, 9,700 of each at
10,000 items, about 0.3 s of the build process (more in a first rebuild, which makes the
folders too). A thread cannot take that off the build: each call waits for the interpreter lock
the keying holds (the search index's links once took 12.7 s that way). A forked process cannot
either: while it lives, every page of memory the build writes to (a reference count is enough)
is copied first, which took back what the fork saved. So from ``RENDER_LINKER_MIN_PAGES``
pages on, the build starts ``link_pages.py`` as a process of its own (standard library only)
and hands it the pages to link through a pipe (the path and the recorded size and mtime, a few
bytes each); it checks and links each on the other core and answers with the pages whose old
file was not as recorded, which the build renders instead. Either way the same files end up
linked or rendered.

The helper dies with the build; one that fails fails the build before anything is announced
or the render manifest saved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("link_pages.py")


class LinkerFailed(RuntimeError):
    """The helper stopped before it had linked every page (its error is the message)."""


class Linker:
    """Pages to link, handed to the helper process as they are found (:meth:`link`)."""

    def __init__(self, previous: Path, building: Path) -> None:
        #: What :meth:`finish` gave (the pages not linked) or raised, once it has run.
        self._outcome: list[str] | LinkerFailed | None = None
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(SCRIPT), str(previous), str(building), str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=1 << 16,
        )

    def link(self, relative: str, stat: list[int]) -> None:
        """Link ``relative`` from the previous site if its file there still has ``stat``."""
        size, mtime = stat
        try:
            self._process.stdin.write(b"%b\0%d\0%d\0" % (os.fsencode(relative), size, mtime))  # type: ignore[union-attr]
        except BrokenPipeError:
            self.finish()
            raise LinkerFailed("link_pages stopped reading") from None

    def finish(self) -> list[str]:
        """Wait until every page is linked; the pages that were not (to render instead).

        Called again (the build's ``finally`` after :meth:`link` failed), it gives or raises
        what it did the first time.
        """
        if self._outcome is None:
            try:
                self._outcome = self._wait()
            except LinkerFailed as failed:
                self._outcome = failed
        if isinstance(self._outcome, LinkerFailed):
            raise self._outcome
        return self._outcome

    def _wait(self) -> list[str]:
        try:
            out, err = self._process.communicate()
        except BrokenPipeError:  # it died with pages still to send
            out, err = b"", self._process.stderr.read()  # type: ignore[union-attr]
            self._process.wait()
        if self._process.returncode != 0:
            message = err.decode("utf-8", "replace").strip() or f"exit status {self._process.returncode}"
            raise LinkerFailed(f"link_pages failed: {message}")
        return [os.fsdecode(path) for path in out.split(b"\0")[:-1]]
