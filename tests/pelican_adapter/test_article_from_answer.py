"""``article_from_answer``: the article ``Readers.read_file`` makes, from the reader's answer.

A rebuild from the site model makes the articles of the list pages it renders this way; each
must be the one Pelican's ``read_file`` makes of the same file, whatever the path metadata
settings say, or the pages differ from a build's."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pelican.contents import Article
from pelican.readers import Readers
from support.build import ROOT
from support.model_changes import site_settings

from topicfeed import pelican_adapter
from topicfeed.news_reader.reader import FileParser, NewsReader

CORPUS = ROOT / "tests" / "data" / "corpus" / "powerapps-news"
SEEDS = ROOT / "tests" / "data" / "seeds"


def _plain(value: Any) -> Any:
    """A metadata value as comparable text: Pelican's URL wrappers by name and slug."""
    if isinstance(value, list):
        return [_plain(part) for part in value]
    if hasattr(value, "slug") and hasattr(value, "name"):
        return (type(value).__name__, value.name, value.slug)
    return value


def _seen(article: Article) -> dict[str, Any]:
    """What a page can read of an article."""
    return {
        "metadata": {key: _plain(value) for key, value in article.metadata.items()},
        "content": article.content,
        "source_path": article.source_path,
        "relative_source_path": article.relative_source_path,
        "url": article.url,
        "save_as": article.save_as,
        "locale_date": article.locale_date,
        "attributes": {
            key: _plain(value)
            for key, value in vars(article).items()
            if key not in {"_context", "settings", "metadata", "_content"}
        },
    }


def _both(settings: dict[str, Any], path: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The file at ``path`` (relative to the content folder) read by ``read_file``, then made
    from the reader's answer, each with readers of their own."""
    item, _ = FileParser(settings).parse(
        str(Path(settings["PATH"]) / path), path, (Path(settings["PATH"]) / path).read_bytes()
    )
    assert item is not None
    by_pelican = Readers(settings)
    reader = NewsReader(settings)
    extension = path.rpartition(".")[2]
    by_pelican.readers[extension] = reader
    read = by_pelican.read_file(base_path=settings["PATH"], path=path, content_class=Article, context={})
    ours = Readers(settings)
    other = NewsReader(settings)
    ours.readers[extension] = other
    made = pelican_adapter.article_from_answer(ours, settings["PATH"], path, other.answer(item))
    return _seen(read), None if made is None else _seen(made)


def _content(tmp_path: Path, folder: str = "") -> Path:
    content = tmp_path / "content"
    (content / folder).mkdir(parents=True)
    for source in sorted(CORPUS.iterdir())[:120:6]:
        shutil.copy(source, content / folder / source.name)
    for source in sorted(SEEDS.iterdir()):
        shutil.copy(source, content / folder / source.name)
    return content


def _published(settings: dict[str, Any]) -> list[str]:
    content = Path(settings["PATH"])
    paths = []
    parser = FileParser(settings)
    for path in sorted(content.rglob("*")):
        if path.is_file():
            relative = path.relative_to(content).as_posix()
            item, _ = parser.parse(str(path), relative, path.read_bytes())
            if item is not None and item.published:
                paths.append(relative)
    return paths


@pytest.mark.parametrize(
    "extra",
    [
        {},
        # the file name's fields, one the reader does not give: the path's metadata is applied
        {"FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2})-(?P<lead>[a-z]+).*"},
        {"PATH_METADATA": r"(?P<section>[^/]*)/.*", "USE_FOLDER_AS_CATEGORY": True},
        {"EXTRA_PATH_METADATA": {"news": {"origin": "exporter"}}, "DEFAULT_METADATA": {"edition": "daily"}},
    ],
    ids=["defaults", "file-name-field", "folder-fields", "extra-and-default-metadata"],
)
def test_the_article_is_the_one_read_file_makes(tmp_path: Path, extra: dict[str, Any]) -> None:
    settings = site_settings(_content(tmp_path, "news"), tmp_path / "cache", **extra)
    paths = _published(settings)
    assert len(paths) >= 10
    fields = set()
    for path in paths:
        read, made = _both(settings, path)
        assert made is not None, path
        assert made == read, path
        fields.update(made["metadata"])
    # each case really took what its settings give
    assert {"lead", "section", "origin", "edition"} & fields == {
        name for name in ("lead", "section", "origin", "edition") if name in repr(extra)
    }


def test_what_it_cannot_tell_is_left_to_read_file(tmp_path: Path) -> None:
    settings = site_settings(_content(tmp_path), tmp_path / "cache")
    path = _published(settings)[0]
    item, _ = FileParser(settings).parse(
        str(Path(settings["PATH"]) / path), path, (Path(settings["PATH"]) / path).read_bytes()
    )
    assert item is not None
    readers = Readers(settings)
    reader = readers.readers[path.rpartition(".")[2]] = NewsReader(settings)
    answer = reader.answer(item)
    assert pelican_adapter.article_from_answer(readers, settings["PATH"], path, answer) is not None
    for odd in (f"./{path}", f"../content/{path}", str(Path(settings["PATH"]) / path), path + ".unknown"):
        assert pelican_adapter.article_from_answer(readers, settings["PATH"], odd, answer) is None, odd
    skipped = (answer[0], {**answer[1], "status": "skip"})
    assert pelican_adapter.article_from_answer(readers, settings["PATH"], path, skipped) is None
    typogrified = Readers({**settings, "TYPOGRIFY": True})
    typogrified.readers[path.rpartition(".")[2]] = reader
    assert pelican_adapter.article_from_answer(typogrified, settings["PATH"], path, answer) is None
