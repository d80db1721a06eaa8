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
import time
from pathlib import Path
from typing import Any

import yaml
from support.build import CORPUS, ROOT, run_pelican, tree
from support.project import make

from topicfeed.atomic_output.swap import skeleton_folder
from topicfeed.unchanged_build import state

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
PUBLISHCONF = ROOT / "publishconf.py"


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


def _cache_round_trip(workspace: Path, content: Path) -> None:
    """What happens between two runs of the workflow in the same workspace path: the job ends
    (``make settle``), the cache saves the cached paths with ``tar --posix`` (as actions/cache
    does: sizes and times to the nanosecond, no inode), a new runner checks the repository out
    (every news file a new file) and restores the cache."""
    settled = make("settle", f"OUTPUTDIR={workspace / 'output'}")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    saved = [name for name in cached_paths() if (workspace / name).exists()]
    archive = workspace.with_name("state.tar")
    subprocess.run(["tar", "--posix", "-cf", str(archive), *saved], cwd=workspace, check=True)
    # publishconf.py empties the output first, so a replaced site is not recycled but removed by
    # an ``rm`` of its own, which ``make settle`` does not wait for (the job's end stops it): it
    # would race the removal of the workspace below.
    deadline = time.monotonic() + 120
    while any(workspace.glob(".output.removing-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(workspace)
    workspace.mkdir()
    checkout = content.with_name("checkout")
    shutil.copytree(content, checkout)
    shutil.rmtree(content)
    checkout.rename(content)
    subprocess.run(["tar", "-xf", str(archive)], cwd=workspace, check=True)
    archive.unlink()


def test_a_deploy_after_one_changed_item_is_a_rebuild_from_the_model(tmp_path: Path) -> None:
    """The model, the record of the site's files and the site come back from the cache on a new
    machine (new inodes, new folders): the next deploy of one edited item writes only what the
    edit reaches, and a deploy with nothing changed leaves the site as it is; both equal a fresh
    build."""
    content, workspace = tmp_path / "content", tmp_path / "workspace"
    shutil.copytree(CORPUS, content)
    item = sorted(content.glob("2022-*.md"))[0]

    def deploy(folder: Path = workspace) -> str:
        """``make publish``'s build: publishconf.py (absolute URLs, the output emptied first)."""
        build = run_pelican(
            content,
            folder / "output",
            settings_file=PUBLISHCONF,
            options=("--cache-path", str(folder / "cache")),
        )
        assert build.returncode == 0, build.log
        return build.log

    assert "Rebuilt from the site model" not in deploy()  # the first deploy: no state yet
    item.write_text(item.read_text(encoding="utf-8").replace('excerpt: "', 'excerpt: "Run 2: ', 1))
    assert "Rebuilt from the site model" in deploy()  # on the same machine

    site_folder = os.stat(workspace / "output").st_ino
    _cache_round_trip(workspace, content)
    assert os.stat(workspace / "output").st_ino != site_folder  # not the same folder
    item.write_text(item.read_text(encoding="utf-8").replace("Run 2: ", "Run 3: ", 1))
    log = deploy()
    assert "Rebuilt from the site model: 1 news file(s) changed" in log, log
    # Its record of the site lists the linked files with this machine's inodes (the linker
    # says which differ from the restored record's), as a walk of the site finds them.
    record = state.load(workspace / "output")
    assert record is not None and record.site == state.listing(workspace / "output")

    fresh = tmp_path / "fresh"
    deploy(fresh)
    assert tree(workspace / "output") == tree(fresh / "output")

    _cache_round_trip(workspace, content)
    assert "Nothing changed since the last build" in deploy()
    assert tree(workspace / "output") == tree(fresh / "output")
