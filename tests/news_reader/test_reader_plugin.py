"""The news reader's wiring: its declared settings, its extensions, and its ledger on the build."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from topicfeed.build import Build
from topicfeed.items import ITEM_KEY, PROBLEMS_KEY
from topicfeed.model import Problem, build_item
from topicfeed.news_reader.plugin import add_reader, record_file
from topicfeed.news_reader.reader import NewsReader
from topicfeed.news_reader.settings import SETTINGS
from topicfeed.settings import SettingsError, apply


def configured(**settings: object) -> dict:
    values = dict(settings)
    apply(values, SETTINGS)
    return values


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWS_FILE_EXTENSIONS", [".txt"]),
        ("NEWS_FILE_EXTENSIONS", "txt"),
        ("NEWS_MAX_FILE_BYTES", 0),
        ("NEWS_STRICT", "yes"),
        ("NEWS_ASSET_BASE_URL", None),
        ("NEWS_EMBED_HOSTS", ["https://www.youtube.com"]),
    ],
)
def test_bad_values_are_refused_naming_the_setting(name: str, value: object) -> None:
    with pytest.raises(SettingsError, match=rf"^settings: {name}: expected "):
        configured(**{name: value})


def test_the_reader_takes_exactly_the_configured_extensions() -> None:
    readers = SimpleNamespace(settings=configured(NEWS_FILE_EXTENSIONS=["txt", "news"]), reader_classes={})
    add_reader(readers)
    spellings = {"txt", "TXT", "Txt", "tXt", "txT", "TXt", "TxT", "tXT"}
    spellings |= {"news", "NEWS", "News"}
    assert spellings <= set(readers.reader_classes)
    assert {ext.lower() for ext in readers.reader_classes} == {"txt", "news"}
    assert set(readers.reader_classes.values()) == {NewsReader}
    assert NewsReader.file_extensions == []  # Pelican registers none by itself


@pytest.fixture
def generator(tmp_path: Path):
    settings = configured()
    pelican = SimpleNamespace(settings=settings, output_path=str(tmp_path))
    build = Build.start(pelican)
    yield SimpleNamespace(settings=settings, context={})
    assert Build.of(settings) is build
    Build.end(pelican)


def test_fates_and_problems_go_to_the_build_ledger(generator) -> None:
    item, _ = build_item(
        {"title": "A", "publishedDateTime": "2024-01-01T00:00:00Z", "webUrl": "https://e.com/a"}, "a.txt"
    )
    warning = Problem("a.txt", "heat", "expected an integer")
    rejected = Problem("b.txt", "title", "missing or empty", fatal=True)
    record_file(generator, {ITEM_KEY: item, PROBLEMS_KEY: [warning]})
    record_file(generator, {"status": "skip", PROBLEMS_KEY: [rejected]})
    record_file(generator, {"title": "an ordinary Markdown article"})
    ledger = Build.of(generator).ledger
    assert ledger.fates == {"a.txt": "published", "b.txt": "rejected"}
    assert ledger.problems == [warning, rejected]
    assert ledger.rejected == ["b.txt"]
    assert "news_ledger" not in generator.context and not hasattr(generator, "news_ledger")
