"""A build within MEMORY_BUDGET_MB starts fewer processes and writes the same site."""

from __future__ import annotations

from pathlib import Path

from support.build import CORPUS, Build, run_pelican, tree

#: Every step that can fork made to want to, on the corpus (fewer items than forking needs).
FORKING = {"API_FORK_MIN_ITEMS": 0, "RENDER_PROCESSES": 2}


def test_a_tight_budget_forks_nothing_and_changes_no_byte(corpus_site: Build, tmp_path: Path) -> None:
    tight = run_pelican(
        CORPUS, tmp_path / "tight", extra={**FORKING, "MEMORY_BUDGET_MB": 1}, options=("--verbose",)
    )
    assert tight.returncode == 0, tight.log
    assert "json_api: 0 extra process(es) instead of 1" in tight.log
    assert "page renderers: 0 extra process(es) instead of 1" in tight.log
    assert "(forked process, beside the pages)" not in tight.log
    assert tree(tight.output) == tree(corpus_site.output)


def test_a_budget_with_room_forks_as_usual(tmp_path: Path) -> None:
    roomy = run_pelican(
        CORPUS, tmp_path / "roomy", extra={**FORKING, "MEMORY_BUDGET_MB": 1_000_000}, options=("--verbose",)
    )
    assert roomy.returncode == 0, roomy.log
    assert "(forked process, beside the pages)" in roomy.log
    assert "extra process(es) instead of" not in roomy.log


def test_the_default_budget_forks_as_usual_where_the_machine_has_room(
    corpus_site: Build, tmp_path: Path
) -> None:
    """``"auto"``, the default: on a machine with gigabytes free, nothing is held back."""
    auto = run_pelican(
        CORPUS, tmp_path / "auto", extra={**FORKING, "MEMORY_BUDGET_MB": "auto"}, options=("--verbose",)
    )
    assert auto.returncode == 0, auto.log
    assert "(forked process, beside the pages)" in auto.log
    assert "extra process(es) instead of" not in auto.log
    assert tree(auto.output) == tree(corpus_site.output)
