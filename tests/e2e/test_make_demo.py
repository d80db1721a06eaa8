"""`make demo` (issue 11, item 4): builds the shipped real corpus and serves it on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup
from support.build import ROOT

VENV = Path(sys.prefix)  # the virtualenv running the tests; `-o` keeps make from touching it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_help_lists_demo() -> None:
    result = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert any(line.startswith("make demo ") for line in result.stdout.splitlines())


def test_make_demo_builds_and_serves_the_corpus(tmp_path: Path) -> None:
    port, output = free_port(), tmp_path / "output-demo"
    command = ["make", "--no-print-directory", "-o", f"{VENV}/.installed", f"VENV={VENV}", "demo"]
    command += [f"PORT={port}", f"DEMO_OUTPUTDIR={output}"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKEFLAGS", "MFLAGS"))}
    log_path = tmp_path / "demo.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            home = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 300)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    stories = BeautifulSoup(home, "html.parser").select("main article")
    assert len(stories) >= 10, log_path.read_text()  # a full front page, not the one seed item
    pages = list(output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    assert len(pages) > 400, log_path.read_text()
