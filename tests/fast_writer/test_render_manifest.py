"""The render manifest: a previous page is reused only when its key and its file still hold."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from topicfeed.fast_writer import manifest as manifest_module
from topicfeed.fast_writer.manifest import MANIFEST_VERSION, Manifest, code_salt, manifest_path

SALT = b"salt-one"


def folders(tmp_path: Path) -> tuple[Path, Path]:
    previous, building = tmp_path / "site", tmp_path / "site-building"
    previous.mkdir()
    building.mkdir()
    return previous, building


def first_build(tmp_path: Path, salt: bytes = SALT) -> tuple[Path, Path]:
    """A previous build that wrote page.html with key "k1" and saved its manifest."""
    previous, building = folders(tmp_path)
    (building / "page.html").write_text("<p>old</p>", encoding="utf-8")
    manifest = Manifest(manifest_path(previous), previous, building, salt, enabled=True)
    manifest.record("page.html", "k1", ["article"])
    manifest.save()
    (previous / "page.html").write_bytes((building / "page.html").read_bytes())
    os.utime(previous / "page.html", ns=(os.stat(building / "page.html").st_mtime_ns,) * 2)
    (building / "page.html").unlink()
    return previous, building


def manifest(previous: Path, building: Path, salt: bytes = SALT, enabled: bool = True) -> Manifest:
    return Manifest(manifest_path(previous), previous, building, salt, enabled)


def key_is(value: str) -> Any:
    return lambda entry: value


def test_manifest_lives_beside_the_output(tmp_path: Path) -> None:
    assert manifest_path(tmp_path / "site") == tmp_path / "site.render.json"


def test_reused_when_key_and_file_hold(tmp_path: Path) -> None:
    previous, building = first_build(tmp_path)
    current = manifest(previous, building)
    seen: list[dict[str, Any]] = []
    entry = current.reusable("page.html", lambda e: seen.append(e) or "k1")
    assert entry is not None and seen[0]["reads"] == ["article"]
    current.reuse("page.html", entry)
    assert (building / "page.html").read_text(encoding="utf-8") == "<p>old</p>"
    assert os.path.samefile(building / "page.html", previous / "page.html")  # linked, not copied
    assert current.new["page.html"] == entry


def test_not_reused_when_the_key_changed(tmp_path: Path) -> None:
    previous, building = first_build(tmp_path)
    assert manifest(previous, building).reusable("page.html", key_is("k2")) is None


def test_not_reused_when_the_previous_file_was_touched(tmp_path: Path) -> None:
    previous, building = first_build(tmp_path)
    (previous / "page.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    assert manifest(previous, building).reusable("page.html", key_is("k1")) is None
    (previous / "page.html").unlink()
    assert manifest(previous, building).reusable("page.html", key_is("k1")) is None


def test_not_reused_for_unknown_pages_or_pages_without_a_key(tmp_path: Path) -> None:
    previous, building = first_build(tmp_path)
    current = manifest(previous, building)
    assert current.reusable("other.html", key_is("k1")) is None
    current.old["page.html"]["key"] = None
    assert current.reusable("page.html", key_is("k1")) is None


@pytest.mark.parametrize("change", ["salt", "version", "garbage", "disabled", "same-folder", "site-gone"])
def test_a_mismatched_or_unusable_manifest_is_dropped(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous, building = first_build(tmp_path)
    salt, enabled = SALT, True
    if change == "salt":
        salt = b"salt-two"
    elif change == "version":
        monkeypatch.setattr(manifest_module, "MANIFEST_VERSION", MANIFEST_VERSION + 1)
    elif change == "garbage":
        manifest_path(previous).write_text('{"version": 2, "salt": [', encoding="utf-8")
    elif change == "disabled":
        enabled = False
    elif change == "same-folder":  # no fresh folder per build: nothing intact to link from
        building = previous
    elif change == "site-gone":  # the output deleted, its manifest left: not even read
        (previous / "page.html").unlink()
        previous.rmdir()
        monkeypatch.setattr(Manifest, "_load", lambda self: pytest.fail("the manifest was read"))
    current = manifest(previous, building, salt, enabled)
    assert current.old == {}
    assert current.reusable("page.html", key_is("k1")) is None


def test_save_is_atomic_and_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous, building = first_build(tmp_path)
    saved = manifest_path(previous).read_bytes()
    current = manifest(previous, building)
    (building / "new.html").write_text("x", encoding="utf-8")
    current.record("new.html", "k9", ["a"])

    def broken_replace(source: Any, target: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(manifest_module.os, "replace", broken_replace)
    with pytest.raises(OSError):
        current.save()
    assert manifest_path(previous).read_bytes() == saved  # the old manifest is untouched
    monkeypatch.undo()
    current.save()
    data = json.loads(manifest_path(previous).read_text(encoding="utf-8"))
    assert data["version"] == MANIFEST_VERSION and data["salt"] == SALT.hex()
    assert data["reads"] == [["a"]]  # each distinct list of reads once, named by its place
    assert data["outputs"] == {
        "new.html": {"reads": 0, "key": "k9", "stat": [1, data["outputs"]["new.html"]["stat"][1]]}
    }
    assert manifest(previous, building).old["new.html"]["reads"] == ["a"]
    assert not list(tmp_path.glob("*.tmp"))


def test_code_salt_follows_the_templates(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "base.html").write_text("a", encoding="utf-8")
    settings = {"THEME": str(theme), "THEME_TEMPLATES_OVERRIDES": []}
    first = code_salt(settings)
    assert code_salt(settings) == first
    (theme / "templates" / "base.html").write_text("b", encoding="utf-8")
    assert code_salt(settings) != first


def test_a_pages_path_relative_to_the_build_is_what_relpath_gives(tmp_path: Path) -> None:
    """``Manifest.relative`` cuts the build folder off a page's path (no ``relpath`` per page),
    and is ``relpath`` for a path outside it (a neighbour folder that starts alike, too)."""
    previous, building = folders(tmp_path)
    current = manifest(previous, building)
    for path in (
        building / "a" / "index.html",
        building / "feeds" / "all.atom.xml",
        tmp_path / "site-building-2" / "x.html",
        previous / "b.html",
    ):
        assert current.relative(str(path)) == os.path.relpath(path, building)


def test_a_reused_file_gets_its_folder_and_replaces_what_is_there(tmp_path: Path) -> None:
    """A reused file whose folder this build has not made yet (a feed's) gets it; a file this
    build already wrote there is replaced by the previous build's."""
    previous, building = folders(tmp_path)
    (previous / "feeds" / "a").mkdir(parents=True)
    (previous / "feeds" / "a" / "all.xml").write_text("<old/>", encoding="utf-8")
    (previous / "page.html").write_text("<p>old</p>", encoding="utf-8")
    (building / "page.html").write_text("<p>new</p>", encoding="utf-8")
    current = manifest(previous, building)
    current.reuse("feeds/a/all.xml", {"key": "k"})
    current.reuse("page.html", {"key": "k"})
    assert os.path.samefile(building / "feeds" / "a" / "all.xml", previous / "feeds" / "a" / "all.xml")
    assert os.path.samefile(building / "page.html", previous / "page.html")
    with pytest.raises(FileNotFoundError):  # no previous file: an error, not an empty folder's silence
        current.reuse("gone/page.html", {"key": "k"})
