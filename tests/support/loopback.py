"""Talking to a server the test started on 127.0.0.1: a free port, a page, a wait."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    """The page's text, or None while the server is not answering (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], object], seconds: float = 60.0) -> bool:
    """Poll ``condition`` until it is true or ``seconds`` have passed (servers start slowly)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def edit_until_rebuilt(item: Path, text: str, log: Path, attempts: int = 10) -> bool:
    """Write ``text`` to ``item`` until Pelican's autoreload says it is re-generating (in ``log``).

    Pelican serves the site, then starts watching (``pelican.autoreload``: run, then
    ``watchfiles.watch``): an edit made in between is never seen. Like a user who saves again,
    the edit is written again until a rebuild starts.
    """
    for _ in range(attempts):
        item.write_text(text, encoding="utf-8")
        if wait_for(lambda: "re-generating" in log.read_text(encoding="utf-8"), seconds=5):
            return True
    return False
