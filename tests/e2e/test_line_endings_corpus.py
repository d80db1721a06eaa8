"""Issue 15 part 2 on the real corpus: every item re-saved the Windows way builds the same site.

The corpus is built five ways: as shipped (LF), every file with CRLF, with lone CR, with a
UTF-8 BOM, and with BOM + CRLF under an upper-case ``.MD`` name. Every file of the four
variant sites must be byte-identical to the LF site (article pages, lists, feeds, search).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from support.build import CORPUS, Build, run_pelican

BOM = b"\xef\xbb\xbf"

VARIANTS: dict[str, tuple[Callable[[bytes], bytes], Callable[[str], str]]] = {
    "crlf": (lambda data: data.replace(b"\n", b"\r\n"), lambda name: name),
    "cr": (lambda data: data.replace(b"\n", b"\r"), lambda name: name),
    "bom": (lambda data: BOM + data, lambda name: name),
    "bom-crlf-upper-case": (
        lambda data: BOM + data.replace(b"\n", b"\r\n"),
        lambda name: name.rsplit(".", 1)[0] + "." + name.rsplit(".", 1)[1].upper(),
    ),
}


def corpus() -> Path:
    return CORPUS  # ships in tests/data: a missing corpus is a failure, not a skip


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def lf_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    source = corpus()
    assert not any(b"\r" in path.read_bytes() for path in source.iterdir()), "the corpus is LF already"
    build = run_pelican(source, tmp_path_factory.mktemp("lf") / "output")
    assert build.returncode == 0, build.log
    return build


@pytest.mark.parametrize("kind", list(VARIANTS))
def test_windows_saved_corpus_builds_byte_identical(
    lf_site: Build, kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    spell, rename = VARIANTS[kind]
    folder = tmp_path_factory.mktemp(kind)
    content = folder / "content"
    content.mkdir()
    for path in corpus().iterdir():
        (content / rename(path.name)).write_bytes(spell(path.read_bytes()))
    build = run_pelican(content, folder / "output")
    assert build.returncode == 0, build.log

    expected, got = files(lf_site.output), files(build.output)
    if kind == "bom-crlf-upper-case":
        # The JSON API names each item's source file ("path"): a renamed file is named as it is
        # now. Everything else, including every page and its URL, must not change.
        for name in [n for n in got if n.startswith("api/")]:
            got[name] = re.sub(rb'\.(MD|TXT)"', lambda m: b"." + m.group(1).lower() + b'"', got[name])
    assert len(lf_site.article_pages()) > 400  # the 428 published items, not an empty site
    assert sorted(got) == sorted(expected), set(got) ^ set(expected)
    differing = sorted(name for name in expected if got[name] != expected[name])
    assert not differing, f"{len(differing)} files differ from the LF build, e.g. {differing[:5]}"
