"""FileParser.relative: the path problems and records name is ``os.path.relpath``'s, also when it is
cut from the path as a prefix (the paths Pelican gives the reader)."""

from __future__ import annotations

import copy
import itertools
import os

import pytest
from pelican.settings import DEFAULT_CONFIG

from topicfeed.news_reader.reader import FileParser
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply

BASES = [
    "/site/content", "/site/content/", "/", "content", "/site/./content", "/site/.content", "/w/.bench/news",
]  # fmt: skip
UNDER = [
    "news/2024-05-02-a.md",
    "a.md",
    "news/./a.md",
    "news/../a.md",
    "news//a.md",
    ".hidden/a.md",
    "news/.a.md",
    "news/a.md/",
    "../other/a.md",
    "",
]


def parser(base: str) -> FileParser:
    settings = {**copy.deepcopy(DEFAULT_CONFIG), "PATH": base}
    apply(settings, SETTINGS)
    return FileParser(settings)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("under", UNDER)
def test_relative_is_relpaths_answer(base: str, under: str) -> None:
    absolute = os.path.join(os.path.abspath(base), under)
    for path in (absolute, os.path.join(base, under), "/elsewhere/" + under):
        assert parser(base).relative(path) == os.path.relpath(path, base), path


def test_without_a_base_the_path_is_kept() -> None:
    assert parser("").relative("/site/content/a.md") == "/site/content/a.md"


def test_every_short_rest_under_a_dot_folder_is_relpaths_answer() -> None:
    """Every path of up to six of the characters that matter below a content folder whose own path
    has a dot folder (the benchmark's ``.bench``): the cut prefix and ``relpath`` agree."""
    base = "/w/.bench/news"
    reader = parser(base)
    for length in range(7):
        for chars in itertools.product("a./", repeat=length):
            path = f"{base}/{''.join(chars)}"
            assert reader.relative(path) == os.path.relpath(path, base), path


def test_a_plain_path_under_a_dot_folder_is_cut_not_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bench's content lives under ``.bench``: its files must take the cut, not ``relpath``."""
    reader = parser("/w/.bench/news")

    def refuse(*_args: object) -> str:
        raise AssertionError("relpath called for a plain path")

    monkeypatch.setattr(os.path, "relpath", refuse)
    assert reader.relative("/w/.bench/news/000015_48eb.txt") == "000015_48eb.txt"
    assert reader.relative("/w/.bench/news/.drafts/a.txt") == ".drafts/a.txt"
