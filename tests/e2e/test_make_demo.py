"""`make demo` (issue 11, item 4): builds the shipped real corpus and serves it on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from support.build import ROOT
from support.loopback import fetch, free_port, wait_for

VENV = Path(sys.prefix)  # the virtualenv running the tests; `-o` keeps make from touching it


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
            assert wait_for(lambda: fetch(f"http://127.0.0.1:{port}/"), 300), log_path.read_text()
            home = fetch(f"http://127.0.0.1:{port}/") or ""
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    stories = BeautifulSoup(home, "html.parser").select("main article")
    assert len(stories) >= 10, log_path.read_text()  # a full front page, not the one seed item
    pages = list(output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    assert len(pages) > 400, log_path.read_text()
