"""Set-up (issue 11, items 6 and 7): `make venv` repairs a broken or half-made virtualenv and
reinstalls when requirements.txt changes; the pins carry hashes and agree with each other.

The venv tests run the real Makefile and tools/ensure-venv.sh, copied into a temporary project with a
requirements.txt that names no package, so pip installs nothing and needs no network
(PIP_NO_INDEX=1 makes sure of it). Each rebuild makes a real virtualenv (a few seconds).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "tools" / "ensure-venv.sh", tmp_path / "tools" / "ensure-venv.sh")
    (tmp_path / "requirements.txt").write_text("# no packages: nothing to download\n")
    return tmp_path


def start_make_venv(project: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "MAKEFLAGS": ""}
    command = ["make", "-s", "-C", str(project), "venv", f"PY={sys.executable}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def make_venv(project: Path) -> subprocess.CompletedProcess[str]:
    process = start_make_venv(project)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def has_pip(venv: Path) -> bool:
    python = venv / "bin" / "python"
    return (
        python.exists() and subprocess.run([python, "-c", "import pip"], capture_output=True).returncode == 0
    )


def stamp_matches(project: Path) -> bool:
    want = hashlib.sha256((project / "requirements.txt").read_bytes()).hexdigest()
    stamp = project / ".venv" / ".installed"
    return stamp.exists() and stamp.read_text().strip() == want


def test_make_venv_recovers(project: Path) -> None:
    venv = project / ".venv"

    # Ctrl-C during `python -m venv`: a venv without pip (and an old stamp, to be sure it is
    # not trusted). Every pip call would fail with "No module named pip".
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / ".installed").write_text("stale\n")
    assert not has_pip(venv)
    # Two makes at once: one repairs, the other waits for it and finds the venv ready.
    first, second = start_make_venv(project), start_make_venv(project)
    logs = [process.communicate(timeout=300)[1] for process in (first, second)]
    assert first.returncode == second.returncode == 0, logs
    assert sum("broken or half-made" in log for log in logs) == 1, logs
    assert sum("creating" in log for log in logs) == 1, logs
    assert has_pip(venv) and stamp_matches(project)

    # Nothing changed: nothing to do, nothing printed.
    result = make_venv(project)
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""

    # requirements.txt changed (content, whatever its mtime): reinstall into the same venv.
    marker = venv / "kept"
    marker.write_text("the venv is reused")
    (project / "requirements.txt").write_text("# changed\n")
    os.utime(project / "requirements.txt", (0, 0))
    result = make_venv(project)
    assert result.returncode == 0, result.stderr
    assert "installing" in result.stderr and "creating" not in result.stderr
    assert marker.exists() and stamp_matches(project)

    # An install that was interrupted (no stamp): installed again, the venv kept.
    (venv / ".installed").unlink()
    result = make_venv(project)
    assert "installing" in result.stderr and "creating" not in result.stderr and stamp_matches(project)

    # The venv's python is gone (for example the system python it pointed to was removed).
    for python in (venv / "bin").glob("python*"):
        python.unlink()
    result = make_venv(project)
    assert result.returncode == 0, result.stderr
    assert "broken or half-made" in result.stderr and has_pip(venv) and not marker.exists()


def test_make_venv_never_deletes_what_is_not_a_venv(project: Path) -> None:
    folder = project / ".venv"
    folder.mkdir()
    (folder / "notes.txt").write_text("someone's files")
    result = make_venv(project)
    assert result.returncode != 0
    assert "is not a virtualenv" in result.stderr
    assert (folder / "notes.txt").read_text() == "someone's files"


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by normalized name (extras dropped)."""
    found = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", text, re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def test_every_pin_has_a_hash_and_follows_requirements_in() -> None:
    """requirements.txt is requirements.in compiled with hashes (`make requirements`)."""
    locked = (ROOT / "requirements.txt").read_text()
    entries = re.findall(r"^[A-Za-z].*?(?=^[A-Za-z]|\Z)", locked, re.MULTILINE | re.DOTALL)
    for entry in entries:
        assert "--hash=sha256:" in entry, f"no hash: {entry.splitlines()[0]}"
    direct, all_pins = pins((ROOT / "requirements.in").read_text()), pins(locked)
    assert direct and len(all_pins) == len(entries)
    for name, version in direct.items():
        assert all_pins.get(name) == version, f"{name}: requirements.in says {version}, run make requirements"


def test_pre_commit_ruff_matches_the_pinned_ruff() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    rev = re.search(r"ruff-pre-commit\s+rev: v(\S+)", config)
    assert rev is not None and rev.group(1) == pins((ROOT / "requirements.in").read_text())["ruff"]
