"""Bad input: one clear line per problem naming file and field; every other item still builds."""

from __future__ import annotations

import re

import pytest
from support.build import Build, run_pelican
from support.items import dump_item, item_fields, write_item, write_raw

# file name -> (content, field named in the log line, words of the problem)
BAD_FILES: dict[str, tuple[str | bytes, str, str]] = {
    "malformed-yaml.txt": ("---\ntitle: [unclosed\nwebUrl: x\n---\n", "(yaml)", "malformed YAML"),
    "no-closing.txt": (
        "---\ntitle: Open\npublishedDateTime: 2024-01-01T00:00:00Z\n",
        "(front matter)",
        "no closing",
    ),
    "empty.txt": ("", "(file)", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "(file)", "binary"),
    "latin1.txt": ("---\ntitle: Caf\xe9\n---\n".encode("latin-1"), "(file)", "not UTF-8"),
    "no-title.txt": (dump_item(item_fields(title=None)), "title", "missing"),
    "no-date.txt": (dump_item(item_fields(publishedDateTime=None)), "publishedDateTime", "missing"),
    "impossible-date.txt": (
        dump_item(item_fields(publishedDateTime="2021-02-30T10:00:00Z")),
        "publishedDateTime",
        "not a valid ISO 8601",
    ),
    "not-a-map.txt": ("---\n- just\n- a list\n---\n", "(front matter)", "expected a map"),
    "no-front-matter.txt": ("Just some text\n", "(front matter)", "does not start"),
}
# Wrong types in optional fields: the item is built without the field, with a warning.
WARN_FILES: dict[str, tuple[dict, str, str]] = {
    "quality-high.txt": (item_fields(2, quality="high"), "quality", "expected an integer"),
    "related-text.txt": (item_fields(3, related="text"), "related", "expected a list"),
    "published-unclear.txt": (item_fields(4, published="perhaps"), "published", "unclear value"),
}


@pytest.fixture(scope="module")
def bad_content(tmp_path_factory: pytest.TempPathFactory):
    content = tmp_path_factory.mktemp("bad-content")
    for name, (data, _, _) in BAD_FILES.items():
        write_raw(content, name, data)
    for name, (fields, _, _) in WARN_FILES.items():
        write_item(content, name, fields)
    write_item(content, "good.txt", title="The good item", webUrl="https://good.example.com/1")
    write_raw(
        content,
        "template.txt",
        dump_item(item_fields(5, title="{{ SITENAME }} {% raw %}x", excerpt="{{ 7*7 }}")),
    )
    return content


@pytest.fixture(scope="module")
def bad_site(bad_content, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return run_pelican(bad_content, tmp_path_factory.mktemp("bad-site"))


def log_lines(build: Build) -> list[str]:
    """One entry per log record: Rich wraps long records onto deeply indented lines."""
    return [re.sub(r"\s+", " ", line) for line in re.split(r"\n(?! {10})", build.log)]


def test_build_goes_on(bad_site: Build) -> None:
    assert bad_site.returncode == 0, bad_site.log
    titles = {p.parent.name for p in bad_site.article_pages()}
    assert "the-good-item" in titles
    assert {"test-story-number-2", "test-story-number-3"} <= titles  # warned, still built
    assert "test-story-number-4" not in titles  # unclear published: not published


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_has_one_error_line(bad_site: Build, name: str) -> None:
    _, field, words = BAD_FILES[name]
    lines = [line for line in log_lines(bad_site) if f"{name}: " in line and "ERROR" in line]
    assert len(lines) == 1, (name, lines, bad_site.log)
    assert f"{name}: {field}: " in lines[0] and words in lines[0]


@pytest.mark.parametrize("name", sorted(WARN_FILES))
def test_each_wrong_type_has_one_warning_line(bad_site: Build, name: str) -> None:
    _, field, words = WARN_FILES[name]
    lines = [line for line in log_lines(bad_site) if f"{name}: " in line]
    assert len(lines) == 1, (name, lines)
    assert "WARNING" in lines[0] and f"{name}: {field}: " in lines[0] and words in lines[0]


def test_no_traceback(bad_site: Build) -> None:
    assert "Traceback" not in bad_site.log and "Could not process" not in bad_site.log


def test_item_text_is_never_a_template(bad_site: Build) -> None:
    page = next(p for p in bad_site.article_pages() if "raw" in p.parent.name)
    text = page.read_text(encoding="utf-8")
    assert "{{ SITENAME }} {% raw %}x" in text and "{{ 7*7 }}" in text and ">49<" not in text


def test_strict_mode_fails_and_names_every_rejected_file(bad_content, tmp_path) -> None:
    build = run_pelican(bad_content, tmp_path / "strict", options=("--fatal", "errors"))
    assert build.returncode != 0
    joined = " ".join(log_lines(build))
    for name in BAD_FILES:
        assert f"{name}: " in joined, name
    assert "strict mode: 10 news file(s) rejected" in joined


def test_strict_setting_passes_on_good_input(tmp_path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    write_item(content, "good.txt")
    build = run_pelican(content, tmp_path / "out", options=("--fatal", "errors"))
    assert build.returncode == 0, build.log
