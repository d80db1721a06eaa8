"""FileParser.relative: the path problems and records name is ``os.path.relpath``'s, also when it is
cut from the path as a prefix (the paths Pelican gives the reader)."""

from __future__ import annotations

import copy
import os

import pytest
from pelican.settings import DEFAULT_CONFIG

from topicfeed.news_reader.reader import FileParser
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import apply

BASES = ["/site/content", "/site/content/", "/", "content", "/site/./content", "/site/.content"]
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
