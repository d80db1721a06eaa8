"""The one-item changes the incremental tests make to a copy of the corpus, each in place.

Each takes the content folder; they are meant to run in this order (edit, add, unpublish,
delete), each on a different item of the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

from topicfeed.site_model.records import SiteModel

NEW_ITEM = """---
title: "A brand new story about Power Apps"
excerpt: "Something new happened today."
publishedDateTime: 2026-11-29T08:00:16Z
webUrl: "https://powerapps.microsoft.com/en-us/blog/a-brand-new-story/"
type: article
provider:
  name: Microsoft
  domain: microsoft.com
topics:
  - Power Apps
---
"""


def _published(content: Path, year: str) -> Path:
    """The first published item of ``year`` (by file name)."""
    for path in sorted(content.glob(f"{year}-*.md")):
        if re.search(r"^published: true$", path.read_text(encoding="utf-8"), re.MULTILINE):
            return path
    raise AssertionError(f"no published item of {year} in the corpus")


def edit(content: Path) -> None:
    path = _published(content, "2022")
    path.write_text(path.read_text(encoding="utf-8").replace('excerpt: "', 'excerpt: "Edited: ', 1))


def add(content: Path) -> None:
    (content / "2026-11-29-a-brand-new-story.md").write_text(NEW_ITEM, encoding="utf-8")


def unpublish(content: Path) -> None:
    path = _published(content, "2021")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^published: true$", "published: false", text, flags=re.MULTILINE))


def delete(content: Path) -> None:
    _published(content, "2023").unlink()


#: The changes, in the order the tests make them.
CHANGES = (edit, add, unpublish, delete)


def retitle(content: Path, model: SiteModel) -> None:
    """A new title for the newest story that another story's page links to (as related)."""
    records = model.records()
    linked = {key for record in records for key in record.related}
    target = next(record for record in records if record.key in linked)
    path = content / target.source_path
    text = path.read_text(encoding="utf-8")
    assert '\ntitle: "' in text
    path.write_text(text.replace('\ntitle: "', '\ntitle: "Retitled: ', 1), encoding="utf-8")
