"""The Pelican reader for news items.

``read`` never raises for bad input: it returns metadata with ``status: skip`` and the list of
problems, which the plugin logs on every build (even when Pelican serves the file from its
cache). Unpublished items are skipped the same way, so Pelican writes nothing for them; only the
editors' preview (``PREVIEW``) makes them articles, whose item says ``published=False``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import os
from typing import Any, ClassVar

from pelican.contents import Category, Tag
from pelican.readers import BaseReader, MarkdownReader

from topicfeed import permalinks
from topicfeed.items import ITEM_KEY, PROBLEMS_KEY
from topicfeed.model import ModelSettings, NewsItem, Problem, build_item
from topicfeed.site import site_timezone
from topicfeed.text import title_slug, topic_slug

from .source import SourceError, decode, is_news_item, load_front_matter


def model_settings(settings: dict[str, Any]) -> ModelSettings:
    """What the item model needs of the (declared, checked) settings."""
    return ModelSettings(
        timezone=site_timezone(settings),
        embed_hosts=tuple(settings["NEWS_EMBED_HOSTS"]),
        asset_base_url=settings["NEWS_ASSET_BASE_URL"] or None,
        read_unpublished=settings["PREVIEW"],
    )


class NewsReader(BaseReader):
    """Reads exporter items (YAML front matter only); other Markdown goes to Pelican's reader.

    Pelican registers it for each of ``NEWS_FILE_EXTENSIONS`` (see the plugin), so the class
    itself claims none.
    """

    enabled = True
    file_extensions: ClassVar[list[str]] = []

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.model_settings = model_settings(settings)
        self.extensions_read = tuple(settings["NEWS_FILE_EXTENSIONS"])
        self.max_bytes = settings["NEWS_MAX_FILE_BYTES"]
        self._markdown: MarkdownReader | None = None
        # The item depends on its text, its path and the model settings (code changes are
        # covered by the incremental writer's own key).
        self._fingerprint_key = hashlib.blake2b(
            repr((self.model_settings, self.extensions_read)).encode(), digest_size=32
        ).digest()

    def _relative(self, source_path: str) -> str:
        base = self.settings["PATH"] or ""
        try:
            return os.path.relpath(source_path, base) if base else source_path
        except ValueError:
            return source_path

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = self._relative(source_path)
        extension = source_path.rsplit(".", 1)[-1].lower()
        try:
            with open(source_path, "rb") as handle:
                text = decode(handle.read(self.max_bytes + 1), self.max_bytes)
            if not is_news_item(text, extension, self.extensions_read):
                return self._read_markdown(source_path)
            raw, body, duplicates = load_front_matter(text)
        except SourceError as error:
            return self._rejected([Problem(path, error.field, error.message, fatal=True)])
        except OSError as error:
            return self._rejected([Problem(path, "(file)", f"cannot be read: {error.strerror}", fatal=True)])
        item, problems = build_item(raw, path, self.model_settings)
        if item is not None:
            source = hashlib.blake2b(f"{path}\0{text}".encode(), digest_size=16, key=self._fingerprint_key)
            item = dataclasses.replace(item, fingerprint=source.hexdigest())
        if body.strip():
            problems.append(Problem(path, "(body)", "text after the front matter is ignored"))
        for key in duplicates:
            problems.append(Problem(path, key, "given more than once; the last value is used"))
        if item is None:
            return self._rejected(problems)
        return self._metadata(item, problems)

    def _read_markdown(self, source_path: str) -> tuple[str, dict[str, Any]]:
        if self._markdown is None:
            self._markdown = MarkdownReader(self.settings)
        if not self._markdown.enabled:
            raise SourceError("(file)", "Markdown is not installed")
        return self._markdown.read(source_path)

    @staticmethod
    def _rejected(problems: list[Problem]) -> tuple[str, dict[str, Any]]:
        return "", {"status": "skip", PROBLEMS_KEY: problems}

    def _metadata(self, item: NewsItem, problems: list[Problem]) -> tuple[str, dict[str, Any]]:
        """Pelican metadata for one item: the plain-text fields stay text, escaped by templates."""
        excerpt_html = f"<p>{html.escape(item.excerpt)}</p>" if item.excerpt else ""
        tags = []
        for name in item.topics:
            tag = Tag(name, self.settings)
            tag.slug = topic_slug(name)
            tags.append(tag)
        # api: an exporter file name (YYYY-MM-DD-slug.md) gives the URL, as on its Jekyll site.
        permalink = permalinks.for_item(item.source_path, self.settings)
        metadata: dict[str, Any] = {
            "title": item.title,
            "date": item.published_at.astimezone(self.model_settings.timezone),
            "slug": permalink.slug if permalink else title_slug(item.title, item.key),
            "category": Category(item.category, self.settings),
            "summary": excerpt_html,
            # Pelican writes nothing for "skip"; the preview shows unpublished items too.
            "status": "published" if item.published or self.model_settings.read_unpublished else "skip",
            ITEM_KEY: item,
            PROBLEMS_KEY: problems,
        }
        if tags:
            metadata["tags"] = tags
        if permalink:
            metadata[permalinks.PERMALINK_KEY] = permalink
        return excerpt_html, metadata
