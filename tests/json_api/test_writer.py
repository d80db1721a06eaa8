"""The API's file writer: folders made when missing, and a document linked by the digest of its
inputs only when the previous file is the one recorded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topicfeed.json_api.writer import Writer

ITEM = "api/news/2024/03/02/story-1/index.json"


def first_build(tmp_path: Path) -> Writer:
    """A build into ``old`` that wrote one item document with inputs' digest ``k1``."""
    writer = Writer(tmp_path / "old", tmp_path / "old", tmp_path / "site.api.json")
    (tmp_path / "old").mkdir()
    writer.write(ITEM, b'{"title":"One"}\n', key="k1")
    writer.save()
    return writer


@pytest.mark.parametrize("existing", [False, True])
def test_files_are_written_in_missing_folders_whatever_the_target_holds(
    tmp_path: Path, existing: bool
) -> None:
    """A fresh target, or one holding an API folder already (the output step left it): every
    document lands, its folders made when missing."""
    target = tmp_path / "new"
    target.mkdir()
    if existing:
        (target / "api/news/2024").mkdir(parents=True)  # some folders there, not all
    writer = Writer(target, tmp_path / "none")
    writer.write(ITEM, b"{}\n")
    writer.write("api/sources/a/page/2/index.json", b"[]\n")
    assert (target / ITEM).read_bytes() == b"{}\n"
    assert (target / "api/sources/a/page/2/index.json").read_bytes() == b"[]\n"


def test_a_document_with_its_recorded_inputs_is_linked_unencoded(tmp_path: Path) -> None:
    first_build(tmp_path)
    (tmp_path / "new").mkdir()
    writer = Writer(tmp_path / "new", tmp_path / "old", tmp_path / "site.api.json")
    assert not writer.reuse(ITEM, "k2")  # other inputs: encode it
    assert writer.reuse(ITEM, "k1")
    assert os.path.samefile(tmp_path / "new" / ITEM, tmp_path / "old" / ITEM)
    assert writer.written == {ITEM: len(b'{"title":"One"}\n')} and writer.reused == 1
    writer.save()
    again = Writer(tmp_path / "newer", tmp_path / "new", tmp_path / "site.api.json")
    assert again.old[ITEM][3] == "k1"  # the record keeps the digest for the next build


def test_a_previous_file_changed_by_hand_is_not_linked(tmp_path: Path) -> None:
    first_build(tmp_path)
    old = tmp_path / "old" / ITEM
    recorded = old.stat().st_mtime_ns
    old.write_bytes(b'{"title":"Two"}\n')  # edited by hand: same size, another mtime
    os.utime(old, ns=(recorded + 1_000_000_000, recorded + 1_000_000_000))
    (tmp_path / "new").mkdir()
    writer = Writer(tmp_path / "new", tmp_path / "old", tmp_path / "site.api.json")
    assert not writer.reuse(ITEM, "k1")
    writer.write(ITEM, b'{"title":"One"}\n', key="k1")
    assert (tmp_path / "new" / ITEM).read_bytes() == b'{"title":"One"}\n'
