"""The documentation keeps up with the code: every setting documented, every link alive, a short README.

- Every setting a plugin declares (the ``SETTINGS`` tuple of each ``topicfeed.<plugin>.settings``
  module) and every UPPER_CASE setting ``pelicanconf.py`` or ``publishconf.py`` assigns has an
  entry in ``docs/settings.md``: a table row whose first cell is ``NAME`` in backticks, or a
  ``### `NAME` `` heading.
- Every relative link (and image) in ``README.md``, ``CONTRIBUTING.md``, ``CHANGELOG.md`` and
  ``docs/*.md`` points at a file inside the repository, and a ``#fragment`` at a heading there.
- The README stays a front door, not a manual.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import topicfeed
from topicfeed.settings import Setting

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SETTINGS_PAGE = DOCS / "settings.md"
README_MAX_LINES = 80

_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)
_HEADING = re.compile(r"^#{2,4}\s+`([A-Z][A-Z0-9_]*)`\s*$", re.MULTILINE)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")


def documented_settings(text: str) -> set[str]:
    """Names with an entry of their own on the settings page (a table row or a heading)."""
    return set(_ROW.findall(text)) | set(_HEADING.findall(text))


def declared_settings() -> dict[str, str]:
    """Every setting Topicfeed declares, mapped to the module declaring it.

    Each plugin package has a ``settings`` module with ``SETTINGS: tuple[Setting, ...]``; shared
    modules may declare some too (``topicfeed.site``, ``topicfeed.sources``), which plugins
    register. So every module of the package is searched for a ``SETTINGS`` tuple of
    :class:`~topicfeed.settings.Setting`. A plugin ``settings`` module still on the older form (a
    ``DEFAULTS`` dict, no ``SETTINGS``) counts by its keys, so nothing slips through while the
    plugins move to declared settings.
    """
    found: dict[str, str] = {}
    for module_info in pkgutil.walk_packages(topicfeed.__path__, prefix="topicfeed."):
        module = importlib.import_module(module_info.name)
        declared = getattr(module, "SETTINGS", None)
        if isinstance(declared, tuple) and all(isinstance(s, Setting) for s in declared):
            names = [setting.name for setting in declared]
        elif module_info.name.endswith(".settings") and isinstance(getattr(module, "DEFAULTS", None), dict):
            names = list(module.DEFAULTS)
        else:
            continue
        for name in names:
            found.setdefault(name, module_info.name)
    return found


def assigned_settings(path: Path) -> set[str]:
    """UPPER_CASE names a configuration file assigns at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", target.id):
                names.add(target.id)
    return names


def test_every_declared_setting_is_documented() -> None:
    declared = declared_settings()
    assert declared, "no plugin declares a setting: the search for topicfeed.<plugin>.settings is broken"
    documented = documented_settings(SETTINGS_PAGE.read_text(encoding="utf-8"))
    missing = sorted(f"{name} ({module})" for name, module in declared.items() if name not in documented)
    assert not missing, "declared but not documented in docs/settings.md: " + ", ".join(missing)


@pytest.mark.parametrize("config", ["pelicanconf.py", "publishconf.py"])
def test_every_configured_setting_is_documented(config: str) -> None:
    assigned = assigned_settings(ROOT / config)
    assert len(assigned) > 3, f"{config}: found no settings; is the parser broken?"
    documented = documented_settings(SETTINGS_PAGE.read_text(encoding="utf-8"))
    missing = sorted(assigned - documented)
    assert not missing, f"set in {config} but not documented in docs/settings.md: " + ", ".join(missing)


def test_settings_page_lists_each_setting_once() -> None:
    text = SETTINGS_PAGE.read_text(encoding="utf-8")
    entries = _ROW.findall(text) + _HEADING.findall(text)
    doubled = sorted({name for name in entries if entries.count(name) > 1})
    assert not doubled, "documented more than once in docs/settings.md: " + ", ".join(doubled)


# Links -------------------------------------------------------------------------------------------


def pages() -> list[Path]:
    found = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    found += [ROOT / name for name in ("CONTRIBUTING.md", "CHANGELOG.md") if (ROOT / name).is_file()]
    return found


def heading_anchors(path: Path) -> set[str]:
    """The ids GitHub gives a Markdown file's headings (lower case, punctuation out, - for space)."""
    anchors: set[str] = set()
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in anchors:
            n += 1
            anchor = f"{slug}-{n}"
        anchors.add(anchor)
    return anchors


def relative_links(path: Path) -> list[str]:
    """Link and image targets that are not URLs, outside code blocks and code spans."""
    text = _CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = _LINK.findall(text)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.is_relative_to(ROOT):
            broken.append(f"{target} (outside the repository)")
        elif not linked.exists():
            broken.append(f"{target} (no such file)")
        elif fragment and linked.suffix == ".md" and fragment not in heading_anchors(linked):
            broken.append(f"{target} (no heading #{fragment})")
    return broken


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_files(page: Path) -> None:
    broken = broken_links(page)
    assert not broken, f"{page.relative_to(ROOT)}: broken links: " + "; ".join(broken)


def test_link_checker_sees_links() -> None:
    """The README links to docs/ and shows a picture: if none is found, the link parser broke."""
    targets = relative_links(ROOT / "README.md")
    assert any(t.startswith("docs/") and t.endswith(".md") for t in targets)
    assert any(t.endswith(".png") for t in targets)


def test_docs_folder_has_the_pages_the_readme_promises() -> None:
    for name in (
        "quickstart",
        "input-format",
        "settings",
        "feeds",
        "related-stories",
        "theme",
        "publishing",
        "architecture",
        "build-guarantees",
        "performance",
    ):
        assert (DOCS / f"{name}.md").is_file(), f"docs/{name}.md is missing"


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it under {README_MAX_LINES} and move details to docs/"
    )
