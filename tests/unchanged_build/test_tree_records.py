"""The content files' records: the keys, order and skips of a plain walk with ``relpath`` and
``fnmatch`` per file, which ``tree_records`` does with less work per file."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from topicfeed import build_inputs as inputs

IGNORE = ["*.swp", ".#*", "draft?", "[_]*"]


def reference(root: Path, ignore: list[str], prefix: str) -> list[tuple[str, int]]:
    """Keys and sizes, in order, as the walk with a ``relpath`` and an ``fnmatch`` per name gave them."""
    found: list[tuple[str, int]] = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(
            d for d in dirs if d != "__pycache__" and not any(fnmatch.fnmatch(d, p) for p in ignore)
        )
        for name in sorted(files):
            if any(fnmatch.fnmatch(name, p) for p in ignore) or name.endswith(".pyc"):
                continue
            path = os.path.join(folder, name)
            found.append((prefix + os.path.relpath(path, root).replace(os.sep, "/"), os.stat(path).st_size))
    return found


def make_tree(root: Path) -> None:
    names = [
        "a.md", "b.txt", "a.md.swp", ".#a.md", "draft1", "drafts/x.md", "_skip/y.md", "z.pyc",
        "news/2024/one.md", "news/2024/.hidden.md", "news/.dot/two.md", "news/__pycache__/m.md",
        "news/Ünïcode name.md", "news/draft2/three.md", "news/2024/b/c/d/deep.md", "news/x[1].md",
    ]  # fmt: skip
    for index, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x" * (index + 1), encoding="utf-8")
    (root / "linked").symlink_to(root / "news" / "2024", target_is_directory=True)


def test_the_records_are_a_plain_walks(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_tree(root)
    for ignore in (IGNORE, []):
        records = inputs.tree_records(root, ignore=ignore, prefix="content/")
        assert [(key, record[0]) for key, record in records.items()] == reference(root, ignore, "content/")
    assert "content/linked/one.md" in records  # links are followed, as Pelican reads
    assert "content/news/2024/b/c/d/deep.md" in records


def test_the_root_itself_gives_bare_names(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    assert list(inputs.tree_records(tmp_path)) == ["a.md"]
    assert list(inputs.tree_records(tmp_path, prefix="theme/")) == ["theme/a.md"]
