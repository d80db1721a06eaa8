"""The profile tool's phases and its section of BENCHMARKS.md, for cold builds and rebuilds.

A rebuild is sampled in every process of the build: the samples of a forked process carry the
build's frames up to the fork, while a thread's and the site-emptying process's do not, and
must not be counted as start-up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import profile_build, report, run

ROOT = 'process 1:"python -m pelican"'
RUN = f"{ROOT};<module> (pelican/__main__.py:1);main (pelican/__init__.py:633);Pelican.run (pelican/__init__.py:92)"
FEEDS = "ArticlesGenerator.generate_output (pelican/generators.py:878);SiteWriter.write_feed (topicfeed/fast_writer/writer.py:164)"
DIGEST = "SiteWriter._feed_key (topicfeed/fast_writer/writer.py:144);Fingerprinter.digest (topicfeed/fast_writer/fingerprint.py:219)"

STACKS = "\n".join(
    [
        f"{ROOT};_run_module_as_main (<frozen runpy>:173);_find_and_load (<frozen importlib._bootstrap>:1165) 10",
        f"{RUN};{FEEDS};{DIGEST} 30",
        f"{RUN};{FEEDS} 5",
        f'{RUN};_articles_ready (topicfeed/plugin.py:154);process 2:"child";_child (topicfeed/forked.py:55);write_api (topicfeed/json_api/plugin.py:263) 20',
        f"{ROOT};Thread._bootstrap (threading.py:995);IndexWork.run (topicfeed/site_search/indexer.py:170) 7",
        f'{ROOT};process 3:"recycle";<module> (topicfeed/atomic_output/clear.py:1);recycle (topicfeed/atomic_output/clear.py:48);empty (topicfeed/atomic_output/clear.py:24) 4',
        f"{ROOT};Thread._bootstrap (threading.py:995);Condition.wait (threading.py:288) 50",
    ]
)


def test_a_rebuilds_samples_go_to_their_phases() -> None:
    total, inclusive, own, phases = profile_build.parse(STACKS)
    assert total == 76  # the sleeping thread is left out
    assert phases["- feeds (write_feed)"] == 35  # Topicfeed's writer, as well as Pelican's
    assert phases["page and feed keys: digests (Fingerprinter.digest)"] == 30
    assert phases["JSON API (write_api; forked from 1,000 items)"] == 20
    assert phases["search index (IndexWork.run, a thread)"] == 7
    assert phases["emptying the replaced site (recycle, a process)"] == 4
    assert phases["start-up: imports, settings, plugins (outside Pelican.run)"] == 10
    assert own["empty  topicfeed/atomic_output/clear.py:24"] == 4
    assert inclusive["Pelican.run  pelican/__init__.py:92"] == 55


def test_the_report_names_each_profiled_build_and_its_load(tmp_path: Path) -> None:
    common = {"size": 10_000, "system": "topicfeed", "date": "2026-12-01 00:00 UTC", "commit": "abc1234"}
    phases = [["read all files (Readers.read_file)", 15.2]]
    profiles = {
        "profile-topicfeed-changed-10000.json": {
            **common,
            "scenario": "changed",
            "processes": "all",
            "load": 0.42,
            "command": "python -m bench.profile_build --size 10000 --scenario changed",
            "seconds": 9.5,
            "phases": phases,
            "self": [["Fingerprinter._digest  topicfeed/fast_writer/fingerprint.py:238", 5.6]],
        },
        "profile-topicfeed-10000.json": {  # stored before rebuilds were profiled: no scenario, no load
            **common,
            "command": "python -m bench.profile_build --size 10000",
            "seconds": 15.2,
            "phases": phases,
            "self": [["write_page  topicfeed/fast_writer/render.py:87", 3.4]],
        },
    }
    for name, profile in profiles.items():
        (tmp_path / name).write_text(json.dumps(profile), encoding="utf-8")
    text = "\n".join(report.profile_section(tmp_path, run.SYSTEMS))
    cold = text.index("### Topicfeed, 10,000 items, cold (15.2 s sampled)")
    changed = text.index("### Topicfeed, 10,000 items, one item changed (9.5 s sampled, all processes)")
    assert cold < changed
    assert "1-minute load 0.42 before it" in text[changed:]
    assert "load" not in text[cold:changed]
    assert "`Fingerprinter._digest` 5.6%" in text[changed:]


def test_a_variants_profile_is_named_after_its_settings_and_says_them(tmp_path: Path) -> None:
    """A profile with ``--topicfeed-setting`` never overwrites the default build's, and its
    report heading and command name the setting."""
    raw = tmp_path / "stacks.txt"
    raw.write_text(STACKS + "\n", encoding="utf-8")
    common = ["--raw", str(raw), "--size", "10000", "--scenario", "added", "--results", str(tmp_path)]
    report_path = tmp_path / "BENCHMARKS.md"
    assert profile_build.main([*common, "--report", str(report_path)]) == 0
    budget = ["--topicfeed-setting", "MEMORY_BUDGET_MB=2000"]
    assert profile_build.main([*common, *budget, "--report", str(report_path)]) == 0
    default = json.loads((tmp_path / "profile-topicfeed-added-10000.json").read_text(encoding="utf-8"))
    variant = json.loads(
        (tmp_path / "profile-topicfeed-added-memory-budget-mb-2000-10000.json").read_text(encoding="utf-8")
    )
    assert default["topicfeed_settings"] == {}
    assert variant["topicfeed_settings"] == {"MEMORY_BUDGET_MB": 2000}
    assert variant["command"].endswith("--scenario added --topicfeed-setting MEMORY_BUDGET_MB=2000")
    text = report_path.read_text(encoding="utf-8")
    assert "### Topicfeed, 10,000 items, one item added (0.8 s sampled" in text
    assert "### Topicfeed, 10,000 items, one item added, with `MEMORY_BUDGET_MB=2000` (0.8 s sampled" in text


def test_every_build_of_a_variants_profile_gets_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cold build and the earlier rebuilds too: a profile of a rebuild after default builds
    would profile a different site state."""
    commands: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: object) -> object:
        commands.append(list(command))
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr(profile_build.subprocess, "run", fake_run)
    monkeypatch.setattr(profile_build.run, "wait_for_quiet", lambda *a, **k: 0.1)
    monkeypatch.setattr(profile_build.run, "CHANGES", {name: lambda *a: None for name in run.CHANGES})
    monkeypatch.setattr(profile_build.os, "sync", lambda: None)
    args = profile_build.argparse.Namespace(
        rate=100, max_load=1.0, allow_load=True, load_wait=1.0, topicfeed_settings={"MEMORY_BUDGET_MB": 2000}
    )
    system = run.SYSTEMS["topicfeed"]
    profile_build.record_rebuild(system, tmp_path, {}, "unpublished", tmp_path / "raw.txt", args)
    profile_build.record(system, tmp_path, tmp_path / "raw.txt", 100, args.topicfeed_settings)
    assert len(commands) == 5  # cold, changed, added, the profiled unpublished; a cold profile
    for command in commands:
        assert "MEMORY_BUDGET_MB=2000" in command, command
