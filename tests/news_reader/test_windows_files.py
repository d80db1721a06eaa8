"""Items saved by Windows tools (issue 15): a BOM, CRLF, lone CR or mixed line endings, and
an upper- or mixed-case ``.TXT``/``.Md`` extension read exactly as the plain-LF twin.

The hypothesis variant of these checks is in ``test_fuzz.py``; the whole-corpus check is
``tests/e2e/test_line_endings_corpus.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pelican.settings import DEFAULT_CONFIG

from topicfeed.news_reader.reader import ITEM_KEY, PROBLEMS_KEY, NewsReader
from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.news_reader.source import SourceError, decode, extension_variants
from topicfeed.settings import apply

ROOT = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"

ITEM = {
    "category": "news",
    "title": "A story saved on Windows",
    "excerpt": "One line",
    "publishedDateTime": "2024-03-01T10:00:00Z",
    "webUrl": "https://news.example.com/stories/windows",
    "published": True,
    "provider": {"name": "Example News", "domain": "example.com"},
    "topics": ["Testing", "Windows"],
    "secured": "SECRETBLOBxyz==",
}
# Written by hand: a literal block (its line breaks are content and must come out as LF), a
# folded quoted scalar over two lines, and an empty line inside the block.
LF = b"""---
category: news
title: "A story saved
  on Windows"
excerpt: |
  First line of the excerpt

  second paragraph
publishedDateTime: 2024-03-01T10:00:00Z
webUrl: https://news.example.com/stories/windows
published: true
provider:
  name: Example News
  domain: example.com
topics:
- Testing
- Windows
secured: SECRETBLOBxyz==
---
"""


def variants(lf: bytes) -> dict[str, bytes]:
    """The Windows spellings of one LF file."""
    crlf = lf.replace(b"\n", b"\r\n")
    lines = lf.split(b"\n")
    endings = [(b"\r\n", b"\r", b"\n")[n % 3] for n in range(len(lines) - 1)]
    for n in range(len(endings) - 1):  # a lone CR before an empty LF line would be one CRLF
        if endings[n] == b"\r" and not lines[n + 1] and endings[n + 1] == b"\n":
            endings[n] = b"\r\n"
    mixed = b"".join(line + ending for line, ending in zip(lines, endings, strict=False))
    return {
        "crlf": crlf,
        "cr": lf.replace(b"\n", b"\r"),
        "bom": BOM + lf,
        "bom-crlf": BOM + crlf,
        "bom-cr": BOM + lf.replace(b"\n", b"\r"),
        "mixed": mixed,
    }


def read(folder: Path, name: str, data: bytes):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    settings = dict(DEFAULT_CONFIG, PATH=str(folder))
    apply(settings, READER_SETTINGS)
    return NewsReader(settings).read(str(folder / name))


@pytest.mark.parametrize("kind", list(variants(LF)))
def test_variant_reads_as_its_lf_twin(tmp_path: Path, kind: str) -> None:
    twin = read(tmp_path / "lf", "item.txt", LF)
    content, metadata = read(tmp_path / kind, "item.txt", variants(LF)[kind])
    assert metadata.get(PROBLEMS_KEY) == twin[1].get(PROBLEMS_KEY) == []
    item = metadata[ITEM_KEY]
    assert item == twin[1][ITEM_KEY]  # every field, the fingerprint included
    assert item.title == ITEM["title"] and item.topics == ("Testing", "Windows")
    assert item.excerpt.startswith("First line of the excerpt") and "\r" not in item.excerpt
    assert content == twin[0]


def test_bom_and_crlf_is_no_longer_unclosed(tmp_path: Path) -> None:
    """The reported case: BOM + CRLF was rejected with "no closing '---' line"."""
    _, metadata = read(tmp_path, "item.txt", BOM + LF.replace(b"\n", b"\r\n"))
    assert metadata.get(ITEM_KEY) is not None, metadata.get(PROBLEMS_KEY)


def test_line_breaks_inside_values_become_lf() -> None:
    text = decode(BOM + b"---\r\nexcerpt: |\r\n  one\r\n  two\r\n---\r\n", 1000)
    assert text == "---\nexcerpt: |\n  one\n  two\n---\n"
    assert decode(b"a\rb\r\nc\n\rd", 1000) == "a\nb\nc\n\nd"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (BOM, "empty file"),
        (BOM + b" \r\n\r\n", "empty file"),
        (b"\xff\xfe-\x00-\x00-\x00", "UTF-16"),
        (b"\xfe\xff\x00-\x00-\x00-", "UTF-16"),
    ],
)
def test_decode_errors_say_what_is_wrong(data: bytes, words: str) -> None:
    with pytest.raises(SourceError) as caught:
        decode(data, 1000)
    assert words in caught.value.message


def test_extension_variants() -> None:
    assert extension_variants("txt") == ["TXT", "TXt", "TxT", "Txt", "tXT", "tXt", "txT", "txt"]
    assert extension_variants("Md") == ["MD", "Md", "mD", "md"]


def test_any_case_extension_and_windows_markdown_build(tmp_path: Path) -> None:
    """A real build: .TXT, .Md and .tXt items and ordinary BOM + CRLF/CR Markdown all get pages."""
    content = tmp_path / "content"
    content.mkdir()
    for n, name in enumerate(["upper.TXT", "mixed.Md", "odd.tXt"]):
        fields = dict(ITEM, title=f"Windows story {n}", webUrl=f"https://news.example.com/w/{n}")
        text = "---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n"
        (content / name).write_bytes(BOM + text.replace("\n", "\r\n").encode())
    (content / "plain.MD").write_bytes(
        BOM + b"Title: An ordinary article\r\nDate: 2024-01-02\r\n\r\nSome *Markdown* text.\r\n\r\nTwo.\r\n"
    )
    (content / "cr.md").write_bytes(BOM + b"Title: A CR article\rDate: 2024-01-03\r\rOnly *CR* here.\r")
    output = tmp_path / "output"
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", "pelicanconf.py"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {
        page.parent.name: page.read_text(encoding="utf-8") for page in output.glob("20*/*/*/*/index.html")
    }
    assert sorted(pages) == [
        "a-cr-article",
        "an-ordinary-article",
        "windows-story-0",
        "windows-story-1",
        "windows-story-2",
    ], result.stdout
    assert "<em>Markdown</em>" in pages["an-ordinary-article"] and "<em>CR</em>" in pages["a-cr-article"]
    assert "\ufeff" not in "".join(pages.values())
    assert "SECRETBLOB" not in "".join(pages.values())
