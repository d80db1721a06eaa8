"""Unchanged search bundles are hard-linked into the new site, by ``cp -al`` where it exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topicfeed.site_search import indexer


def bundle(root: Path) -> Path:
    for name in ("pagefind.js", "fragment/en_1.pf_fragment", "index/en_2.pf_index", "filter/a/b.pf"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(name.encode())
    return root


@pytest.fixture(params=["cp", "python"])
def linker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "cp" and indexer._GNU_CP is None:
        pytest.skip("no GNU cp here")
    if request.param == "python":
        monkeypatch.setattr(indexer, "_GNU_CP", None)
    return str(request.param)


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("recycled", [False, True])
def test_every_file_is_linked_into_the_new_bundle(tmp_path: Path, linker: str, recycled: bool) -> None:
    old = bundle(tmp_path / "site" / "pagefind" / "2024")
    new = tmp_path / "building" / "pagefind" / "2024"
    if recycled:  # the emptied folders of the site before, as the output step recycles them
        (new / "fragment").mkdir(parents=True)
        (new / "filter" / "a").mkdir(parents=True)
    indexer.link_tree(old, new)
    assert files(new) == files(old)
    for name in files(old):
        assert os.path.samefile(new / name, old / name)  # linked, not copied
    assert not (new / "2024").exists()  # the contents, not the folder inside itself


def test_a_file_in_the_way_is_an_error_and_the_old_bundle_is_left_alone(tmp_path: Path, linker: str) -> None:
    old = bundle(tmp_path / "site" / "pagefind" / "2024")
    new = tmp_path / "building" / "pagefind" / "2024"
    (new / "index").mkdir(parents=True)
    (new / "index" / "en_2.pf_index").write_bytes(b"other")
    with pytest.raises(OSError):
        indexer.link_tree(old, new)
    assert (old / "index" / "en_2.pf_index").read_bytes() == b"index/en_2.pf_index"
