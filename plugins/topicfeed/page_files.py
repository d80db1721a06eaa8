"""Writing a rendered page as Pelican's writer writes it, for every path that renders pages
outside Pelican's writer (the build's page writer, pages rendered from the site model)."""

from __future__ import annotations

import os


def write_page(path: str | os.PathLike[str], text: str) -> list[int]:
    """Write ``text`` as Pelican's writer would (UTF-8, text-mode newlines); [size, mtime_ns].

    The folder is made only when the file cannot be opened without it: a page's folder is
    usually there already (made beside the build, or by an earlier page), and a ``makedirs``
    per page is system calls for nothing."""
    if os.linesep != "\n":
        text = text.replace("\n", os.linesep)
    data = text.encode("utf-8")
    try:
        handle = open(path, "wb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = open(path, "wb")
    with handle:
        handle.write(data)
        handle.flush()
        info = os.fstat(handle.fileno())
    return [info.st_size, info.st_mtime_ns]
