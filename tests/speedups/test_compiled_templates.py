"""The theme's templates compiled once and kept in ``CACHE_PATH/templates``
(``topicfeed.speedups.compiled_templates``): a later build loads them instead of compiling them
again, and writes the same site; an edited template is compiled again; another Jinja
configuration gets a folder of its own."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader
from support.build import ROOT, build_in_process, tree

from topicfeed.speedups.compiled_templates import FOLDER, cache_folder, keep_compiled_templates


def _compiled_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each template compiled from source from now on (in this process)."""
    names: list[str] = []
    compile_source = Environment.compile

    def counted(self: Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if name:
            names.append(name)
        return compile_source(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counted)
    return names


def test_a_later_build_loads_the_compiled_templates_and_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = _compiled_names(monkeypatch)
    build_in_process(ROOT / "content", tmp_path / "first")
    assert "article.html" in compiled and "base.html" in compiled
    assert list((tmp_path / "cache" / FOLDER).glob("*/__jinja2_*.cache"))
    compiled.clear()
    build_in_process(ROOT / "content", tmp_path / "second")  # a fresh output: every page rendered
    assert compiled == []
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    pages = sorted(name for name in first if name.endswith(".html"))
    assert len(pages) > 5
    assert {name: second.get(name) for name in pages} == {name: first[name] for name in pages}


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("one {{ x }}", encoding="utf-8")
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "JINJA_ENVIRONMENT": {"trim_blocks": True}}

    def render() -> str:
        generator = SimpleNamespace(
            env=Environment(loader=FileSystemLoader(templates), autoescape=True), settings=settings
        )
        keep_compiled_templates(generator)
        assert generator.env.bytecode_cache is not None
        return generator.env.get_template("page.html").render(x=1)

    assert render() == "one 1"
    assert render() == "one 1"  # from the cache
    (templates / "page.html").write_text("two {{ x }}", encoding="utf-8")
    assert render() == "two 1"


def test_each_jinja_configuration_has_a_folder_of_its_own(tmp_path: Path) -> None:
    cache = str(tmp_path)
    trimmed = cache_folder({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {"trim_blocks": True}})
    untrimmed = cache_folder({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {"trim_blocks": False}})
    assert trimmed is not None and untrimmed is not None and trimmed != untrimmed
    assert trimmed == cache_folder({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {"trim_blocks": True}})
    assert cache_folder({"CACHE_PATH": cache, "JINJA_ENVIRONMENT": {"finalize": object()}}) is None
    assert cache_folder({"CACHE_PATH": "", "JINJA_ENVIRONMENT": {}}) is None
