"""The reader under ``PREVIEW``: an unpublished item becomes an article, read in full, still marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican.settings import DEFAULT_CONFIG

from topicfeed.items import item_of
from topicfeed.model import ModelSettings, build_item
from topicfeed.news_reader.reader import NewsReader
from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.settings import apply

RAW = {
    "title": "A story not yet published",
    "publishedDateTime": "2024-03-02T10:00:00Z",
    "webUrl": "https://news.example.com/stories/2",
    "published": False,
    "images": [{"url": "https://img.example.com/2.jpg", "width": 800, "height": 450}],
    "related": [
        {
            "title": "A related story elsewhere",
            "publishedDateTime": "2024-03-01T09:00:00Z",
            "webUrl": "https://other.example.net/related/9",
        }
    ],
}


def test_the_model_reads_an_unpublished_item_in_full_only_for_the_preview() -> None:
    site, _ = build_item(RAW, "b.txt")
    preview, _ = build_item(RAW, "b.txt", ModelSettings(read_unpublished=True))
    assert site is not None and preview is not None
    assert not site.published and not preview.published
    assert site.images == () and site.related == ()  # the site never shows it: not read
    assert [image.url for image in preview.images] == ["https://img.example.com/2.jpg"]
    assert [entry.title for entry in preview.related] == ["A related story elsewhere"]


@pytest.mark.parametrize(("preview", "status"), [(False, "skip"), (True, "published")])
def test_the_reader_makes_unpublished_items_articles_only_in_the_preview(
    tmp_path: Path, preview: bool, status: str
) -> None:
    path = tmp_path / "b.txt"
    path.write_text(
        "---\ntitle: A story not yet published\npublishedDateTime: 2024-03-02T10:00:00Z\n"
        "webUrl: https://news.example.com/stories/2\npublished: false\n---\n",
        encoding="utf-8",
    )
    config = dict(DEFAULT_CONFIG, PATH=str(tmp_path), PREVIEW=preview)
    apply(config, READER_SETTINGS)
    _, metadata = NewsReader(config).read(str(path))
    assert metadata["status"] == status
    item = item_of(metadata)
    assert item is not None and item.published is False
