"""The test suite keeps its own rules: tests import helpers from ``support`` only, never another
test module or ``conftest``; test file names are unique across the tree; nothing edits the import
path; and the data every test reads ships in ``tests/data`` (a plain clone runs the whole suite).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from support.build import CORPUS, ROOT, SEEDS

TESTS = ROOT / "tests"


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)


def imported_modules(tree: ast.AST) -> list[str]:
    """Every module an ``import`` or ``from ... import`` names (relative imports as ``.name``)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_no_test_imports_another_test_or_conftest() -> None:
    offenders = []
    for path in python_files():
        for module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.lstrip(".").split(".")
            if any(part == "conftest" or part.startswith("test_") for part in parts):
                offenders.append(f"{path.relative_to(ROOT)}: imports {module}")
    assert offenders == []


def test_test_file_names_are_unique() -> None:
    names = Counter(p.name for p in python_files() if p.name.startswith("test_"))
    assert [name for name, count in names.items() if count > 1] == []


def test_nothing_edits_the_import_path() -> None:
    """``pythonpath`` in pyproject.toml is the one place that sets it (``plugins``, ``tests``)."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "path"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_test_reads_data_from_outside_the_repository() -> None:
    offenders = []
    for path in python_files():
        if path == Path(__file__).resolve():
            continue  # names what it looks for
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value == "shared" or "../shared" in node.value or "TOPICFEED_SHARED" in node.value:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_the_data_ships_in_the_repository() -> None:
    for folder in (CORPUS, SEEDS):
        assert folder.resolve().is_relative_to(TESTS / "data"), folder
    corpus = sorted(CORPUS.iterdir())
    assert len(corpus) == 674
    assert {p.suffix for p in corpus} == {".md"}
    assert sorted(p.name for p in SEEDS.iterdir()) == [
        "000_4fa83164fd554a3a.txt",
        "001_7073746209a4ecbb.txt",
        "002_a1a0f50df8a809a5.txt",
        "003_3d488232a6b75eee.txt",
        "004_e6839a851025465e.txt",
    ]
