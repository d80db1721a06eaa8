"""A rebuild's Pagefind run starts from stand-ins for the last bundle's fragments.

Real Pagefind (the pinned ``pagefind_bin``) on a few dozen search documents: run into a folder
holding an empty stand-in for each of the last bundle's fragments, it writes only the new ones,
and once the stand-ins its new meta index does not name are removed and the others replaced by
the last site's files, the bundle is byte for byte the one a run into an empty folder makes.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from support.build import tree

from topicfeed.site_search import indexer, prefill
from topicfeed.site_search.indexer import IndexWork, ShardedIndexing, place_bundle, write_documents
from topicfeed.site_search.plugin import run_pagefind, start_pagefind
from topicfeed.site_search.shards import SearchPage, plan_shards
from topicfeed.site_search.stable import UnknownShape, stabilise

WORDS = "solar grid battery storage wind turbine offshore hydrogen policy market price".split()


def pages(changed: str = "") -> list[SearchPage]:
    """Forty stories of March 2024; the first one's excerpt ends with ``changed``."""
    made = []
    for n in range(40):
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(8))
        excerpt = f"Story {n} is about {words}.{changed if n == 0 else ''}"
        document = (
            '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Story</title></head>\n'
            f"<body><main data-pagefind-body>\n<h1>Story {n}: {WORDS[n % len(WORDS)]}</h1>\n"
            f'<p>{excerpt}</p>\n<span data-pagefind-filter="topic:{WORDS[n % 3]}"></span>\n'
            f'<span data-pagefind-meta="date:2024-03-{n % 28 + 1:02d}"></span>\n</main></body>\n</html>\n'
        )
        made.append(SearchPage("2024-03", f"2024/03/{n:02d}/", f"2024/03/{n:02d}/index.html", document))
    return made


def indexed(tmp_path: Path, name: str, documents: list[SearchPage]) -> tuple[Path, Path]:
    """The documents written under ``tmp_path/name`` and Pagefind's bundle of them made there."""
    folder = tmp_path / name / "documents"
    write_documents(folder, documents)
    bundle = tmp_path / name / "bundle"
    assert run_pagefind(folder, bundle).returncode == 0
    return folder, bundle


def test_a_run_from_the_last_bundle_writes_what_a_run_from_nothing_writes(tmp_path: Path) -> None:
    _, last = indexed(tmp_path, "last", pages())
    documents, fresh = indexed(tmp_path, "fresh", pages(" Edited."))
    bundle = tmp_path / "prefilled"
    stand_ins = prefill.prefill(bundle, last)
    assert len(stand_ins) == 40 and all(name.startswith("fragment/") for name in stand_ins)
    assert run_pagefind(documents, bundle).returncode == 0
    from_last = prefill.settle(bundle, stand_ins)
    # Pagefind wrote none of the stand-ins it still names (each is still empty), and the
    # edited story's old fragment is gone.
    assert len(from_last) == 39 and all((bundle / name).stat().st_size == 0 for name in from_last)
    assert [p.name for p in (bundle / "fragment").iterdir() if p.stat().st_size] == [
        name.removeprefix("fragment/") for name in prefill.named(bundle) - from_last
    ]
    # Pagefind writes its filters and meta index in an order of its own each run.
    assert stabilise(bundle) and stabilise(fresh)
    placed = tmp_path / "site"
    assert place_bundle(bundle, placed, last, from_last) >= 39
    assert tree(placed) == tree(fresh)
    assert all(os.path.samefile(placed / name, last / name) for name in from_last)


def test_the_fragments_named_are_the_bundles_fragments(tmp_path: Path) -> None:
    _, bundle = indexed(tmp_path, "one", pages())
    on_disk = {name for name in tree(bundle) if name.startswith("fragment/")}
    assert prefill.named(bundle) == on_disk and len(on_disk) == 40


def test_a_meta_index_that_names_a_missing_fragment_is_refused(tmp_path: Path) -> None:
    _, bundle = indexed(tmp_path, "one", pages())
    next(iter(sorted((bundle / "fragment").iterdir()))).unlink()
    with pytest.raises(UnknownShape, match="named but not there"):
        prefill.settle(bundle, set())


def test_a_stand_in_whose_last_file_is_gone_is_not_placed(tmp_path: Path) -> None:
    _, last = indexed(tmp_path, "last", pages())
    documents, _ = indexed(tmp_path, "fresh", pages(" Edited."))
    bundle = tmp_path / "prefilled"
    stand_ins = prefill.prefill(bundle, last)
    assert run_pagefind(documents, bundle).returncode == 0
    from_last = prefill.settle(bundle, stand_ins)
    (last / min(from_last)).unlink()
    with pytest.raises(FileNotFoundError):
        place_bundle(bundle, tmp_path / "site", last, from_last)


def _index_as_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, documents: list[SearchPage], last: bool
) -> tuple[Path, object, list[Path]]:
    """Index ``documents`` as a build does, into ``tmp_path/name``: a rebuild (``last``: in
    memory, the last site's bundle of ``pages()`` beside) or a fresh build. The bundle made,
    the outcome, and the folders of the Pagefind runs it took."""
    memory = tmp_path / "memory"
    memory.mkdir(exist_ok=True)
    monkeypatch.setattr(indexer, "MEMORY_FOLDER", memory)
    monkeypatch.setattr(indexer, "scratch_folder", lambda: memory)
    runs: list[Path] = []

    def start(site: Path, bundle: Path):
        runs.append(bundle)
        return start_pagefind(site, bundle)

    (shard,) = plan_shards(documents, 16, 1000)
    previous = None
    if last:
        previous = tmp_path / name / "last-site" / "pagefind"
        shutil.copytree(indexed(tmp_path, f"{name}-last", pages())[1], previous / shard.name)
    site = tmp_path / name / "site"
    outcome = ShardedIndexing(IndexWork(site, "pagefind", [shard], None, start, last=previous), 120).finish()
    assert outcome.complete, outcome.messages
    return site / "pagefind" / shard.name, outcome, runs


def test_a_rebuild_indexes_one_changed_story_from_the_last_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[tuple[int, int]] = []

    def settle(bundle: Path, stand_ins: set[str]) -> set[str]:
        kept = prefill.settle(bundle, stand_ins)
        settled.append((len(stand_ins), len(kept)))
        return kept

    monkeypatch.setattr(indexer, "settle", settle)
    made, outcome, runs = _index_as_a_build(tmp_path, monkeypatch, "rebuild", pages(" Edited."), last=True)
    fresh, _, _ = _index_as_a_build(tmp_path, monkeypatch, "fresh", pages(" Edited."), last=False)
    assert tree(made) == tree(fresh)
    assert len(runs) == 1
    # The run started from stand-ins for the last bundle's 40 fragments; all but the edited
    # story's old one were the last site's files.
    assert settled == [(40, 39)]
    assert not [text for level, text in outcome.messages if level >= logging.WARNING]


def test_a_meta_index_it_cannot_read_makes_the_bundle_again_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(bundle: Path) -> set[str]:
        raise UnknownShape("a shape of another Pagefind")

    monkeypatch.setattr(prefill, "named", unreadable)
    made, outcome, runs = _index_as_a_build(tmp_path, monkeypatch, "rebuild", pages(" Edited."), last=True)
    fresh, _, _ = _index_as_a_build(tmp_path, monkeypatch, "fresh", pages(" Edited."), last=False)
    assert len(runs) == 2
    assert [text for level, text in outcome.messages if level == logging.WARNING] == [
        "search: cannot tell which of the last index's files pagefind/2024-03 still uses "
        "(a shape of another Pagefind); indexed again from nothing"
    ]
    assert tree(made) == tree(fresh)
