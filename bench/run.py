"""Benchmark: Topicfeed, plain Pelican and Hugo on the same synthetic stories, in one run.

For each size N the runner generates the set once (``bench/generate.py``, cached under the work
folder), then, for each of ``--runs`` rounds, builds it with Topicfeed (``pelicanconf.py``), the
same stories as plain Pelican Markdown (``bench/baseline_conf.py``) and as a Hugo site
(``bench/hugo_site.py``), five builds in a row, each keeping the output and cache (where the
system keeps one) of the build before it:

- **cold**: fresh output folder, no cache;
- **warm**: nothing changed;
- **changed**: one published item's excerpt edited (the same story in every format; the runner
  checks the edit reached an article page);
- **added**: the edit kept, and one new published item, newer than every other, copied in (the
  generator writes it beside the inputs, in ``extra/``): the everyday case, an exporter adding
  items all day; exactly one article page must appear;
- **unpublished**: both kept, and another published item unpublished (``published: false``,
  Pelican's ``Status: skip``, Hugo's ``draft: true``); exactly one article page must go. Plain
  Pelican and Hugo write over their previous output and would leave that page there, so this
  build alone runs them with their own clean-up (``DELETE_OUTPUT_DIRECTORY``,
  ``--cleanDestinationDir``); Topicfeed removes it itself.

Each build sees exactly one change more than the build before it; the inputs are restored as
generated at the end of the round (also when a build fails), so the next round's cold build
starts from the generated set. ``--scenarios`` picks a subset, run in this order; every build
after cold needs cold. The article count of each build is checked against the published items
with the round's changes so far (one added, one removed).

Each build is the real ``pelican`` or ``hugo`` command in its own process, in this process's
environment without ``PYTHONDONTWRITEBYTECODE`` (:data:`UNMEASURED_ENVIRONMENT` says why); wall time from the
parent, CPU time (user + system) and peak memory (maximum resident set) from ``wait4``, which
on Linux include the build's own reaped child processes (Pagefind, worker processes): CPU summed,
memory that of the largest process. The memory of the whole process tree at once (forked
renderers run side by side) is sampled every 0.1 s, less often when a sample is costly, so that
sampling takes at most 5% of a core (``bench/memory.py``).

Before each round, and before each system's cold build (after deleting its previous output
and flushing that to disk), the runner waits for the machine to settle: results measured while other work
loads the machine are not comparable, so when the 1-minute load average stays above
``--max-load`` (1.0) it refuses, unless ``--allow-load`` is given; then the results are marked
"measured under load" in ``BENCHMARKS.md``. The load before each round is recorded, with the
disk's pressure then and, for each build, the share of its wall time stalled on the disk
(``bench/pressure.py``): the load average alone missed the shared disk's slow hours. So did it
miss a slow host: each round also times a fixed Python loop in CPU time (``bench/host_speed.py``),
and waits, then refuses like the load, while that loop takes more than ``--max-slowdown`` (1.5)
times as long as in the fastest round of the results it would replace: on 2026-12-07 the loop
took 52 to 85 ms all morning against 17 to 20 ms the evening before, every build about three
times as slow, at a load average under 1.

After each build the runner waits for what the build left running (Topicfeed empties the site
it replaced into the next build's folders, or makes those from a new site, in a process that
outlives the build: ``topicfeed.atomic_output.settle``), then flushes the disk: otherwise the
next build measured would pay for them (at 100,000 items, the first rebuild after a cold build
ran beside the writeback of its 3.6 GB and the making of its 207,000 folders). How long that
took is recorded with the build that left it (``after``), and the report shows the longest.

Medians over rounds go to ``bench/results/N.json`` and ``BENCHMARKS.md`` (``bench/report.py``,
rendered from every stored result, so running one size keeps the others).

Usage, from the repository root (what ``make bench`` runs):
``PYTHONPATH=plugins python -m bench.run --sizes 1000 10000 --runs 3 [--allow-load]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from topicfeed.atomic_output.swap import wait_for_recycling

from . import generate, host_speed, hugo_site, memory, pages_artifact, pressure, report

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: Results of builds with other Topicfeed settings (``--topicfeed-setting``), one folder each.
VARIANTS = BENCH / "results" / "variants"

#: In the order a round runs them: each build after the first sees one more change than the last.
SCENARIOS = ("cold", "warm", "changed", "added", "unpublished")
#: Builds that must leave one more (added) or one fewer (unpublished) article page.
PAGE_DELTA = {"added": 1, "unpublished": -1}
#: A round waits until the 1-minute load average is at most this (``--max-load``).
MAX_LOAD = 1.0
#: ... and until the CPU probe takes at most this many times the stored results' fastest round
#: (``--max-slowdown``; :func:`wait_for_host`).
MAX_SLOWDOWN = 1.5
#: Seconds between two CPU probes while the host is slow.
PROBE_INTERVAL = 30.0
#: How often the memory of a build's whole process tree is sampled, at the most.
TREE_SAMPLE_SECONDS = 0.1
#: A sample waits this many times as long as the last one took (at least TREE_SAMPLE_SECONDS):
#: reading ``smaps_rollup`` walks the page tables of the process, 46 ms for one of 1.1 GB, so
#: sampling three 2 GB processes every 0.1 s kept a core busy and slowed the build it measured
#: (a 100,000-item cold build: 338 s against 277 s by Pelican's own count). At most 5% of a core.
TREE_SAMPLE_SPACING = 20


@dataclass(frozen=True)
class System:
    """One way of building the stories: which tool, which input folder, which settings file."""

    name: str
    label: str
    input: str  # sub-folder of the generated set
    settings: Path | None  # Pelican settings; None for Hugo (the site folder holds its config)

    @property
    def is_hugo(self) -> bool:
        return self.settings is None


SYSTEMS = {
    "topicfeed": System("topicfeed", "Topicfeed", "news", ROOT / "pelicanconf.py"),
    "pelican": System("pelican", "plain Pelican", "markdown", BENCH / "baseline_conf.py"),
    "hugo": System("hugo", "Hugo", "hugo", None),
}


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the build process and its reaped children
    peak_mb: float  # maximum resident set size of the build process (or its largest child)
    tree_mb: float | None  # sampled peak of the PSS summed over the process and its children
    articles: int | None  # Pelican's "Processed N articles"; Hugo: article pages in the output
    load: float  # 1-minute load average just before the build
    #: share of the wall time in which every runnable task waited for the disk (``pressure``)
    io_stall: float | None = None
    #: seconds from the build's exit until the work it left in the background had ended and
    #: the disk was flushed (:func:`settle_after_build`); the next build starts after that
    after: float | None = None
    #: the system part of ``cpu``: the kernel's work for the build (page faults, files), which
    #: moves with the host's hour far more than the user part
    system: float | None = None


class LoadTooHigh(RuntimeError):
    """The machine stayed busy: measuring now would record other work's slowdown as ours."""


def pelican_command(
    system: System,
    input_dir: Path,
    output_dir: Path,
    cache_dir: Path,
    clean: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """``clean``: Pelican empties the output first (``DELETE_OUTPUT_DIRECTORY``), else it writes
    over the previous site and leaves the pages of articles it no longer has. ``settings``: more
    ``-e`` overrides (a variant of the build: ``--topicfeed-setting``)."""
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(input_dir),
        "-o",
        str(output_dir),
        "-s",
        str(system.settings),
        "-e",
        f"CACHE_PATH={json.dumps(str(cache_dir))}",
        *(f"{name}={json.dumps(value)}" for name, value in (settings or {}).items()),
    ]
    return [*command, "DELETE_OUTPUT_DIRECTORY=true"] if clean else command


def build_command(
    system: System,
    set_dir: Path,
    output_dir: Path,
    cache_dir: Path,
    scenario: str = "cold",
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """The command that builds ``system``'s copy of the set into ``output_dir`` for ``scenario``.

    For "one item unpublished", plain Pelican and Hugo are told to remove what they no longer
    write, the way their users get rid of a withdrawn page; Topicfeed always does.
    """
    clean = scenario == "unpublished" and system.name != "topicfeed"
    if system.is_hugo:
        return hugo_site.hugo_command(set_dir / system.input, output_dir, cache_dir, clean=clean)
    input_dir = set_dir / system.input
    return pelican_command(system, input_dir, output_dir, cache_dir, clean=clean, settings=settings)


#: Settings of this process's environment that no build is measured with.
#: ``PYTHONDONTWRITEBYTECODE``: set on some machines (this project's shared ones), it makes every
#: build compile Topicfeed's plugins again (0.13 s of a rebuild), while Pelican's own modules and
#: the baseline's come with their bytecode from ``pip install``; a user's machine or GitHub
#: Actions writes it once, at the first build. Left out, round 1's cold build writes it.
UNMEASURED_ENVIRONMENT = ("PYTHONDONTWRITEBYTECODE",)


def build_environment() -> dict[str, str]:
    """The environment every build runs in: this one, less :data:`UNMEASURED_ENVIRONMENT`."""
    env = {key: value for key, value in os.environ.items() if key not in UNMEASURED_ENVIRONMENT}
    return {**env, "COLUMNS": "400", "TERM": "dumb"}


#: Writing ``5`` here sets this process's peak resident set to what it holds now (Linux 4.0+).
CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak_memory() -> bool:
    """Forget this runner's own peak memory before it starts a build; False where it cannot.

    A child started by ``subprocess`` shares this process's memory until it runs the build's
    program, and Linux reports the larger of the two peaks as the child's ``ru_maxrss``: after
    the page-fault probe (32 MB written) or the output's statistics, every build smaller than
    the runner had been measured at the runner's peak (84 MB for each system at 1,000 items).
    After this, a build's figure is at least what the runner holds when it starts it, no more.
    """
    try:
        CLEAR_REFS.write_bytes(b"5")
    except OSError:
        return False
    return True


def measure(command: list[str], log_path: Path, timeout: float) -> Sample:
    """Run one build; wall time, CPU time and peak memory of that process and its children."""
    load = os.getloadavg()[0]
    stalled_before = pressure.io_full_total_us()
    env = build_environment()
    reset_peak_memory()
    with log_path.open("w", encoding="utf-8") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = start + timeout
        tree_peak: float | None = None
        next_sample = start
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() >= next_sample:
                sampled = time.perf_counter()
                tree = memory.tree_mb(process.pid)
                tree_peak = tree if tree_peak is None else max(tree_peak, tree or 0.0)
                took = time.perf_counter() - sampled
                next_sample = sampled + max(TREE_SAMPLE_SECONDS, TREE_SAMPLE_SPACING * took)
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                raise RuntimeError(f"build timed out after {timeout:.0f} s: {log_path}")
            time.sleep(0.02)
        wall = time.perf_counter() - start
    stalled_after = pressure.io_full_total_us()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"build failed ({process.returncode}); log: {log_path}\n{text[-3000:]}")
    articles = None
    marker = "Processed "
    if marker in text:
        words = text.split(marker, 1)[1].split()
        articles = int(words[0]) if words and words[0].isdigit() else None
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        system=usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        tree_mb=tree_peak,
        articles=articles,
        load=load,
        io_stall=pressure.stalled_share(stalled_before, stalled_after, wall),
    )


def wait_for_quiet(max_load: float, allow_load: bool, patience: float) -> float:
    """The 1-minute load average once it is at most ``max_load``, waiting up to ``patience`` s.

    The previous round's own builds keep the load up for a minute or so, hence the wait. With
    ``allow_load`` the current load is returned at once, whatever it is.
    """
    load = os.getloadavg()[0]
    if allow_load:
        return load
    deadline = time.monotonic() + patience
    while load > max_load:
        if time.monotonic() > deadline:
            raise LoadTooHigh(
                f"1-minute load average {load:.2f} stayed above {max_load:.2f} for {patience:.0f} s: "
                "refusing to measure (other work would inflate every number); wait for an idle "
                "machine, or pass --allow-load (make bench BENCH_ALLOW_LOAD=1) to record results "
                "marked as measured under load"
            )
        print(f"[bench] waiting for the machine to settle: load {load:.2f} > {max_load:.2f}", flush=True)
        time.sleep(10)
        load = os.getloadavg()[0]
    return load


def reference_probe(results: Path, size: int) -> float | None:
    """The fastest round's CPU probe in the results a run of ``size`` would replace, unless they
    were themselves measured under load; None when there are none to compare with."""
    try:
        stored = json.loads((results / f"{size}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("allow_load"):
        return None
    probes = [p for p in stored.get("round_cpu_probe") or () if type(p) in (int, float) and p > 0]
    return min(probes) if probes else None


def wait_for_host(
    reference: float | None,
    max_slowdown: float,
    allow_load: bool,
    patience: float,
    probe: Callable[[], float] | None = None,
) -> float:
    """The CPU probe (``bench/host_speed.py``) once it is at most ``max_slowdown`` times
    ``reference`` (:func:`reference_probe`), probing again every :data:`PROBE_INTERVAL` seconds
    for up to ``patience``.

    Other tenants of the host slow every instruction without queueing for this machine's cores,
    so the load average misses them; results measured then would replace a faster hour's as if
    the build had slowed down. With ``allow_load``, or nothing to compare with, the first probe
    is returned at once. ``probe``: :func:`host_speed.probe` unless given.
    """
    probe = probe or host_speed.probe
    speed = probe()
    if allow_load or reference is None:
        return speed
    limit = reference * max_slowdown
    deadline = time.monotonic() + patience
    while speed > limit:
        if time.monotonic() > deadline:
            raise LoadTooHigh(
                f"the CPU probe took {1000 * speed:.1f} ms, more than {max_slowdown:g} times the "
                f"{1000 * reference:.1f} ms of the fastest round in the results it would replace, "
                f"for {patience:.0f} s: refusing to measure (the host is slowed by other work the "
                "load average does not show); wait for a faster hour, or pass --allow-load (make "
                "bench BENCH_ALLOW_LOAD=1) to record results marked as measured under load"
            )
        print(
            f"[bench] waiting for the host to speed up: CPU probe {1000 * speed:.1f} ms "
            f"> {1000 * limit:.1f} ms",
            flush=True,
        )
        time.sleep(PROBE_INTERVAL)
        speed = probe()
    return speed


def clear_output(output_dir: Path) -> None:
    """Remove the output and everything a build keeps beside it, so a cold build starts from nothing.

    Topicfeed keeps the folders of a replaced site beside the output (``.output.skeleton``, see
    ``atomic_output``) and its records of the last build (``output.render.json``,
    ``output.model.pickle`` and the others); a cold build that found them would not be cold.
    Results stored before 2026-12-06 afternoon kept the records: the cold builds of rounds 2 and
    3 read some of them, and at 100,000 items held about 300 MB more for it.
    """
    shutil.rmtree(output_dir, ignore_errors=True)
    for sibling in output_dir.parent.glob(f".{output_dir.name}.*"):
        if sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)
    for record in output_dir.parent.glob(f"{output_dir.name}.*"):
        if record.is_file() or record.is_symlink():
            record.unlink()


def settle_after_deleting(args: argparse.Namespace) -> float:
    """Flush what deleting the previous output left to the disk, then wait for the load to fall.

    Deleting a 100,000-item site (300,000 files) returns before the file system has written it
    out, and the previous system's builds leave the same trail before the next system's cold
    build: without this, that writeback runs during the cold build being measured. (It is not
    what makes a 100,000-item cold build take 330 to 340 s: a flushed, settled machine gave
    341 s. Pelican's own "Done ... in 277 s" leaves out start-up and exit.)
    """
    os.sync()
    return wait_for_quiet(args.max_load, args.allow_load, args.load_wait)


def settle_after_build(output_dir: Path, timeout: float) -> float:
    """Wait for the processes a build left beside its output (Topicfeed's folder recycling), then
    flush what it wrote; the seconds that took. Every system's builds are followed by this, so
    each starts on a disk that is not still writing the last one's output."""
    started = time.perf_counter()
    if not wait_for_recycling(output_dir.resolve(), timeout):
        raise RuntimeError(f"{output_dir}: the build's background work still runs after {timeout:.0f} s")
    os.sync()
    return time.perf_counter() - started


def output_stats(output_dir: Path) -> dict[str, int]:
    """Files, HTML files and bytes of an output, and its size as a GitHub Pages artifact."""
    files = [p for p in output_dir.rglob("*") if p.is_file()]
    return {
        "files": len(files),
        "html_files": sum(p.suffix == ".html" for p in files),
        "bytes": sum(p.stat().st_size for p in files),
        **pages_artifact.artifact_sizes(output_dir),
    }


#: What undoes a round's changes: each touched input file and its original bytes (None: remove it).
Undo = list[tuple[Path, bytes | None]]


def edit_file(path: Path, edit: Any, undo: Undo) -> None:
    """Apply ``edit`` (text to text) to ``path``, remembering the original bytes in ``undo``."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    edited = edit(text)
    if edited == text:
        raise RuntimeError(f"could not edit {path}")
    undo.append((path, original))
    path.write_text(edited, encoding="utf-8")


def change_item(set_dir: Path, system: System, manifest: dict[str, Any], undo: Undo) -> None:
    """Edit the manifest's item (its excerpt) in this system's format."""
    change = manifest["change"]
    mark = change["mark"]

    def edit(text: str) -> str:
        if system.input == "news":
            return text.replace('excerpt: "', f'excerpt: "{mark}', 1)
        if system.is_hugo:
            return hugo_site.edit_page(text, mark)
        return text.replace("Summary: ", f"Summary: {mark}", 1).replace("\n\n", f"\n\n{mark}", 1)

    edit_file(set_dir / system.input / change[system.input], edit, undo)


def add_item(set_dir: Path, system: System, manifest: dict[str, Any], undo: Undo) -> None:
    """Copy the generated extra item (``extra/``, beside the inputs) into this system's input."""
    added = manifest["added"]
    relative = added[system.input]
    target = set_dir / system.input / relative
    if target.exists():
        raise RuntimeError(f"{target} is already there: an earlier run did not restore its inputs")
    undo.append((target, None))
    shutil.copyfile(set_dir / added["extra"] / system.input / relative, target)


def unpublish(text: str, system: System) -> str:
    """``text``, the item's file in ``system``'s format, made unpublished the way each system spells it.

    Pelican skips a ``Status: skip`` article before it builds anything from it (what the
    generator writes for unpublished items); Hugo builds no drafts.
    """
    if system.input == "news":
        return text.replace("\npublished: true\n", "\npublished: false\n", 1)
    if system.is_hugo:
        return hugo_site.unpublish_page(text)
    return text.replace("\nSummary: ", "\nStatus: skip\nSummary: ", 1)


def unpublish_item(set_dir: Path, system: System, manifest: dict[str, Any], undo: Undo) -> None:
    """Unpublish the manifest's second item in this system's format."""
    path = set_dir / system.input / manifest["unpublished"][system.input]
    edit_file(path, lambda text: unpublish(text, system), undo)


#: The input change each incremental scenario adds to those of the scenarios before it.
CHANGES = {"changed": change_item, "added": add_item, "unpublished": unpublish_item}


def restore(undo: Undo) -> None:
    """Put the inputs back as generated, last change first."""
    while undo:
        path, original = undo.pop()
        if original is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(original)


def article_pages(output_dir: Path) -> list[Path]:
    """The article pages of a build: every system writes them to ``YYYY/MM/DD/slug/index.html``."""
    return list(output_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))


#: What Topicfeed prints when its inputs and output are those of its last build (unchanged_build).
SKIPPED = "Nothing changed since the last build"
#: What a rebuild from the site model says instead of Pelican's article count.
PLANNED = "Rebuilt from the site model:"


def counts_no_articles(log_path: Path) -> bool:
    """Whether the build left the previous site as it was, or was a rebuild from the site model
    (``REBUILD_FROM_MODEL``): either prints no article count."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return SKIPPED in text or PLANNED in text


def change_visible(output_dir: Path, mark: str) -> bool:
    """Whether the edited excerpt reached an article page (the edit was not served stale)."""
    return any(mark in page.read_text(encoding="utf-8") for page in article_pages(output_dir))


def page_change_problem(before: set[Path], after: set[Path], delta: int, slug: str) -> str | None:
    """Why the article pages after an "added" (``delta`` 1) or "unpublished" (-1) build are wrong.

    Exactly one page must have appeared (added) or gone (unpublished), and nothing else: its
    folder is the item's slug, which Topicfeed may cut shorter (at a word), so a prefix of it.
    """
    appeared, gone = after - before, before - after
    wanted, other = (appeared, gone) if delta > 0 else (gone, appeared)
    word = "new" if delta > 0 else "removed"
    if len(wanted) != 1 or other:
        return f"expected one {word} article page ({slug}), got {len(appeared)} new and {len(gone)} removed"
    page = next(iter(wanted))
    if not slug.startswith(page.parent.name):
        return f"the {word} article page {page} is not that of {slug}"
    return None


def ensure_set(size: int, seed: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The generated set for ``size``, made once and reused while the generator is unchanged."""
    set_dir = work / str(size)
    manifest_path = set_dir / "manifest.json"
    digest = hashlib.sha256()
    for name in ("generate.py", "hugo_site.py"):
        digest.update((BENCH / name).read_bytes())
    stamp = f"{seed}:{digest.hexdigest()}"
    stamp_path = set_dir / ".generator"
    if manifest_path.exists() and stamp_path.exists() and stamp_path.read_text() == stamp:
        manifest = json.loads(manifest_path.read_text())
        added = manifest["added"]
        # A run killed mid-round left its added item in the inputs: make the set anew.
        if not any((set_dir / name / added[name]).exists() for name in ("news", "markdown", "hugo")):
            return set_dir, manifest
    print(f"[bench] generating {size} items into {set_dir}", flush=True)
    manifest = generate.write(size, set_dir, seed)
    stamp_path.write_text(stamp)
    return set_dir, manifest


def bench_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    set_dir, manifest = ensure_set(size, args.seed, args.work)
    systems = [SYSTEMS[name] for name in args.systems]
    scenarios = [scenario for scenario in SCENARIOS if scenario in args.scenarios]
    samples: dict[str, dict[str, list[Sample]]] = {s.name: {sc: [] for sc in scenarios} for s in systems}
    stats: dict[str, dict[str, int]] = {}
    round_loads: list[float] = []
    round_io: list[float | None] = []
    round_probe: list[float] = []
    round_faults: list[float] = []
    reference = reference_probe(args.results, size)
    for round_number in range(1, args.runs + 1):
        speed = wait_for_host(reference, args.max_slowdown, args.allow_load, args.load_wait)
        round_load = wait_for_quiet(args.max_load, args.allow_load, args.load_wait)
        round_loads.append(round(round_load, 2))
        io = pressure.io_some_avg60()
        round_io.append(io)
        round_probe.append(round(speed, 4))
        fault = host_speed.fault_probe()
        round_faults.append(round(fault, 8))
        print(
            f"[bench] N={size} round {round_number}: 1-minute load {round_load:.2f}, "
            f"I/O pressure {'-' if io is None else f'{io:.1f}%'}, CPU probe {1000 * speed:.1f} ms, "
            f"page fault {1e6 * fault:.1f} us",
            flush=True,
        )
        for system in systems:
            undo: Undo = []
            try:
                for scenario in scenarios:
                    samples[system.name][scenario].append(
                        bench_build(set_dir, manifest, system, scenario, round_number, undo, args)
                    )
                    if scenario == "cold" and round_number == 1:
                        stats[system.name] = output_stats(set_dir / f"output-{system.name}")
            finally:
                restore(undo)  # the next round's cold build starts from the generated set
    for system in systems:
        for scenario, runs in samples[system.name].items():
            expected = expected_articles(manifest, scenarios, scenario)
            counts = {s.articles for s in runs}
            if counts != {expected}:
                raise RuntimeError(f"{system.label} built {counts} articles {scenario}, expected {expected}")
    return {
        "size": size,
        "runs": args.runs,
        "seed": args.seed,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "command": command_line(args, [size]),
        "topicfeed_settings": args.topicfeed_settings,
        "machine": machine(),
        "max_load": args.max_load,
        "allow_load": args.allow_load,
        "max_slowdown": args.max_slowdown,
        "reference_cpu_probe": reference,
        "round_loads": round_loads,
        "round_io_pressure": round_io,
        "round_cpu_probe": round_probe,
        "round_fault_probe": round_faults,
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "manifest": manifest,
        "output": stats,
        "samples": {
            name: {sc: [asdict(s) for s in runs] for sc, runs in by.items()} for name, by in samples.items()
        },
    }


def expected_articles(manifest: dict[str, Any], scenarios: list[str], scenario: str) -> int:
    """The articles a build of ``scenario`` must have: the changes of the round so far counted."""
    done = scenarios[: scenarios.index(scenario) + 1]
    return int(manifest["published"]) + sum(PAGE_DELTA.get(name, 0) for name in done)


def bench_build(
    set_dir: Path,
    manifest: dict[str, Any],
    system: System,
    scenario: str,
    round_number: int,
    undo: Undo,
    args: argparse.Namespace,
) -> Sample:
    """One measured build of ``scenario``, after its input change (kept, with its undo, in ``undo``)."""
    output_dir = set_dir / f"output-{system.name}"
    cache_dir = set_dir / f"cache-{system.name}"
    if scenario == "cold":
        clear_output(output_dir)
        shutil.rmtree(cache_dir, ignore_errors=True)
        settle_after_deleting(args)
    if scenario in CHANGES:
        CHANGES[scenario](set_dir, system, manifest, undo)
    before = set(article_pages(output_dir)) if scenario in PAGE_DELTA else set()
    log_path = set_dir / f"{system.name}-{scenario}.log"
    variant = args.topicfeed_settings if system.name == "topicfeed" else None
    command = build_command(system, set_dir, output_dir, cache_dir, scenario, variant)
    sample = measure(command, log_path, args.timeout)
    sample.after = round(settle_after_build(output_dir, args.timeout), 2)
    problem = None
    if scenario == "changed" and not change_visible(output_dir, manifest["change"]["mark"]):
        problem = "the edited item is not in the output"
    elif scenario in PAGE_DELTA:
        after = set(article_pages(output_dir))
        problem = page_change_problem(before, after, PAGE_DELTA[scenario], manifest[scenario]["slug"])
    if problem:
        raise RuntimeError(f"{system.label}, {scenario}: {problem} ({log_path})")
    if system.is_hugo or counts_no_articles(log_path):
        sample.articles = len(article_pages(output_dir))
    print(
        f"[bench] N={set_dir.name} round {round_number} {system.label:13} {scenario:11} "
        f"{sample.wall:7.2f} s  {sample.peak_mb:6.0f} MB (tree {sample.tree_mb or 0:.0f})  "
        f"cpu {sample.cpu:6.1f} s (system {sample.system or 0:.1f})  "
        f"articles {sample.articles}  load {sample.load:.2f}"
        f"{'' if sample.io_stall is None else f'  I/O stall {100 * sample.io_stall:.0f}%'}"
        f"  settled after {sample.after:.1f} s",
        flush=True,
    )
    return sample


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        # The runner's own results (written size by size during a run) are not code changes.
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench/results", ":!BENCHMARKS.md"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown"
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def hugo_version() -> str:
    try:
        text = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout
    except OSError:
        return ""
    words = text.split()
    return words[1].split("+")[0].lstrip("v") if len(words) > 1 else ""


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pelican

    hugo = hugo_version()
    return (
        f"{os.cpu_count()} cores{', ' + model if model else ''}; Python {platform.python_version()}, "
        f"Pelican {pelican.__version__}{', Hugo ' + hugo if hugo else ''}"
    )


def command_line(args: argparse.Namespace, sizes: list[int]) -> str:
    parts = ["python", "-m", "bench.run", "--sizes", *map(str, sizes), "--runs", str(args.runs)]
    if args.seed != 1:
        parts += ["--seed", str(args.seed)]
    if args.systems != list(SYSTEMS):
        parts += ["--systems", *args.systems]
    scenarios = [scenario for scenario in SCENARIOS if scenario in args.scenarios]
    if scenarios != list(SCENARIOS):
        parts += ["--scenarios", *scenarios]
    for name, value in args.topicfeed_settings.items():
        parts += ["--topicfeed-setting", f"{name}={json.dumps(value)}"]
    if args.results.resolve() != (BENCH / "results").resolve():
        parts += ["--results", _shown(args.results)]
    if args.max_slowdown != MAX_SLOWDOWN:
        parts += ["--max-slowdown", f"{args.max_slowdown:g}"]
    if args.allow_load:
        parts.append("--allow-load")
    return shlex.join(parts)


def _shown(path: Path) -> str:
    """A path as the command line gives it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def topicfeed_setting(text: str) -> tuple[str, Any]:
    """``NAME=JSON`` (``MEMORY_BUDGET_MB=2000``), as Pelican's ``-e`` takes it."""
    name, equals, value = text.partition("=")
    if not equals or not name.isupper():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE with an upper-case name, got {text!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"{name}: the value must be JSON ({error})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="run in this order within a round, each incremental build one change after the last; "
        "warm, changed, added and unpublished need cold",
    )
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--work", type=Path, default=ROOT / ".bench", help="generated sets and outputs")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--report", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per build")
    parser.add_argument(
        "--max-load", type=float, default=MAX_LOAD, help="1-minute load average allowed before a round"
    )
    parser.add_argument(
        "--load-wait",
        type=float,
        default=300,
        help="seconds to wait for the load (or the host's slowness) to drop before refusing",
    )
    parser.add_argument(
        "--max-slowdown",
        type=float,
        default=MAX_SLOWDOWN,
        help="how many times the stored results' fastest CPU probe a round's may take",
    )
    parser.add_argument(
        "--allow-load",
        action="store_true",
        default=os.environ.get("BENCH_ALLOW_LOAD") == "1",
        help="measure and record even under load (marked so in the report); also BENCH_ALLOW_LOAD=1",
    )
    parser.add_argument(
        "--topicfeed-setting",
        action="append",
        type=topicfeed_setting,
        default=[],
        metavar="NAME=JSON",
        help=f"build Topicfeed with this setting too (a variant): its results go to --results "
        f"{VARIANTS.relative_to(ROOT)}/NAME, which the report shows beside the default build",
    )
    parser.add_argument("--render-only", action="store_true", help="rewrite the report from stored results")
    args = parser.parse_args(argv)
    args.topicfeed_settings = dict(args.topicfeed_setting)
    if args.topicfeed_settings and args.results.resolve().parent.name != VARIANTS.name:
        folder = VARIANTS.relative_to(ROOT)
        parser.error(f"a variant's results go to a folder of their own: --results {folder}/NAME")
    args.work = args.work.resolve()
    if not args.render_only:
        if "hugo" in args.systems and shutil.which("hugo") is None:
            parser.error("hugo is not installed: run tools/install-bench-deps.sh (make bench does)")
        args.results.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            try:
                result = bench_size(size, args)
            except LoadTooHigh as error:
                print(f"[bench] {error}", file=sys.stderr)
                return 3
            path = args.results / f"{size}.json"
            path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    # a variant's report is the whole report: the default build's results and every variant's
    main_results = args.results.parent.parent if args.topicfeed_settings else args.results
    results = report.load_results(main_results)
    args.report.write_text(report.render(results, main_results, SYSTEMS), encoding="utf-8")
    print(f"[bench] wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
