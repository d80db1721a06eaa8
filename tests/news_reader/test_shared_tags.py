"""The reader makes one Tag per topic name, however many items carry it."""

from __future__ import annotations

import shutil
from pathlib import Path

from pelican.settings import DEFAULT_CONFIG
from support.build import CORPUS

from topicfeed.news_reader.reader import NewsReader
from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.settings import apply
from topicfeed.text import topic_slug


def test_items_with_a_topic_share_its_one_tag(tmp_path: Path) -> None:
    files = sorted(CORPUS.rglob("*.md"))[:60]
    for path in files:
        shutil.copy(path, tmp_path / path.name)
    config = dict(DEFAULT_CONFIG, PATH=str(tmp_path), NEWS_ITEM_STORE=False)
    apply(config, READER_SETTINGS)
    reader = NewsReader(config)
    tags = [tag for path in sorted(tmp_path.iterdir()) for tag in reader.read(str(path))[1].get("tags", [])]
    by_name: dict[str, set[int]] = {}
    for tag in tags:
        by_name.setdefault(tag.name, set()).add(id(tag))
    assert len(tags) > len(by_name) > 3, "the sample repeats topics"
    assert all(len(ids) == 1 for ids in by_name.values())
    assert all(tag.slug == topic_slug(tag.name) for tag in tags)
