"""Hard-link the previous site's unchanged pages into a build: the ``Linker``'s helper process.

Run as a script of its own (``python -I -S link_pages.py PREVIOUS BUILDING BUILD_PID``), not
forked from the build, so the build pays nothing for sharing its memory with it. It reads the
pages from stdin, each as its site-relative path, size and mtime (ns), NUL after each field;
links each whose file in PREVIOUS still has that size and mtime (making a missing folder); and
writes the paths it did not link to stdout, NUL after each. Standard library only: it imports
nothing of the build (the render manifest imports :func:`link_into` from here). It asks the
kernel to kill it with the build (Linux), so a killed build leaves nothing linking into its
staging folder.
"""

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: stdin ends when the build dies
        pass
    if os.getppid() != parent:
        os._exit(1)


def _replace(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileExistsError:  # something of this build is there already: the old file wins
        os.unlink(target)
        os.link(source, target)


def link_into(source: str, target: str) -> None:
    """Hard-link the previous build's ``source`` as this build's ``target`` (the render
    manifest links with it too, when no helper runs).

    The folder is made only when the link finds none (``makedirs`` per page was three system
    calls that, in a rebuild, found it there).
    """
    try:
        _replace(source, target)
    except FileNotFoundError:  # a folder not made yet
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _replace(source, target)


def link_pages(previous: str, building: str, fields: list[bytes]) -> list[bytes]:
    """Link the pages of ``fields`` (path, size, mtime, ...); the paths not linked."""
    refused = []
    for index in range(0, len(fields) - len(fields) % 3, 3):
        relative = os.fsdecode(fields[index])
        source = os.path.join(previous, relative)
        try:
            info = os.stat(source)
        except OSError:
            refused.append(fields[index])
            continue
        if info.st_size != int(fields[index + 1]) or info.st_mtime_ns != int(fields[index + 2]):
            refused.append(fields[index])
            continue
        link_into(source, os.path.join(building, relative))
    return refused


def main() -> None:
    previous, building, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    _die_with_parent(parent)
    refused: list[bytes] = []
    fields: list[bytes] = []
    pending = b""
    stream = sys.stdin.buffer.raw
    while chunk := stream.read(1 << 16):
        parts = (pending + chunk).split(b"\0")
        pending = parts.pop()
        fields.extend(parts)
        whole = len(fields) - len(fields) % 3
        refused += link_pages(previous, building, fields[:whole])
        del fields[:whole]
    if pending or fields:
        sys.exit("link_pages: the list of pages ended in the middle of a page")
    sys.stdout.buffer.write(b"".join(path + b"\0" for path in refused))


if __name__ == "__main__":
    main()
