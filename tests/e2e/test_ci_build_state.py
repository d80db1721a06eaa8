"""The build state the Pages workflow keeps between runs makes the next deploy incremental.

A run restores what the last run's cache saved, builds, and saves the state again when the job
ends. Here the paths the workflow caches are copied (``cp -a``, as the cache's tar keeps times
and empty folders) from one build's folder into a new one, after ``make settle``, the step the
workflow runs before the job ends. The next build there must take over the replaced site's
folders (the skeleton) instead of making a folder per page, and still equal a fresh build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from support.build import CORPUS, ROOT, run_pelican, tree
from support.project import make

from topicfeed.atomic_output.swap import skeleton_folder

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def _steps() -> list[dict[str, Any]]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]


def cached_paths() -> list[str]:
    """The paths the workflow's build-state cache holds (relative to the repository)."""
    (step,) = [s for s in _steps() if str(s.get("uses", "")).startswith("actions/cache@")]
    return [line.strip() for line in step["with"]["path"].splitlines() if line.strip()]


def test_the_workflow_keeps_the_skeleton_and_waits_for_it_before_the_job_ends() -> None:
    paths = cached_paths()
    assert skeleton_folder(Path("output")).name in paths
    runs = [str(step.get("run", "")) for step in _steps()]
    uses = [str(step.get("uses", "")) for step in _steps()]
    settle = runs.index("make settle")
    build = next(i for i, run in enumerate(runs) if run.startswith("make publish"))
    upload = next(i for i, use in enumerate(uses) if use.startswith("actions/upload-pages-artifact@"))
    assert build < upload < settle == len(runs) - 1  # the last step: the cache is saved after it


def _build(folder: Path, content: Path) -> None:
    output = folder / "output"
    build = run_pelican(content, output, options=("--cache-path", str(folder / "cache")))
    assert build.returncode == 0, build.log


def test_the_next_run_starts_from_the_kept_folders_and_equals_a_fresh_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CORPUS, content)
    first = tmp_path / "run-1"
    _build(first, content)
    item = sorted(content.glob("2022-*.md"))[0]
    item.write_text(item.read_text(encoding="utf-8").replace('excerpt: "', 'excerpt: "Run 2: ', 1))
    _build(first, content)  # replaces the site: its folders are emptied in the background

    settled = make("settle", f"OUTPUTDIR={first / 'output'}")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert ".output.skeleton is ready" in settled.stdout

    second = tmp_path / "run-2"  # a new runner: only what the cache saved
    second.mkdir()
    for name in cached_paths():
        if (first / name).exists():
            subprocess.run(["cp", "-a", str(first / name), str(second / name)], check=True)
    skeleton = second / ".output.skeleton"
    kept = {p.relative_to(skeleton).as_posix(): p.stat().st_ino for p in skeleton.rglob("*") if p.is_dir()}
    assert len(kept) > 400  # a folder per page of the corpus site

    item.write_text(item.read_text(encoding="utf-8").replace("Run 2: ", "Run 3: ", 1))
    _build(second, content)
    output = second / "output"
    taken = [name for name, inode in kept.items() if (output / name).is_dir()]
    assert taken and all(os.stat(output / name).st_ino == kept[name] for name in taken)
    assert len(taken) > 0.9 * len(kept)

    fresh = tmp_path / "fresh"
    _build(fresh, content)
    assert tree(output) == tree(fresh / "output")
