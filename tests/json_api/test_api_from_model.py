"""A rebuild's API documents, written from the site model: each the fresh build's bytes, with
the links of only the stories whose own documents are written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.build import CORPUS, Build
from support.model_changes import model_of, news_files, site_settings

from topicfeed.json_api.from_model import write_api_from_model
from topicfeed.related_stories.graph import Related
from topicfeed.related_stories.links import Relations
from topicfeed.site_model.predict import prediction

ITEM_DOCUMENT = re.compile(r"^api/[^/]+/\d{4}/\d{2}/\d{2}/[^/]+/index\.json$")


def test_pages_make_no_links_and_item_documents_only_their_own(
    corpus_site: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages list stories without their related links (an added story shifts every page of the
    news collection: 4,000 of them at 100,000 items), so writing them makes none; an item's own
    document makes its own."""
    content = tmp_path / "content"
    shutil.copytree(CORPUS, content)
    planned = prediction(
        model_of(corpus_site.output), news_files(content), site_settings(content, tmp_path / "cache")
    )
    made: list[int] = []
    real = Related._relations

    def counted(self: Related, i: int) -> Relations:
        made.append(i)
        return real(self, i)

    monkeypatch.setattr(Related, "_relations", counted)
    paths = [entry[0] for entry in planned.model.api]
    pages = [path for path in paths if path.startswith("api/news/") and not ITEM_DOCUMENT.match(path)]
    assert len(pages) > 10 and "api/news/index.json" in pages  # the news collection's pages, and more
    assert write_api_from_model(planned.site, None, {}, pages, tmp_path / "pages") == set(pages)
    assert made == []
    for path in pages:
        assert (tmp_path / "pages" / path).read_bytes() == (corpus_site.output / path).read_bytes(), path

    # an item with related stories: its document shows them
    urls = [story.url for story in planned.site.stories]
    related: Related = planned.site.products["related-links"]
    position = next(i for i in range(len(related)) if related.keys(i).related)
    document = next(path for path in paths if ITEM_DOCUMENT.match(path) and urls[position].strip("/") in path)
    assert write_api_from_model(planned.site, None, {}, [document], tmp_path / "item") == {document}
    assert made == [position]
    assert (tmp_path / "item" / document).read_bytes() == (corpus_site.output / document).read_bytes()
