"""The closing ``---`` line is found where the regular expression that defines it finds it."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from support.build import CORPUS

from topicfeed.news_reader.source import Split, closing_delimiter, split_front_matter

#: The rule, as the reader stated it before it searched by hand: a line of three dashes, then
#: only spaces or tabs.
DELIMITER = re.compile(r"^---[ \t]*$", re.MULTILINE)


def by_pattern(text: str) -> tuple[int, int] | None:
    match = DELIMITER.search(text)
    return None if match is None else (match.start(), match.end())


def test_every_short_string_of_the_characters_that_matter() -> None:
    checked = 0
    for length in range(9):
        for letters in itertools.product("- \t\nx", repeat=length):
            text = "".join(letters)
            assert closing_delimiter(text) == by_pattern(text), repr(text)
            checked += 1
    assert checked == sum(5**n for n in range(9))


PIECES = st.sampled_from(["-", "---", " ", "\t", "\n", "\r", "x", "é", "\n---"])


@given(st.lists(PIECES, max_size=40).map("".join))
def test_longer_strings(text: str) -> None:
    assert closing_delimiter(text) == by_pattern(text)


def test_the_corpus_splits_as_the_pattern_splits_it() -> None:
    files = sorted(Path(CORPUS).iterdir())
    assert len(files) > 600
    for path in files:
        text = path.read_text(encoding="utf-8")
        rest = text.lstrip().partition("\n")[2]
        match = DELIMITER.search(rest)
        assert match is not None, path.name
        expected = Split(front=rest[: match.start()], body=rest[match.end() :], closed=True)
        assert split_front_matter(text) == expected, path.name
