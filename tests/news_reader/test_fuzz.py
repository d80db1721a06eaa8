"""Property-based tests: the reader never crashes, whatever the file holds.

Every input ends as either a news item or at least one clear one-line error naming the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pelican.settings import DEFAULT_CONFIG
from support.items import item_fields

from topicfeed.items import ITEM_KEY, PROBLEMS_KEY
from topicfeed.model import NewsItem
from topicfeed.news_reader.reader import NewsReader
from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.settings import apply

FIELDS = [
    *list(item_fields()),
    "related",
    "featuredContent",
    "sourceUrl",
    "originalUrl",
    "ampUrl",
    "cdnAmpUrl",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(
        ["https://ok.example.com/a", "javascript:alert(1)", "2024-02-30T00:00:00Z", "-1", "<script>"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read(tmp_path: Path, data: bytes):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    config = dict(DEFAULT_CONFIG, PATH=str(tmp_path))
    apply(config, READER_SETTINGS)
    return NewsReader(config).read(str(path))


def check(result) -> None:
    _, metadata = result
    item = metadata.get(ITEM_KEY)
    problems = metadata.get(PROBLEMS_KEY) or []
    if item is None:
        assert any(p.fatal for p in problems), problems
    else:
        assert isinstance(item, NewsItem) and item.title and item.url.startswith(("http://", "https://"))
    for problem in problems:
        line = str(problem)
        assert "\n" not in line and line.startswith("fuzz.txt: ") and len(line) < 400


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(FIELDS), values, max_size=12))
def test_arbitrary_structures(tmp_path_factory, fields) -> None:
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n"
    check(read(tmp_path_factory.mktemp("f"), text.encode("utf-8")))


@FUZZ
@given(name=st.sampled_from(FIELDS), value=values)
def test_one_field_broken_in_a_good_item(tmp_path_factory, name, value) -> None:
    fields = item_fields()
    fields[name] = value
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n"
    check(read(tmp_path_factory.mktemp("f"), text.encode("utf-8")))


@FUZZ
@given(data=st.binary(max_size=300), prefix=st.sampled_from([b"", b"---\n", b"---\ntitle: x\n"]))
def test_arbitrary_bytes(tmp_path_factory, data, prefix) -> None:
    check(read(tmp_path_factory.mktemp("f"), prefix + data))


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text_as_front_matter(tmp_path_factory, text) -> None:
    check(read(tmp_path_factory.mktemp("f"), f"---\n{text}\n---\n".encode("utf-8", "surrogatepass")))


def test_alias_bomb_is_bounded(tmp_path) -> None:
    bomb = "---\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        bomb += f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    bomb += "title: *a8\npublishedDateTime: *a8\nwebUrl: *a8\ntopics: *a8\n---\n"
    check(read(tmp_path, bomb.encode()))


def to_endings(lf: bytes, endings: list[bytes], bom: bool) -> bytes:
    """``lf`` with its n-th line break spelt ``endings[n]`` (cycled), after an optional BOM.

    A lone CR just before an empty LF-ended line would read as one CRLF (so as one break, which
    is what any tool reads there too): that CR is spelt CRLF instead.
    """
    lines = lf.split(b"\n")
    spelt = [endings[n % len(endings)] for n in range(len(lines) - 1)]
    for n in range(len(spelt) - 1):
        if spelt[n] == b"\r" and not lines[n + 1] and spelt[n + 1] == b"\n":
            spelt[n] = b"\r\n"
    body = b"".join(line + ending for line, ending in zip(lines, spelt, strict=False)) + lines[-1]
    return (b"\xef\xbb\xbf" if bom else b"") + body


line_endings = st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=1, max_size=6)


@FUZZ
@given(
    fields=st.dictionaries(st.sampled_from(FIELDS), values, max_size=12),
    endings=line_endings,
    bom=st.booleans(),
)
def test_windows_line_endings_and_bom_read_as_the_lf_twin(tmp_path_factory, fields, endings, bom) -> None:
    """Issue 15: CRLF, lone CR, a mix, and a BOM give exactly the item (and problems) of the LF file."""
    lf = ("---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n").encode("utf-8", "surrogatepass")
    assume(b"\r" not in lf)
    twin = read(tmp_path_factory.mktemp("lf"), lf)
    assert read(tmp_path_factory.mktemp("win"), to_endings(lf, endings, bom)) == twin


@FUZZ
@given(text=st.text(max_size=200), endings=line_endings, bom=st.booleans())
def test_windows_spelling_of_any_text_reads_as_the_lf_twin(tmp_path_factory, text, endings, bom) -> None:
    """Any front matter text, valid or not: the same item or the same error lines."""
    lf = f"---\n{text}\n---\n".encode("utf-8", "surrogatepass")
    assume(b"\r" not in lf)
    twin = read(tmp_path_factory.mktemp("lf"), lf)
    assert read(tmp_path_factory.mktemp("win"), to_endings(lf, endings, bom)) == twin
