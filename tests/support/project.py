"""A throwaway copy of this project, driven the way a user drives it: ``make`` and ``git``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.build import ROOT

#: What a user's clone needs to build, preview and publish.
PROJECT_FILES = (
    "Makefile",
    "pelicanconf.py",
    "publishconf.py",
    "previewconf.py",
    "requirements.txt",
    "plugins",
    "theme",
    "content",
)
VENV = Path(sys.prefix)  # the virtualenv running the tests, with every pin installed


def clean_env() -> dict[str, str]:
    """The environment without anything that would steer git, the build or the site URL."""
    drop = ("GIT_", "SITEURL", "GITHUB_PAGES_", "MAKEFLAGS", "MFLAGS", "PREVIEW", "OUTPUTDIR")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    return {**env, "COLUMNS": "400", "TERM": "dumb"}


def make_command(*args: str) -> list[str]:
    """``make`` with the tests' virtualenv; ``-o`` keeps make from reinstalling the pins (the
    stamp file may be older than a copied requirements.txt)."""
    return ["make", "--no-print-directory", "-o", f"{VENV}/.installed", f"VENV={VENV}", *args]


def make(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        make_command(*args), cwd=cwd, capture_output=True, text=True, env=env or clean_env(), timeout=600,
        check=False,
    )  # fmt: skip


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=clean_env(), check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def copy_project(tmp_path: Path, gitignore: str | None = None) -> tuple[Path, Path]:
    """A committed copy of this project in ``tmp_path/project`` with a bare ``origin`` beside it.

    ``gitignore`` replaces the project's own ``.gitignore`` when given.
    """
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    work = tmp_path / "project"
    work.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, work / name)
    if gitignore is None:
        shutil.copy2(ROOT / ".gitignore", work / ".gitignore")
    else:
        (work / ".gitignore").write_text(gitignore, encoding="utf-8")
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("config", "user.name", "Topicfeed Test", cwd=work)
    git("config", "user.email", "test@example.org", cwd=work)
    git("remote", "add", "origin", str(remote), cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "site", cwd=work)
    return work, remote
