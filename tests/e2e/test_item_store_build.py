"""Whole builds with the news item store: only changed files are parsed, and the site is the same."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.build import DATA, Build, run_pelican, tree

_COUNTS = re.compile(r"news items: (\d+) parsed, (\d+) from the item store")


def build(content: Path, output: Path, cache: Path, **extra: object) -> tuple[Build, tuple[int, int]]:
    # The unchanged-build skip and the rebuild from the model off: these builds are about what
    # Pelican's reading parses.
    settings = {"CACHE_PATH": str(cache), "SKIP_UNCHANGED_BUILD": False, "REBUILD_FROM_MODEL": False, **extra}
    result = run_pelican(content, output, extra=settings, options=("-v",))
    assert result.returncode == 0, result.log
    (counts,) = _COUNTS.findall(result.log)
    return result, (int(counts[0]), int(counts[1]))


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(DATA / "seeds", folder)
    return folder


def test_only_changed_files_are_parsed_and_the_site_equals_a_fresh_build(
    content: Path, tmp_path: Path
) -> None:
    cache, output = tmp_path / "cache", tmp_path / "site"
    total = len(list(content.glob("*.txt")))
    _, counts = build(content, output, cache)
    assert counts == (total, 0)
    site = tree(output)

    _, counts = build(content, output, cache)
    assert counts == (0, total), "nothing changed: nothing is parsed"
    assert tree(output) == site

    edited = next(p for p in sorted(content.glob("*.txt")) if "published: false" not in p.read_text("utf-8"))
    text = edited.read_text(encoding="utf-8")
    assert "\nexcerpt:" in text
    edited.write_text(text.replace("\nexcerpt:", "\nexcerpt: Edited.", 1), encoding="utf-8")
    _, counts = build(content, output, cache)
    assert counts == (1, total - 1), "only the edited file is parsed"
    assert tree(output) != site

    fresh, counts = build(content, tmp_path / "fresh", tmp_path / "no-store", NEWS_ITEM_STORE=False)
    assert counts == (0, 0)
    assert tree(output) == tree(fresh.output), "a build from the store equals a build without it"


def test_a_damaged_store_is_rebuilt(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, (total, _) = build(content, tmp_path / "site", cache)
    (pack,) = cache.rglob("*.pack")
    pack.write_bytes(pack.read_bytes()[:100])
    (pack.parent / ".pack.stray.tmp").write_bytes(b"half a pack")
    _, counts = build(content, tmp_path / "site", cache)
    assert counts == (total, 0)
    _, counts = build(content, tmp_path / "site", cache)
    assert counts == (0, total)


def test_two_builds_at_once_share_the_store_safely(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda name: build(content, tmp_path / name, cache), ["a", "b"]))
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    _, counts = build(content, tmp_path / "c", cache)
    assert counts == (0, runs[0][1][0] + runs[0][1][1]), "every record the two builds wrote is whole"
    assert tree(tmp_path / "c") == tree(tmp_path / "a")
    assert not list(cache.rglob("*.tmp"))
