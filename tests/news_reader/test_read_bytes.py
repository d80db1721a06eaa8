"""FileParser.read_bytes: a news file's bytes exactly as stored, never more than one past the limit."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from pelican.settings import DEFAULT_CONFIG

from topicfeed.news_reader.reader import FileParser
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply

CONTENTS = {
    "crlf.txt": b"---\r\ntitle: x\r\n---\r\n",
    "binary.txt": bytes(range(256)) * 3,
    "empty.txt": b"",
    "big.txt": b"y" * 70_000,
}


def parser(tmp_path: Path, max_bytes: int) -> FileParser:
    settings = {**copy.deepcopy(DEFAULT_CONFIG), "PATH": str(tmp_path), "NEWS_MAX_FILE_BYTES": max_bytes}
    apply(settings, SETTINGS)
    return FileParser(settings)


@pytest.mark.parametrize("max_bytes", [1, 100, 69_999, 70_000, 1_000_000])
@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_the_bytes_as_stored_up_to_one_past_the_limit(tmp_path: Path, name: str, max_bytes: int) -> None:
    path = tmp_path / name
    path.write_bytes(CONTENTS[name])
    assert parser(tmp_path, max_bytes).read_bytes(str(path)) == CONTENTS[name][: max_bytes + 1]


def test_what_cannot_be_read_raises_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(OSError) as folder:
        parser(tmp_path, 100).read_bytes(str(tmp_path / "folder.txt"))
    assert folder.value.strerror == "Is a directory"
    with pytest.raises(FileNotFoundError):
        parser(tmp_path, 100).read_bytes(str(tmp_path / "missing.txt"))
