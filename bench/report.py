"""``BENCHMARKS.md`` from the stored results: the three systems side by side, ratios, targets.

Rendered from every ``bench/results/N.json`` (``bench/run.py``) and ``profile-*.json``
(``bench/profile_build.py``), so measuring one size keeps the others. A size measured while the
machine was busy (a round's 1-minute load above the run's ``max_load``, or its CPU probe more than
``max_slowdown`` times the fastest round of the results it replaced: :func:`slow_host`) is marked
"measured under load, not for comparison" wherever its numbers appear.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from . import host_speed

ORDER = ("topicfeed", "pelican", "hugo")
#: How a system is named in a sentence (the tables take their labels from ``bench/run.py``).
ORDER_LABELS = {"topicfeed": "Topicfeed", "pelican": "plain Pelican", "hugo": "Hugo"}
SCENARIO_NAMES = {
    "cold": "cold (fresh output, no cache)",
    "warm": "warm (nothing changed)",
    "changed": "one item changed",
    "added": "one item added",
    "unpublished": "one item unpublished",
}
SHORT_SCENARIOS = {
    "cold": "cold",
    "warm": "warm",
    "changed": "one changed",
    "added": "one added",
    "unpublished": "one unpublished",
}
#: Builds measured against the same system's cold build.
INCREMENTAL = ("warm", "changed", "added", "unpublished")
#: Issue 12: at 10,000 items, each build at most this share of our cold build.
TEN_K_LIMITS = {"warm": 0.05, "changed": 0.1, "added": 0.1, "unpublished": 0.1}
#: Used for results stored before the runner recorded its threshold.
DEFAULT_MAX_LOAD = 1.0
GITHUB_PAGES_BYTES = 1_000_000_000
#: What ``actions/deploy-pages`` compares the stored (compressed) artifact with (``bench/pages_artifact.py``).
DEPLOY_ARTIFACT_BYTES = 1 << 30


class Labelled(Protocol):
    label: str


Result = dict[str, Any]


# Numbers ---------------------------------------------------------------------------------------
def median(result: Result, system: str, scenario: str, key: str) -> float | None:
    """The median of ``key`` over the rounds; None when it was not measured (older results)."""
    runs = result["samples"].get(system, {}).get(scenario) or []
    values = [s[key] for s in runs if s.get(key) is not None]
    return statistics.median(values) if values else None


def peak_memory(result: Result, system: str, scenario: str) -> tuple[float | None, str]:
    """The build's peak memory: the whole process tree's when sampled, else the largest process's."""
    tree = median(result, system, scenario, "tree_mb")
    if tree is not None:
        return max(tree, median(result, system, scenario, "peak_mb") or 0.0), "whole process tree"
    return median(result, system, scenario, "peak_mb"), "largest process"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "–"


def spread(result: Result, system: str, scenario: str) -> str:
    """Median wall time, with the range when there are several rounds."""
    runs = result["samples"].get(system, {}).get(scenario)
    if not runs:
        return "–"
    walls = [s["wall"] for s in runs]
    middle = statistics.median(walls)
    if len(walls) == 1:
        return f"{middle:.1f} s"
    return f"{middle:.1f} s ({min(walls):.1f}–{max(walls):.1f})"


def round_loads(result: Result) -> list[float]:
    """The 1-minute load before each round; older results only stored it before each build."""
    if "round_loads" in result:
        return list(result["round_loads"])
    return [s["load"] for by in result["samples"].values() for runs in by.values() for s in runs]


def slow_host(result: Result) -> bool:
    """A round's CPU probe took more than ``max_slowdown`` times the fastest round of the results
    this one replaced (recorded only with ``--allow-load``: the runner refuses otherwise)."""
    reference, probes = result.get("reference_cpu_probe"), result.get("round_cpu_probe") or []
    return bool(reference and probes and max(probes) > reference * result.get("max_slowdown", 1.5))


def under_load(result: Result) -> bool:
    loads = round_loads(result)
    return not loads or max(loads) > result.get("max_load", DEFAULT_MAX_LOAD) or slow_host(result)


def load_note(result: Result) -> str:
    loads = round_loads(result)
    limit = result.get("max_load", DEFAULT_MAX_LOAD)
    if "round_loads" in result:
        text = "1-minute load average before each round: " + ", ".join(f"{x:.2f}" for x in loads)
    else:
        text = (
            "1-minute load average before the builds (this result predates per-round records): "
            f"{min(loads):.1f}–{max(loads):.1f}"
            if loads
            else "load not recorded"
        )
    return f"{text} (threshold {limit:.1f}).{io_note(result)}{probe_note(result)}{after_note(result)}"


def probe_note(result: Result) -> str:
    """How long a fixed Python loop took before each round (``bench/host_speed.py``); empty for
    results recorded without it."""
    probes = result.get("round_cpu_probe") or []
    if not probes:
        return ""
    text = (
        f" CPU probe before each round (a fixed Python loop, CPU time, best of {host_speed.REPEAT}; "
        "more is a slower host): " + ", ".join(f"{1000 * x:.1f} ms" for x in probes) + "."
    )
    faults = result.get("round_fault_probe") or []
    if faults:
        text += (
            f" Page-fault probe before each round (CPU time a fresh page took, {host_speed.PAGES:,} "
            f"pages, best of {host_speed.REPEAT}; more is a host where memory costs more, which "
            "slows Topicfeed's forks and Pagefind most): "
            + ", ".join(f"{1e6 * x:.1f} us" for x in faults)
            + "."
        )
    return text


def io_note(result: Result) -> str:
    """The disk's pressure before each round and the build most stalled on it (``bench/pressure.py``);
    empty for results recorded without them."""
    parts = []
    before = [x for x in result.get("round_io_pressure") or () if x is not None]
    if before:
        parts.append(
            "I/O pressure before each round (share of the last minute some task waited for the disk): "
            + ", ".join(f"{x:.1f}%" for x in before)
            + "."
        )
    stalls = [
        (sample["io_stall"], name, scenario, number)
        for name, by in result["samples"].items()
        for scenario, runs in by.items()
        for number, sample in enumerate(runs, 1)
        if sample.get("io_stall") is not None
    ]
    if stalls:
        share, name, scenario, number = max(stalls)
        parts.append(
            f"The build most stalled on the disk (every task waiting for it): {ORDER_LABELS.get(name, name)} "
            f"{scenario}, round {number}, {100 * share:.0f}% of its wall time."
        )
    return "".join(" " + part for part in parts)


def after_note(result: Result) -> str:
    """How long the runner waited after a build for its background work and the disk (the
    longest wait, by system); empty for results recorded before it waited."""
    parts = []
    for name, by in result["samples"].items():
        waits = [
            (sample["after"], scenario, number)
            for scenario, runs in by.items()
            for number, sample in enumerate(runs, 1)
            if sample.get("after") is not None
        ]
        if waits:
            after, scenario, number = max(waits)
            parts.append(f"{ORDER_LABELS.get(name, name)} {after:.1f} s (after {scenario}, round {number})")
    if not parts:
        return ""
    return (
        " After each build the runner waited for what the build left running and flushed the disk "
        "before the next; the longest wait: " + ", ".join(parts) + "."
    )


# Sections --------------------------------------------------------------------------------------
def present(result: Result) -> list[str]:
    return [name for name in ORDER if any(result["samples"].get(name, {}).values())]


def size_section(result: Result, systems: Mapping[str, Labelled]) -> list[str]:
    size = result["size"]
    manifest = result["manifest"]
    published = manifest["published"]
    lines = [f"## {size:,} items", ""]
    if under_load(result):
        lines += [
            "> **Measured under load, not for comparison**: other work shared the machine during "
            "these rounds, which inflates times unevenly between systems.",
            "",
        ]
    lines += [
        f"Measured {result['date']} at commit {result['commit']}, {result['runs']} round(s), medians "
        f"(range of wall times); {result['machine']}. {load_note(result)}",
        "",
        f"Command: `{result['command']}`",
        "",
    ]
    header = ["build"]
    for name in ORDER:
        header += [f"{systems[name].label} wall", "CPU", "peak MB"]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for scenario, title in SCENARIO_NAMES.items():
        cells = [title]
        for name in ORDER:
            cpu = median(result, name, scenario, "cpu")
            peak = median(result, name, scenario, "peak_mb")
            peak_text = f"{peak:.0f}" if peak is not None else "–"
            cells += [spread(result, name, scenario), seconds(cpu), peak_text]
        lines.append("| " + " | ".join(cells) + " |")

    if any(median(result, name, "cold", "tree_mb") is not None for name in ORDER):
        lines += [
            "",
            "Peak memory of the whole build (MB, medians): the process and its children together "
            "(PSS summed, sampled every 0.1 s or less often, at most 5% of a core; PSS counts shared "
            "library pages in part, so a single process reads lower than its resident set above):",
            "",
            "| whole process tree | " + " | ".join(SHORT_SCENARIOS.values()) + " |",
            "| --- |" + " --- |" * len(SHORT_SCENARIOS),
        ]
        for name in present(result):
            cells = [systems[name].label]
            for scenario in SCENARIO_NAMES:
                tree = median(result, name, scenario, "tree_mb")
                cells.append(f"{tree:.0f}" if tree is not None else "–")
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Ratios of the medians (wall / CPU / peak memory of the largest process):", ""]
    lines += [
        "| ratio | " + " | ".join(SHORT_SCENARIOS.values()) + " |",
        "| --- |" + " --- |" * len(SHORT_SCENARIOS),
    ]
    for other in ("pelican", "hugo"):
        cells = [f"Topicfeed / {systems[other].label}"]
        for scenario in SCENARIO_NAMES:
            cells.append(
                " / ".join(
                    ratio(median(result, "topicfeed", scenario, key), median(result, other, scenario, key))
                    for key in ("wall", "cpu", "peak_mb")
                )
            )
        lines.append("| " + " | ".join(cells) + " |")
    for name in present(result):
        cells = [f"{systems[name].label}: this build / its cold build", "(the base)"]
        for scenario in INCREMENTAL:
            cells.append(
                " / ".join(
                    ratio(median(result, name, scenario, key), median(result, name, "cold", key))
                    for key in ("wall", "cpu", "peak_mb")
                )
            )
        lines.append("| " + " | ".join(cells) + " |")

    lines += [
        "",
        f"Set: {manifest['count']:,} items ({published:,} published), "
        f"{manifest['total_bytes'] / 1e6:.1f} MB, {manifest['mean_bytes']:,} bytes per item on average "
        f"({manifest['mean_bytes_with_related']:,} with a related list), {manifest['topics_used']} topics, "
        f"{manifest['providers_used']} sources. Output of the cold build, per published item:",
        "",
        "| output | files | HTML files | MB | bytes per item | files per item "
        "| Pages artifact: tar MB | compressed MB | compressed bytes per item |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ORDER:
        out = result["output"].get(name)
        if out:
            if "artifact_bytes" in out:  # results stored before 2026-11-30 did not measure it
                artifact = (
                    f"{out['tar_bytes'] / 1e6:.1f} | {out['artifact_bytes'] / 1e6:.1f} | "
                    f"{out['artifact_bytes'] / published:,.0f}"
                )
            else:
                artifact = "– | – | –"
            lines.append(
                f"| {systems[name].label} | {out['files']:,} | {out['html_files']:,} | "
                f"{out['bytes'] / 1e6:.1f} | {out['bytes'] / published:,.0f} | "
                f"{out['files'] / published:.2f} | {artifact} |"
            )
    return lines


def _fits_rows(results: dict[int, Result]) -> list[str]:
    """The 1 GB rows: 50,000 items estimated from the newest output of 10,000 items or more.

    Two readings of the limit (``bench/pages_artifact.py``): the files' bytes, and the
    compressed artifact that ``actions/deploy-pages`` checks. Fixed costs (the search runtime,
    the theme's files) dominate small sets, so smaller sets are not used.
    """
    title = "50,000 items fit GitHub Pages' 1 GB"
    sized = [r for size, r in sorted(results.items()) if size >= 10_000 and r["output"].get("topicfeed")]
    if not sized:
        return [f"| {title} | not measured (needs 10,000 items or more) | – |"]
    newest = max(sized, key=lambda r: r["date"])  # the newest: output grows with features
    out, published = newest["output"]["topicfeed"], newest["manifest"]["published"]
    at = f"at {newest['size']:,} items"
    rows = []
    for key, reading, limit in (
        ("bytes", "files on disk", GITHUB_PAGES_BYTES),
        ("artifact_bytes", "compressed deploy artifact, what `deploy-pages` checks", DEPLOY_ARTIFACT_BYTES),
    ):
        if key not in out:
            rows.append(f"| {title} ({reading}) | not measured | – |")
            continue
        per_item = out[key] / published
        estimate = per_item * 50_000
        rows.append(
            f"| {title} ({reading}) | {estimate / 1e6:,.0f} MB ({per_item:,.0f} bytes per published "
            f"item {at}; the limit is reached at about {limit / per_item:,.0f} items) | "
            f"{_status(estimate / 1e6, limit / 1e6, ' MB')} |"
        )
    return rows


def _status(value: float, limit: float, unit: str = " x") -> str:
    """Either "met" or how far off: the factor by which the measured value must shrink."""
    if value <= limit:
        return "met"
    shown = f"{value:.2f}" if value < 10 else f"{value:,.0f}"
    target = f"{limit:g}" if limit < 10 else f"{limit:,.0f}"
    factor = value / limit
    # "1.0x too high" reads as no gap: a near miss shows as "1.01x".
    factor_shown = f"{factor:.2f}" if factor < 1.1 else f"{factor:.1f}"
    return f"gap: {factor_shown}x too high ({shown}{unit}, target {target}{unit})"


def targets_section(
    results: Mapping[int, Result], variants: Mapping[str, Mapping[int, Result]] | None = None
) -> list[str]:
    """Issue 12's targets, each met or with its measured gap (ratios in the same run); the
    100,000-item rows again for each variant (other Topicfeed settings) measured at that size."""
    lines = [
        "## Targets (issue 12)",
        "",
        "Ratios in the same run; a row from a size measured under load says so.",
        "",
        "| target | measured | status |",
        "| --- | --- | --- |",
    ]

    def mark(result: Result) -> str:
        return " (under load)" if under_load(result) else ""

    r10 = results.get(10_000)
    if r10:
        tag = mark(r10)
        for key, word in (("wall", "wall"), ("cpu", "CPU")):
            ours, theirs = median(r10, "topicfeed", "cold", key), median(r10, "pelican", "cold", key)
            hugo = median(r10, "hugo", "cold", key)
            if ours and theirs:
                against_hugo = f"; Hugo {hugo / theirs:.2f} x" if hugo else ""
                lines.append(
                    f"| 10,000 items, cold ≤ 0.25 x plain Pelican ({word}) | {ours / theirs:.2f} x"
                    f"{against_hugo}{tag} | {_status(ours / theirs, 0.25)} |"
                )
        for scenario, limit in TEN_K_LIMITS.items():
            for key, word in (("wall", "wall"), ("cpu", "CPU")):
                title = f"10,000 items, {SCENARIO_NAMES[scenario]} ≤ {limit:g} x our cold build ({word})"
                value, cold = median(r10, "topicfeed", scenario, key), median(r10, "topicfeed", "cold", key)
                if value is not None and cold:
                    lines.append(f"| {title} | {value / cold:.2f} x{tag} | {_status(value / cold, limit)} |")
                else:  # results stored before the runner measured this build
                    lines.append(f"| {title} | not measured | – |")
    else:
        lines.append("| 10,000 items: cold, warm, one item changed, added, unpublished | not measured | – |")
    lines += _hundred_thousand_rows(results.get(100_000), "", mark)
    for found in (variants or {}).values():
        if 100_000 in found:
            variant = found[100_000]
            suffix = f", with `{settings_label(variant)}`"
            lines += _hundred_thousand_rows(variant, suffix, mark, only_measured=True)
    lines += _fits_rows(results)
    lines += [
        "",
        "Not measured by `make bench`: that one-item builds are byte-identical to a fresh build (a "
        "test proves it), and the related-stories step alone (issue 8: < 10 s at 100,000 items; "
        "5.7–8.7 s CPU on 2026-11-23 with "
        "`PYTHONPATH=plugins python -m bench.related_step 10000 100000 --repeat 3`).",
    ]
    return lines


_HUNDRED_THOUSAND = (
    ("cold", "wall", "100,000 items, cold < 5 min", 300.0, " s"),
    ("cold", "memory", "100,000 items, cold peak memory < 2 GB", 2048.0, " MB"),
    ("changed", "wall", "100,000 items, one item changed < 30 s", 30.0, " s"),
    ("added", "wall", "100,000 items, one item added < 30 s", 30.0, " s"),
    ("unpublished", "wall", "100,000 items, one item unpublished < 30 s", 30.0, " s"),
)


def _hundred_thousand_rows(
    r100: Result | None, suffix: str, mark: Any, only_measured: bool = False
) -> list[str]:
    lines = []
    for scenario, key, title, limit, unit in _HUNDRED_THOUSAND:
        what = ""
        if not r100:
            value = None
        elif key == "memory":
            value, what = peak_memory(r100, "topicfeed", scenario)
            what = f", {what}"
        else:
            value = median(r100, "topicfeed", scenario, key)
        if value is None:
            if not only_measured:
                lines.append(f"| {title}{suffix} | not measured (`make bench BENCH_SIZES=100000`) | – |")
        else:
            lines.append(
                f"| {title}{suffix} | {value:.0f}{unit}{what}{mark(r100)} | {_status(value, limit, unit)} |"
            )
    return lines


def settings_label(result: Result) -> str:
    """The Topicfeed settings a variant was built with, as ``-e`` gives them."""
    settings = result.get("topicfeed_settings") or {}
    return ", ".join(f"{name}={json.dumps(value)}" for name, value in settings.items()) or "default settings"


def load_variants(directory: Path | None) -> dict[str, dict[int, Result]]:
    """Results of builds with other Topicfeed settings: ``variants/NAME/N.json`` under the results."""
    root = directory / "variants" if directory is not None else None
    if root is None or not root.is_dir():
        return {}
    found = {sub.name: load_results(sub) for sub in sorted(root.iterdir()) if sub.is_dir()}
    return {name: results for name, results in found.items() if results}


def variant_sections(
    variants: Mapping[str, Mapping[int, Result]], systems: Mapping[str, Labelled]
) -> list[str]:
    """Each variant's measurements, as a size's section, titled with its settings."""
    lines: list[str] = []
    for results in variants.values():
        for size in sorted(results):
            section = size_section(results[size], systems)
            section[0] = f"## {size:,} items, Topicfeed with `{settings_label(results[size])}`"
            lines += [*section, ""]
    return lines


HEADER = """# Benchmarks

Topicfeed against plain Pelican 4.12 and Hugo on the same synthetic stories, measured in the same
run on the same machine (ratios are what to compare). Generated by `make bench`
(`bench/run.py`, `bench/report.py`; sizes with `make bench BENCH_SIZES="1000 10000 100000"`,
rounds with `BENCH_RUNS=3`); this file is rewritten from `bench/results/*.json`.

- **Input**: `bench/generate.py` (seed 1): items in the exporter's format for Topicfeed; the same
  stories as plain Pelican Markdown (title, date, topics as tags, source as category, excerpt as
  summary and body; unpublished items `Status: skip`) for the baseline; the published stories as
  a Hugo site (`bench/hugo_site.py`: the same front matter, tags, categories and authors
  taxonomies, one minimal template per page kind).
- **plain Pelican**: `bench/baseline_conf.py`: Pelican's default theme (`notmyidea`), the same URL
  scheme, pagination 20, Atom and RSS feeds for everything, each topic and each source, and
  Pelican's content cache on.
- **Hugo**: Debian's `hugo` (`tools/install-bench-deps.sh`, which `make bench` runs), the same
  article URLs, pagination 20, RSS for the home page and every term (100 entries, as Pelican's
  feeds), its own sitemap. Hugo has no build cache for pages: its warm build is a full build.
- **Builds**: one process each (`pelican`, `hugo`). *cold*: fresh output, no cache, no record
  of an earlier build beside the output (results stored before 2026-12-06 afternoon left
  Topicfeed's records there for the cold builds of rounds 2 and 3, which then read its render
  manifest and keyed every page for nothing); *warm*:
  nothing changed since the previous build (Topicfeed's is its `unchanged_build` check: the
  inputs' fingerprint and the output's file listing equal the last build's record, so the build
  stops there); *one item changed*: one published item's excerpt edited (the runner checks the
  edit reached its page), which Topicfeed builds through its whole pipeline; *one item added*:
  then one new published item, newer than every other (an exporter adds items all day; exactly
  one article page must appear); *one item unpublished*: then another published item
  unpublished (exactly one article page must go: plain Pelican and Hugo leave the page of a
  withdrawn story in their output, so this build runs them with `DELETE_OUTPUT_DIRECTORY` and
  `--cleanDestinationDir`). Each build keeps the changes before it, and the inputs are restored
  after the round; results stored before 2026-11-30 have no added or unpublished builds ("–",
  "not measured"). CPU is user +
  system time and peak MB the maximum resident set, both from `wait4`: the build process with
  its child processes (CPU summed; memory of the largest one), and the whole process tree's
  memory sampled every 0.1 s, or less often so that sampling takes at most 5% of a core (forked
  renderers run side by side). CPU time is steadier than
  wall time on a shared machine.
- **Load**: before each round the runner waits until the 1-minute load average is at most 1.0,
  and until its CPU probe (below) takes at most 1.5 times as long as in the fastest round of the
  results it would replace (other tenants of the host slow every instruction while the load
  average stays low), and refuses to record results otherwise, unless told to
  (`BENCH_ALLOW_LOAD=1`, `--allow-load`); such results are marked "measured under load, not for
  comparison".
- **Between builds**: after each build the runner waits for what the build left running in
  the background (Topicfeed empties the site it replaced into the next build's folders, or
  makes those folders from a new site) and flushes the disk (`sync`), for every system, so no
  build is measured beside the last one's writeback; each size's load sentence gives the
  longest wait. Results stored before 2026-12-05 afternoon did not wait: their rebuilds ran
  beside the previous build's writeback (the first rebuild after a cold build most of all).
- **Host speed**: neither the load average nor the disk's pressure shows a host slowed by its
  other tenants, which made identical builds here take up to 1.5 times the CPU time a few hours
  apart. Before each round the runner also times a fixed Python loop in CPU time (best of 5,
  `bench/host_speed.py`) and, from 2026-12-06 afternoon, what one page fault costs (writing to
  32 MB of fresh memory; on that day it went from about 6 to about 50 us within an hour, while
  the loop read alike, and Topicfeed's forks and Pagefind fault far more than plain Pelican or
  Hugo). Each size's load sentence gives both: compare results whose probes are alike.
- **Same site?** Each size lists the outputs' file counts and bytes per published item: the
  three sites are alike, not equal (Topicfeed adds related stories, source pages, JSON Feed,
  sitemaps and a Pagefind search index).
- **Size on GitHub Pages**: each cold output is also measured as GitHub Pages receives it
  (`bench/pages_artifact.py`): the tar that `actions/upload-pages-artifact` makes and that tar
  compressed at zlib level 6, as `actions/upload-artifact` stores it. `actions/deploy-pages`
  warns when the stored artifact is over 1 GiB; GitHub's documentation says only that a
  published site "may be no larger than 1 GB", so the 1 GB target is shown both ways.
- **Variants**: Topicfeed built with other settings (`python -m bench.run --topicfeed-setting
  NAME=JSON --results bench/results/variants/NAME`, for example `MEMORY_BUDGET_MB=2000`) is shown
  in a section of its own, and its 100,000-item targets in rows of their own, under its settings.
"""


#: How the profile section names each profiled build (``bench/profile_build.py --scenario``).
PROFILE_SCENARIOS = {
    "cold": "cold",
    "changed": "one item changed",
    "added": "one item added",
    "unpublished": "one item unpublished",
}


def profile_section(directory: Path, systems: Mapping[str, Labelled]) -> list[str]:
    """The stored profiles (``bench/profile_build.py``): phase shares and top self times."""
    profiles = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("profile-*.json"))]
    if not profiles:
        return []
    order = list(PROFILE_SCENARIOS)
    profiles.sort(
        key=lambda p: (p["size"], p["system"] != "topicfeed", order.index(p.get("scenario", "cold")))
    )
    lines = [
        "## Where the time goes (profiles)",
        "",
        "py-spy samples of one build each (shares of the build; phases overlap, a `-` marks a "
        "part of the phase above): a cold build in the build process, a rebuild in all its "
        "processes (the forked API writer and page renderers too). Regenerate with "
        "`make bench-profile` (`BENCH_PROFILE_SIZE=10000`, `BENCH_PROFILE_SCENARIO=changed`).",
        "",
    ]
    for profile in profiles:
        label = systems[profile["system"]].label
        scenario = PROFILE_SCENARIOS[profile.get("scenario", "cold")]
        processes = ", all processes" if profile.get("processes") == "all" else ""
        variant = f", with `{settings_label(profile)}`" if profile.get("topicfeed_settings") else ""
        load = profile.get("load")
        measured = f"Measured {profile['date']} at commit {profile['commit']}"
        if load is not None:
            measured += f", 1-minute load {load:.2f} before it"
        lines += [
            f"### {label}, {profile['size']:,} items, {scenario}{variant} "
            f"({profile['seconds']} s sampled{processes})",
            "",
            f"{measured}: `{profile['command']}`",
            "",
            "| phase | share |",
            "| --- | --- |",
            *(f"| {phase} | {share:.1f}% |" for phase, share in profile["phases"] if share >= 0.1),
            "",
            "Top self time: "
            + "; ".join(f"`{name.split('  ')[0]}` {share:.1f}%" for name, share in profile["self"][:10])
            + ".",
            "",
        ]
    return lines


def render(results: Mapping[int, Result], directory: Path | None, systems: Mapping[str, Labelled]) -> str:
    lines = [HEADER.rstrip(), ""]
    busy = [size for size, result in sorted(results.items()) if under_load(result)]
    if busy:
        every = "None of the results below was" if len(busy) == len(results) else "Not every result below was"
        lines += [
            f"> **{every} measured on an idle machine** (under load: "
            f"{', '.join(f'{size:,}' for size in busy)} items): read them as rough, not for comparison, "
            "until `make bench` is run on an idle machine.",
            "",
        ]
    variants = load_variants(directory)
    lines += [*targets_section(results, variants), ""]
    for size in sorted(results):
        lines += [*size_section(results[size], systems), ""]
    lines += variant_sections(variants, systems)
    if directory is not None:
        lines += profile_section(directory, systems)
    return "\n".join(lines).rstrip() + "\n"


def load_results(directory: Path) -> dict[int, Result]:
    """The stored benchmark results, ``N.json`` per size."""
    results = {}
    for path in sorted(directory.glob("[0-9]*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[int(data["size"])] = data
    return results
