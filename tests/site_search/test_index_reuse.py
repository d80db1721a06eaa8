"""site_search keeps the previous index only when the writer says no page changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topicfeed.build import Build, RenderStats
from topicfeed.site_search.plugin import reuse_previous_index


@pytest.fixture
def build(tmp_path: Path) -> Build:
    output, target = tmp_path / "site", tmp_path / ".site.building"
    (output / "pagefind" / "fragment").mkdir(parents=True)
    (output / "pagefind" / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    (output / "pagefind" / "fragment" / "en_1.pf_fragment").write_bytes(b"\x00\x01")
    target.mkdir()
    return Build(settings={}, output=output, target=target)


def test_an_unchanged_site_links_the_previous_index_in(build: Build) -> None:
    build.render = RenderStats(rendered=0, reused=10, site_unchanged=True)
    assert reuse_previous_index(build, "pagefind")
    for name in ("pagefind-entry.json", "fragment/en_1.pf_fragment"):
        new, old = build.target / "pagefind" / name, build.output / "pagefind" / name
        assert new.read_bytes() == old.read_bytes()
        assert os.path.samefile(new, old)  # a hard link: nothing copied


@pytest.mark.parametrize(
    "render", [None, RenderStats(rendered=1, reused=9), RenderStats(rendered=0, reused=10)], ids=str
)
def test_anything_else_indexes_again(build: Build, render: RenderStats | None) -> None:
    if render is not None:
        build.render = render
    assert not reuse_previous_index(build, "pagefind")
    assert not (build.target / "pagefind").exists()


def test_without_a_staging_folder_there_is_nothing_to_reuse(build: Build) -> None:
    build.render = RenderStats(site_unchanged=True)
    build.target = build.output
    assert not reuse_previous_index(build, "pagefind")
