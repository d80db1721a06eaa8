"""``clean_text``'s fast path gives what its general rules give, for every character there is."""

from __future__ import annotations

import html
import sys
import unicodedata

import pytest

from topicfeed import text
from topicfeed.text import clean_text


def _general(value: str) -> str:
    """The general rules alone: what ``clean_text`` did before its fast path."""
    cleaned = html.unescape(value) if "&" in value else value
    cleaned = unicodedata.normalize("NFC", cleaned)
    return text._WS.sub(" ", text._INVISIBLE.sub("", cleaned)).strip()


def test_a_printable_character_is_neither_invisible_nor_whitespace_but_the_space() -> None:
    """Why the fast path may skip both regular expressions: over every code point, a printable
    character is never removed as invisible, and the only printable whitespace is U+0020."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not char.isprintable():
            continue
        assert text._INVISIBLE.match(char) is None, f"U+{code:04X}"
        assert char == " " or text._WS.match(char) is None, f"U+{code:04X}"
        assert char == " " or not char.isspace(), f"U+{code:04X}"


@pytest.mark.parametrize(
    "value",
    [
        "A plain headline",
        "  Spaces around, one inside  ",
        "Two  spaces inside",
        "Tab\there",
        "Line\nbreak",
        "No\u00a0break space",
        "Soft\u00adhyphen and zero\u200bwidth",
        "Bidi \u202eoverride",
        "Entities: AT&amp;T &#038; R&D &lt;b&gt;",
        "&nbsp;lead",
        "Cafe\u0301 decomposed",
        "中文 and emoji 👍🏽 with a joiner \u200d",
        "",
        " ",
    ],
)
def test_clean_text_gives_what_the_general_rules_give(value: str) -> None:
    assert clean_text(value) == _general(value)
