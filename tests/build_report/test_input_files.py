"""The report lists every input file once, relative, in walk order, without the ignored ones."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

from topicfeed.build_report.plugin import _input_files


def by_paths(root: Path, ignored: list[str]) -> list[str]:
    """The listing as the report first made it: a ``Path`` per file, each pattern by ``fnmatch``."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in ignored))
        for name in sorted(files):
            if not any(fnmatch.fnmatch(name, p) for p in ignored):
                found.append(Path(folder, name).relative_to(root).as_posix())
    return found


NAMES = [
    "a.md",
    "b.txt",
    ".#draft.md",
    "#notes#",
    "sub/c.txt",
    "sub/.#d.txt",
    "sub/deeper/e f [1].md",
    "sub/deeper/é.txt",
    ".#skipped/inside.md",
    "images/logo.png",
    "images/.hidden",
    "x.tmp",
    "tmp-folder.tmp/y.md",
]


@pytest.mark.parametrize(
    "ignored",
    [[], [".#*"], [".#*", "*.tmp"], ["[ab].*"], ["*"], ["sub"], ["?.txt", "images"]],
)
def test_the_same_files_in_the_same_order_as_by_paths(
    tmp_path: Path, ignored: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "content"
    for name in NAMES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    expected = by_paths(root, ignored)
    assert _input_files(root, {"IGNORE_FILES": ignored}) == expected
    # the content path as Pelican may give it: relative to the working folder, or with a "/"
    monkeypatch.chdir(tmp_path)
    assert _input_files(Path("content"), {"IGNORE_FILES": ignored}) == expected
    assert _input_files(Path(f"{root}/"), {"IGNORE_FILES": ignored}) == expected


def test_the_ignored_names_are_left_out(tmp_path: Path) -> None:
    for name in ("a.md", ".#a.md", "sub/.#b.md", "sub/b.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert _input_files(tmp_path, {"IGNORE_FILES": [".#*"]}) == ["a.md", "sub/b.md"]
