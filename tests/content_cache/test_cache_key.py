"""content_cache: the cache key, the half-written-save guard, and removing old key folders."""

from __future__ import annotations

import datetime as dt
import gzip
import pickle
import sys
import zoneinfo
from pathlib import Path
from typing import Any

import pelican
import pytest

from topicfeed import locks
from topicfeed.content_cache import guard
from topicfeed.content_cache.fingerprint import FOLDER_NAME, fingerprint
from topicfeed.content_cache.plugin import remove_stale_folders


def upper(text: str) -> str:
    return text.upper()


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, Any]:
    plugins = tmp_path / "plugins"
    (plugins / "mine").mkdir(parents=True)
    (plugins / "mine" / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    return {
        "PLUGIN_PATHS": [str(plugins)],
        "PLUGINS": ["mine"],
        "TIMEZONE": "UTC",
        "NEWS_STRICT": False,
        "RELATED_WEIGHTS": {"topics": 1.0, "title": 1.0},
        "JINJA_FILTERS": {"upper": upper},
        "DEFAULT_DATE": dt.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
        "STATIC_EXCLUDES": {"b", "a"},
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
    }


def test_the_key_names_a_folder_and_is_stable(settings: dict[str, Any]) -> None:
    key = fingerprint(settings)
    assert FOLDER_NAME.match(key)
    assert fingerprint(settings) == key
    copy = dict(reversed(list(settings.items())))  # the order of the settings does not matter
    copy["RELATED_WEIGHTS"] = {"title": 1.0, "topics": 1.0}
    copy["STATIC_EXCLUDES"] = {"a", "b"}
    assert fingerprint(copy) == key


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OUTPUT_PATH", "/elsewhere/site"),
        ("CACHE_PATH", "/elsewhere/cache"),
        ("CACHE_CONTENT", False),
        ("LOAD_CONTENT_CACHE", False),
        ("PORT", 8001),
        ("BIND", "0.0.0.0"),  # noqa: S104 - a value, nothing listens
        ("DEBUG", True),
    ],
)
def test_where_things_go_does_not_change_the_key(settings: dict[str, Any], name: str, value: object) -> None:
    key = fingerprint(settings)
    assert fingerprint({**settings, name: value}) == key


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMEZONE", "Europe/Paris"),
        ("NEWS_STRICT", True),
        ("RELATED_WEIGHTS", {"topics": 2.0, "title": 1.0}),
        ("PLUGINS", ["mine", "other"]),
        ("JINJA_FILTERS", {"upper": str.lower}),
        ("DEFAULT_DATE", dt.datetime(2024, 1, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))),
        ("NEW_SETTING", 1),
    ],
)
def test_a_setting_that_shapes_what_is_read_changes_the_key(
    settings: dict[str, Any], name: str, value: object
) -> None:
    key = fingerprint(settings)
    assert fingerprint({**settings, name: value}) != key


def test_plugin_code_changes_the_key(settings: dict[str, Any]) -> None:
    key = fingerprint(settings)
    code = Path(settings["PLUGIN_PATHS"][0]) / "mine" / "__init__.py"
    code.write_text("X = 2\n", encoding="utf-8")
    changed = fingerprint(settings)
    assert changed != key
    (code.parent / "notes.txt").write_text("not code", encoding="utf-8")
    assert fingerprint(settings) == changed  # only .py files count
    (code.parent / "extra.py").write_text("", encoding="utf-8")
    assert fingerprint(settings) != changed  # a new module counts, even empty


def test_pelican_and_python_versions_change_the_key(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = fingerprint(settings)
    monkeypatch.setattr(pelican, "__version__", "99.0.0")
    other_pelican = fingerprint(settings)
    assert other_pelican != key
    monkeypatch.setattr(sys, "version_info", (3, 99, 0, "final", 0))
    assert fingerprint(settings) not in (key, other_pelican)


def save_like_pelican(folder: Path, name: str, data: object) -> None:
    """What Pelican's FileDataCacher.save_cache does (GZIP_CACHE is on by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / name, "wb") as handle:
        pickle.dump(data, handle)


def test_a_recorded_save_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "0123456789abcdef"
    save_like_pelican(folder, "ArticlesGenerator-Readers", {"a.md": 1})
    save_like_pelican(folder, "PagesGenerator-Readers", {})
    guard.record(folder)
    assert guard.is_complete(folder)
    assert not guard.clear_if_incomplete(folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        guard.RECORD,
        "ArticlesGenerator-Readers",
        "PagesGenerator-Readers",
    ]


@pytest.mark.parametrize("damage", ["truncated", "empty", "rewritten", "missing", "unrecorded", "no record"])
def test_a_save_cut_short_is_thrown_away(tmp_path: Path, damage: str) -> None:
    """A build killed while Pelican wrote the cache: an empty file would fail every later build."""
    folder = tmp_path / "0123456789abcdef"
    save_like_pelican(folder, "ArticlesGenerator-Readers", {"a.md": "x" * 10_000})
    save_like_pelican(folder, "PagesGenerator-Readers", {})
    guard.record(folder)
    articles = folder / "ArticlesGenerator-Readers"
    if damage == "truncated":
        articles.write_bytes(articles.read_bytes()[:20])
    elif damage == "empty":
        articles.write_bytes(b"")
    elif damage == "rewritten":
        save_like_pelican(folder, "ArticlesGenerator-Readers", {"a.md": "y" * 10_000})
    elif damage == "missing":
        articles.unlink()
    elif damage == "unrecorded":
        save_like_pelican(folder, "ArticlesGenerator", {})
    else:
        (folder / guard.RECORD).unlink()
    assert not guard.is_complete(folder)
    assert guard.clear_if_incomplete(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_first_build_has_nothing_to_throw_away(tmp_path: Path) -> None:
    assert not guard.clear_if_incomplete(tmp_path / "0123456789abcdef")
    (tmp_path / "0123456789abcdef").mkdir()
    assert not guard.clear_if_incomplete(tmp_path / "0123456789abcdef")


def test_old_key_folders_go_unless_a_build_holds_them(tmp_path: Path) -> None:
    current, old, busy = (tmp_path / name for name in ("0" * 16, "1" * 16, "2" * 16))
    for folder in (current, old, busy):
        save_like_pelican(folder, "ArticlesGenerator-Readers", {})
    (tmp_path / "notes").mkdir()  # not a key folder: left alone
    other = locks.lock_file(busy)
    assert locks.try_acquire(other)  # as if another build were using it
    locks._HELD.pop(other)  # ... in another process (keep the fd open: the lock stays taken)
    remove_stale_folders(current)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "0" * 16,
        "2" * 16,
        "notes",
    ]
    assert not locks.lock_file(old).exists()
