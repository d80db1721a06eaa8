"""Writing news-item files for tests, in the exporter's format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def item_fields(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A complete, valid item; ``overrides`` replace fields (None removes a field)."""
    fields: dict[str, Any] = {
        "category": "news",
        "title": f"Test story number {n}",
        "excerpt": f"Excerpt of test story {n} ...",
        "publishedDateTime": f"2024-03-{n % 27 + 1:02d}T10:00:00Z",
        "webUrl": f"https://news.example.com/stories/{n}",
        "type": "article",
        "quality": 50,
        "heat": 10,
        "published": True,
        "provider": {"name": "Example News", "domain": "example.com"},
        "topics": ["Testing"],
        "images": [{"url": f"https://img.example.com/{n}.jpg", "width": 800, "height": 450}],
        "secured": f"SECRETBLOB{n}xyz==;SALT{n}==",
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def dump_item(fields: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def write_item(folder: Path, name: str, fields: dict[str, Any] | None = None, **overrides: Any) -> Path:
    path = folder / name
    path.write_text(dump_item(fields if fields is not None else item_fields(**overrides)), encoding="utf-8")
    return path


def write_raw(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
