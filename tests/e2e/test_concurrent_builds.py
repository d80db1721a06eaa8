"""Two builds at once, and builds killed with SIGKILL: the output is always one complete site.

Every test here builds the real corpus (about 2 s a build) with the real ``pelican`` command or
``make html``, as a user or a CI runner does, and compares whole output trees byte for byte
with a fresh build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.build import CORPUS, ROOT, model_describes, tree
from support.loopback import wait_for

from topicfeed.content_cache import guard
from topicfeed.site_model import store


def differences(a: Path, b: Path) -> list[str]:
    return changed_files(tree(a), tree(b))


def changed_files(left: dict[str, bytes], right: dict[str, bytes]) -> list[str]:
    """The files that differ between two trees: a short failure message (comparing the trees
    themselves makes pytest diff every file's bytes, for minutes)."""
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def pelican_command(
    input_dir: Path, output: Path, cache: Path, settings_file: str = "pelicanconf.py", **extra: object
) -> list[str]:
    settings = {"CACHE_PATH": str(cache), "BUILD_PROGRESS": False, **extra}
    return [
        sys.executable, "-m", "pelican", str(input_dir), "-o", str(output), "-s", str(ROOT / settings_file),
        "-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items()),
    ]  # fmt: skip


def environment() -> dict[str, str]:
    """The caller's environment without what changes a build (make and publishconf.py read SITEURL)."""
    drop = ("SITEURL", "GITHUB_PAGES_", "MAKEFLAGS", "MFLAGS")
    kept = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    return {**kept, "COLUMNS": "400", "TERM": "dumb"}


def start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(process: subprocess.Popen[str]) -> str:
    log, _ = process.communicate(timeout=600)
    assert process.returncode == 0, log
    return log


def run(command: list[str]) -> str:
    return finish(start(command))


def lock_of(output: Path) -> Path:
    return output.with_name(f".{output.name}.lock")


def is_locked(path: Path) -> bool:
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_until_building(output: Path, process: subprocess.Popen[str]) -> None:
    """Until ``process`` holds the output lock (it has started writing its build)."""
    deadline = time.monotonic() + 120
    while not is_locked(lock_of(output)):
        assert process.poll() is None, "the first build ended before it took the output lock"
        assert time.monotonic() < deadline
        time.sleep(0.02)


def read_until(process: subprocess.Popen[str], text: str) -> str:
    """What ``process`` prints up to the first line holding ``text`` (it then waits on a lock)."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            break
    return "".join(lines)


def waited(log: str, output: Path) -> bool:
    return f"waiting for another build of {output} (pid " in log


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus built once, cold, into a folder of its own."""
    base = tmp_path_factory.mktemp("fresh")
    run(pelican_command(CORPUS, base / "site", base / "cache"))
    return base / "site"


@pytest.fixture(scope="module")
def smaller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A second input (the corpus without its newest 40 files) and its fresh build."""
    base = tmp_path_factory.mktemp("smaller")
    content = base / "content"
    shutil.copytree(CORPUS, content)
    for path in sorted(content.rglob("*.md"))[-40:]:
        path.unlink()
    run(pelican_command(content, base / "site", base / "cache"))
    yield content, base / "site"


def test_two_make_html_started_together_both_succeed_and_leave_one_complete_site(
    fresh: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    command = ["make", "--no-print-directory", "html", f"INPUTDIR={CORPUS}", f"OUTPUTDIR={output}"]
    first, second = start(command), start(command)
    logs = [finish(first), finish(second)]
    assert sum(waited(log, output) for log in logs) == 1, logs  # exactly one waited, and said so
    assert differences(output, fresh) == []
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".output."))
    # The site the second build replaced is being emptied (.output.clearing-*) or is the next
    # build's skeleton; no half-built folder and no second skeleton.
    kept = [name for name in left if not name.startswith((".output.removing-", ".output.clearing-"))]
    assert kept in ([".output.lock"], [".output.lock", ".output.skeleton"])


def test_a_build_and_a_preview_started_together_each_end_whole(fresh: Path, tmp_path: Path) -> None:
    """``make html`` and ``make preview`` at once: two outputs, two item stores, no interference;
    each ends equal to the same build made alone."""
    alone = tmp_path / "alone" / "preview"
    run(pelican_command(CORPUS, alone, tmp_path / "alone-cache", "previewconf.py", PREVIEW_OUTPUT=str(alone)))
    output, preview = tmp_path / "output", tmp_path / "preview"
    folders = [f"INPUTDIR={CORPUS}", f"OUTPUTDIR={output}", f"PREVIEWDIR={preview}"]
    site = start(["make", "--no-print-directory", "html", *folders])
    draft = start(["make", "--no-print-directory", "preview", *folders])
    finish(site), finish(draft)
    assert differences(output, fresh) == []
    assert differences(preview, alone) == []
    assert (preview / ".topicfeed-preview").is_file() and not (output / ".topicfeed-preview").exists()


def test_a_publish_build_started_during_a_local_build_waits_and_wins(tmp_path: Path) -> None:
    """Another settings file into the same output: the later build's site, whole, is what remains."""
    published = tmp_path / "published"
    run(pelican_command(CORPUS, published, tmp_path / "cache-publish", "publishconf.py"))
    output = tmp_path / "output"
    local = start(pelican_command(CORPUS, output, tmp_path / "cache", "pelicanconf.py"))
    wait_until_building(output, local)
    publish = start(pelican_command(CORPUS, output, tmp_path / "cache", "publishconf.py"))
    finish(local)
    assert waited(finish(publish), output)
    assert differences(output, published) == []
    assert (output / ".nojekyll").is_file()


def test_two_builds_with_the_same_settings_into_two_outputs_share_the_cache_in_turn(
    fresh: Path, tmp_path: Path
) -> None:
    """Pelican's reader cache, for a site that turns it on (news items use the item store, which
    is safe without a lock): the output is not part of the cache key, and the cache lock keeps
    the two saves apart."""
    cache = tmp_path / "cache"
    pelican_cache = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    run(pelican_command(CORPUS, tmp_path / "first", cache, **pelican_cache))
    (folder,) = [p for p in cache.iterdir() if p.is_dir() and p.name != "news-items"]
    lock = cache / f".{folder.name}.lock"
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # hold the cache until both builds wait for it
    try:
        builds = [
            start(pelican_command(CORPUS, tmp_path / name, cache, **pelican_cache)) for name in ("one", "two")
        ]
        waiting = f"waiting for another build of the content cache {folder}"
        heads = [read_until(process, waiting) for process in builds]
    finally:
        os.close(fd)
    logs = [head + finish(process) for head, process in zip(heads, builds, strict=True)]
    assert all(waiting in log for log in logs), logs
    assert differences(tmp_path / "one", fresh) == []
    assert differences(tmp_path / "two", fresh) == []
    assert guard.is_complete(folder)  # the last save is whole and recorded
    run(pelican_command(CORPUS, tmp_path / "three", cache, **pelican_cache))
    assert differences(tmp_path / "three", fresh) == []


def test_a_build_stops_with_a_clear_message_when_the_wait_is_too_long(fresh: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    shutil.copytree(fresh, output)
    before = tree(output)
    fd = os.open(lock_of(output), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a build of this output is running (this test process)
    os.write(fd, str(os.getpid()).encode())
    try:
        process = start(pelican_command(CORPUS, output, tmp_path / "cache", OUTPUT_LOCK_TIMEOUT=0.5))
        log, _ = process.communicate(timeout=600)
    finally:
        os.close(fd)
    assert process.returncode != 0
    assert f"waiting for another build of {output} (pid {os.getpid()}) to finish" in log
    assert f"another build of {output} (pid {os.getpid()}) is still running after 0.5 s" in log
    assert changed_files(tree(output), before) == []
    assert not output.with_name(f".{output.name}.building").exists()


def mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def forked_children(pid: int) -> list[int]:
    """Children of ``pid`` that are forks of it (the same command line), not programs it runs."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii").split()
    except OSError:
        return []
    found = []
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                found.append(int(child))
        except OSError:
            continue
    return found


def running_for(output: Path) -> list[int]:
    """Processes (not zombies) whose command line names ``output``: a killed build's leftovers."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(output).encode() in command and state != "Z":
            found.append(int(proc.name))
    return found


def staged(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and mtime (a killed build's staging folder)."""
    found = {}
    for path in folder.rglob("*.json"):
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


def kill_when(process: subprocess.Popen[str], moment: Callable[[], bool]) -> bool:
    """SIGKILL ``process`` as soon as ``moment()`` holds; False if it finished first."""
    deadline = time.monotonic() + 300
    while not moment():
        if process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode == -signal.SIGKILL


def test_builds_killed_at_many_moments_leave_the_previous_site_and_the_next_build_is_fresh(
    fresh: Path, smaller: tuple[Path, Path], tmp_path: Path
) -> None:
    """SIGKILL before the start, while reading, after the item store, the manifest and the report
    are saved: each time the published site is byte-identical; afterwards builds equal fresh ones.

    The API is written by its forked process here (``API_FORK_MIN_ITEMS=0``; the corpus is below
    the default), so one kill lands while that process writes beside the pages; the unchanged
    pages are linked by the helper process (``RENDER_LINKER_MIN_PAGES=0``)."""
    smaller_content, _ = smaller
    output, cache = tmp_path / "output", tmp_path / "cache"
    forked_api = {"API_FORK_MIN_ITEMS": 0, "RENDER_LINKER_MIN_PAGES": 0}
    run(pelican_command(smaller_content, output, cache, **forked_api))
    before = tree(output)
    manifest, report = output.with_name("output.render.json"), output.with_name("output.report.json")
    model = store.model_path(output)
    model_before = model.read_bytes()
    started = 0.0

    def store_saved() -> bool:  # the news item store adds a pack once reading is done
        return any(mtime(p) > started * 1e9 for p in cache.glob("news-items/*.pack"))

    def pages_written() -> bool:
        try:
            return any(mtime(p) > started * 1e9 for p in tmp_path.glob("*/*/*/*/*/index.html"))
        except FileNotFoundError:  # a folder went away during the walk (a removal in the background)
            return False

    current: list[subprocess.Popen[str]] = []

    def api_forked() -> bool:  # the build has forked the process that writes the API
        return bool(current) and forked_children(current[-1].pid) != []

    moments: dict[str, Callable[[], bool]] = {
        "before the build starts": lambda: time.time() - started > 0.3,
        "holding the output lock": lambda: is_locked(lock_of(output)),
        "after the item store is saved": store_saved,
        "while the API is written": api_forked,
        "while the pages are written": pages_written,
        "after the render manifest is saved": lambda: mtime(manifest) > started * 1e9,
        "after the report is written": lambda: mtime(report) > started * 1e9,
        "after the site model is kept": lambda: mtime(model) > started * 1e9,
    }
    missed = []
    for name, moment in moments.items():
        started = time.time()
        current.append(start(pelican_command(CORPUS, output, cache, **forked_api)))
        if not kill_when(current[-1], moment):
            if name not in ("after the report is written", "after the site model is kept"):
                missed.append(name)
                break
            # Both come at the very end: a loaded host may let the build finish between two
            # polls, which must then leave the finished build (checked below).
            assert current[-1].returncode == 0 and moment(), (
                f"the build failed (exit {current[-1].returncode})"
            )
        if name == "while the API is written":  # its forked process died with the build, mid-way
            # The kernel kills it as the build dies (PR_SET_PDEATHSIG), but it may take a moment
            # to go on a loaded machine; a process that ran on would have written the whole API.
            assert wait_for(lambda: not running_for(output), 10.0), "a process of the killed build runs on"
            staging = output.with_name(f".{output.name}.building") / "api"
            written = staged(staging)
            assert len(written) < len(list((fresh / "api").rglob("*.json")))
            time.sleep(1)
            assert staged(staging) == written, "something wrote into the staging folder after the kill"
        # The model beside the site is whole, and describes the output only if it is its own.
        kept = store.read(model)
        if name in ("after the report is written", "after the site model is kept") and tree(output) != before:
            # The swap is a few milliseconds after the report and the model: the kill may come
            # just after it, when the new site is already whole.
            assert differences(output, fresh) == []
            assert model_describes(kept, output)
            break
        assert changed_files(tree(output), before) == [], f"killed {name}: the previous site changed"
        assert model.read_bytes() == model_before or not model_describes(kept, output), name
    assert missed == [], f"the build finished before it could be killed {missed[0]}"
    run(pelican_command(CORPUS, output, cache, **forked_api))  # on top of what the killed builds left
    assert differences(output, fresh) == []
    assert model_describes(store.read(model), output)


#: Rebuilds from the site model on.
PLANNED = {"REBUILD_FROM_MODEL": True}


def built_one_story_short(tmp_path: Path, site: dict[str, bytes] | None = None) -> tuple[Path, Path, Path]:
    """The corpus copied into ``tmp_path`` and built without its newest file (rebuilds from the
    model on; the site's files into ``site`` when given), then that file put back: the next
    build is a rebuild from the model. The content, output and cache folders."""
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    shutil.copytree(CORPUS, content)
    newest = sorted(content.rglob("*.md"))[-1]
    added = newest.read_bytes()
    newest.unlink()
    run(pelican_command(content, output, cache, **PLANNED))
    if site is not None:
        site.update(tree(output))
    newest.write_bytes(added)
    return content, output, cache


def test_two_rebuilds_from_the_model_started_together_both_succeed(fresh: Path, tmp_path: Path) -> None:
    """Both plan from the same model; the second finds, once it holds the output, that the first
    replaced the site it planned from, and builds in full instead: one complete site."""
    content, output, cache = built_one_story_short(tmp_path)
    first = start(pelican_command(content, output, cache, **PLANNED))
    second = start([*pelican_command(content, output, cache, **PLANNED), "--verbose"])
    logs = finish(first) + finish(second)
    assert "Rebuilt from the site model" in logs
    assert differences(output, fresh) == []


def test_rebuilds_from_the_model_killed_at_many_moments_leave_the_previous_site(
    fresh: Path, tmp_path: Path
) -> None:
    """The same for rebuilds from the site model (``REBUILD_FROM_MODEL``): SIGKILL while it plans,
    holding the output lock, while the last site is linked and the pages written, after the next
    model is kept: the published site stays as it was (or is the new one, whole), a model kept
    describes the output only if it is its own, and the next build gives the fresh build's site."""
    before: dict[str, bytes] = {}
    content, output, cache = built_one_story_short(tmp_path, before)
    model = store.model_path(output)
    model_before = model.read_bytes()
    staging = output.with_name(f".{output.name}.building")
    started = 0.0

    def linking() -> bool:  # the last site's files reach the staging folder
        try:
            return next(staging.glob("*.*"), None) is not None
        except FileNotFoundError:
            return False

    def planning() -> bool:  # the plan's process beside the related step is at work, before
        # the run holds the output (a time alone came after the swap once the rebuild got faster)
        return not staging.exists() and (bool(forked_children(process.pid)) or time.time() - started > 1.0)

    moments: dict[str, Callable[[], bool]] = {
        "while it plans": planning,
        "holding the output lock": lambda: is_locked(lock_of(output)),
        "while the site is linked and written": linking,
        "after the site model is kept": lambda: mtime(model) > started * 1e9,
    }
    swapped = False
    for name, moment in moments.items():
        started = time.time()
        process = start(pelican_command(content, output, cache, **PLANNED))
        if not kill_when(process, moment):  # the model is kept at the very end: a loaded host may
            # let the build finish between two polls, which must then leave the finished build
            assert name == "after the site model is kept", (
                f"the build finished before it could be killed {name}"
            )
            assert process.returncode == 0 and moment(), f"the build failed (exit {process.returncode})"
        kept = store.read(model)
        if name == "after the site model is kept" and tree(output) != before:  # the swap was done
            assert differences(output, fresh) == []
            assert model_describes(kept, output)
            swapped = True
            break
        assert changed_files(tree(output), before) == [], f"killed {name}: the previous site changed"
        assert model.read_bytes() == model_before or not model_describes(kept, output), name
    plannable = model_describes(store.read(model), output)
    log = run(pelican_command(content, output, cache, **PLANNED))  # on top of what the kills left
    if swapped:  # killed after its record and its swap: the site is this content's, as recorded
        assert "Nothing changed since the last build" in log, log
    else:
        assert ("Rebuilt from the site model" in log) == plannable, log
    assert differences(output, fresh) == []


def test_a_swap_killed_between_its_renames_is_recovered_by_the_next_build(
    fresh: Path, smaller: tuple[Path, Path], tmp_path: Path
) -> None:
    """Where renameat2 is missing the swap takes two renames; a kill between them is undone."""
    _, smaller_fresh = smaller
    output, cache = tmp_path / "output", tmp_path / "cache"
    shutil.copytree(smaller_fresh, output.with_name(".output.previous"))  # the first rename was done
    shutil.copytree(fresh, output.with_name(".output.building"))  # the build it was swapping in
    (output.with_name(".output.building") / "index.html").write_text("half")  # ... say, damaged
    run(pelican_command(CORPUS, output, cache))
    assert differences(output, fresh) == []
    assert not output.with_name(".output.previous").exists()
