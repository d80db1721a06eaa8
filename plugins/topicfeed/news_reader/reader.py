"""The Pelican reader for news items.

``read`` never raises for bad input: it returns metadata with ``status: skip`` and the list of
problems, which the plugin logs on every build (even when Pelican serves the file from its
cache). Unpublished items are skipped the same way, so Pelican writes nothing for them; only the
editors' preview (``PREVIEW``) makes them articles, whose item says ``published=False``.

What parsing and modelling made of a file is kept in the news item store (:mod:`.item_store`,
``NEWS_ITEM_STORE``): a file whose bytes, path, settings and reader code are unchanged is taken
from there, not parsed again; its problems are logged as if it had been. A file whose stat is the
one recorded with its record is not even read (:mod:`.stat_table`).

When reading starts, forked readers (:mod:`.prefetch`, ``NEWS_READ_PROCESSES``) do the part of
``read`` that does not need Pelican (reading, digesting, parsing or opening the stored record)
for every news file; ``read`` then takes a file's prepared result and does the rest as for a file
it read itself, so counts, store, problems and metadata are the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import os
import re
from pathlib import Path
from typing import Any, ClassVar

from pelican.contents import Category, Tag
from pelican.readers import BaseReader, MarkdownReader
from pelican.utils import SafeDatetime

from topicfeed import content_stats, pelican_adapter, permalinks
from topicfeed.build import Build, MissingProduct
from topicfeed.items import ITEM_KEY, PROBLEMS_KEY
from topicfeed.ledger import Ledger
from topicfeed.model import ModelSettings, NewsItem, Problem, build_item
from topicfeed.site import site_timezone
from topicfeed.text import title_slug, topic_slug

from .item_store import FOLDER, ItemStore, Record
from .prefetch import Prepared, take_prepared
from .source import SourceError, decode, is_news_item, load_front_matter
from .stat_table import FileStat

#: Bytes as they are (``O_BINARY``: no newline translation on Windows).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)

#: A date in a file name (Pelican's ``FILENAME_METADATA``), e.g. ``2024-04-11``.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def model_settings(settings: dict[str, Any]) -> ModelSettings:
    """What the item model needs of the (declared, checked) settings."""
    return ModelSettings(
        timezone=site_timezone(settings),
        embed_hosts=tuple(settings["NEWS_EMBED_HOSTS"]),
        asset_base_url=settings["NEWS_ASSET_BASE_URL"] or None,
        read_unpublished=settings["PREVIEW"],
    )


def _is_plain(rest: str) -> bool:
    """``rest`` (a path below a normalised folder) has no ``.`` or ``..`` component, no doubled or
    alternative separator and no separator at its end: ``normpath`` would keep it as is.

    Only the components count: a folder named ``.bench`` or ``.cache`` is plain (checking for a
    separator followed by a dot sent every file of such a content folder through ``relpath``).
    """
    sep = os.sep
    framed = f"{sep}{rest}{sep}"
    return (
        bool(rest)
        and f"{sep}.{sep}" not in framed
        and f"{sep}..{sep}" not in framed
        and f"{sep}{sep}" not in framed
        and (os.altsep is None or os.altsep not in rest)
    )


class FileParser:
    """What a news file becomes, from its path and bytes: no Pelican, no logging, no store.

    The reader uses it for each file it parses itself; forked readers (:mod:`.prefetch`) use a
    copy made before the fork, so both give the same records for the same bytes.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self.model_settings = model_settings(settings)
        self.extensions_read = tuple(settings["NEWS_FILE_EXTENSIONS"])
        self.max_bytes = settings["NEWS_MAX_FILE_BYTES"]
        self.base = settings["PATH"] or ""
        # Pelican gives readers absolute, normalised paths under PATH: those are relative to it
        # once this prefix is cut (3 us a file less than ``relpath``, 10,000 files every build).
        self._prefix = os.path.join(os.path.abspath(self.base), "") if self.base else ""
        # The item depends on its text, its path and the model settings (code changes are
        # covered by the incremental writer's own key).
        self._fingerprint_key = hashlib.blake2b(
            repr((self.model_settings, self.extensions_read)).encode(), digest_size=32
        ).digest()

    def relative(self, source_path: str) -> str:
        """The path problems and records name: relative to ``PATH``, as ``os.path.relpath`` gives it."""
        if self._prefix and source_path.startswith(self._prefix):
            rest = source_path[len(self._prefix) :]
            if _is_plain(rest):
                return rest
        try:
            return os.path.relpath(source_path, self.base) if self.base else source_path
        except ValueError:
            return source_path

    def read_bytes(self, source_path: str) -> bytes:
        """The file's bytes, at most one past the size limit; raises OSError.

        With the file descriptor itself, not ``open``: a buffered file object costs two more
        system calls (a second ``fstat``, the ``isatty`` check) and two objects per file, 40% of
        the 15 us that reading an unchanged item's bytes took (10,000 files every build).
        """
        handle = os.open(source_path, _READ_FLAGS)
        try:
            # read(n) allocates n bytes first: a 1 MB buffer per file, shrunk after, fragments
            # the heap when what was read stays alive (3 s of page faults at 10,000 items).
            wanted = min(os.fstat(handle).st_size, self.max_bytes) + 1
            data = os.read(handle, wanted)
            while len(data) < wanted:  # a short read (a growing file, a pipe): on to the end
                more = os.read(handle, wanted - len(data))
                if not more:
                    break
                data += more
            return data
        finally:
            os.close(handle)

    def parse(self, source_path: str, path: str, data: bytes) -> Record | None:
        """Parse and model one file: its item (None if rejected) and problems; None for Markdown."""
        extension = source_path.rsplit(".", 1)[-1].lower()
        try:
            text = decode(data, self.max_bytes)
            if not is_news_item(text, extension, self.extensions_read):
                return None
            raw, body, duplicates = load_front_matter(text)
        except SourceError as error:
            return None, [Problem(path, error.field, error.message, fatal=True)]
        item, problems = build_item(raw, path, self.model_settings)
        if item is not None:
            source = hashlib.blake2b(f"{path}\0{text}".encode(), digest_size=16, key=self._fingerprint_key)
            item = dataclasses.replace(item, fingerprint=source.hexdigest())
        if body.strip():
            problems.append(Problem(path, "(body)", "text after the front matter is ignored"))
        for key in duplicates:
            problems.append(Problem(path, key, "given more than once; the last value is used"))
        return item, problems


class NewsReader(BaseReader):
    """Reads exporter items (YAML front matter only); other Markdown goes to Pelican's reader.

    Pelican registers it for each of ``NEWS_FILE_EXTENSIONS`` (see the plugin), so the class
    itself claims none.
    """

    enabled = True
    file_extensions: ClassVar[list[str]] = []

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.parser = FileParser(settings)
        self.model_settings = self.parser.model_settings
        self._markdown: MarkdownReader | None = None
        #: Items already read, by file (absolute path): made into metadata without reading the
        #: file again (the site model's articles, whose items the prediction has).
        self.given: dict[str, NewsItem] = {}
        self._store, self._ledger = open_store(settings)
        _share_until_read(settings, self.model_settings)
        # One Category per name: Pelican slugifies a category's name the first time its URL is
        # formatted, once per object (0.7 s at 10,000 items with a new object per item).
        self._categories: dict[str, Category] = {}
        # One Tag per topic name, as one Category per name: Pelican makes a Tag per article and
        # topic (about 180,000 at 100,000 items, 400 bytes each), all equal by name and slug.
        # ``make_topic_slugs_unique`` sets the slug of each once the articles are read.
        self._tags: dict[str, Tag] = {}
        # One default author for the same reason: the one Pelican would give, not one per article.
        self._author = pelican_adapter.default_author(settings)

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's, but a file name's ``YYYY-MM-DD`` is parsed without dateutil (0.1 ms a file).

        The value is the one Pelican's ``get_date`` gives; an impossible date still goes to
        Pelican, which fails the file as it always did.
        """
        if name == "date" and isinstance(value, str) and _ISO_DAY.fullmatch(value):
            try:
                return SafeDatetime(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                pass
        return super().process_metadata(name, value)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        given = self.given.get(source_path)
        if given is not None:
            return self._metadata(given, [])
        prepared = take_prepared(self.settings, source_path)
        if prepared is not None:
            return self._read_prepared(source_path, prepared)
        path = self.parser.relative(source_path)
        store = self._store
        stat = store.file_stat(path, source_path) if store is not None else None
        known = store.known(path, stat) if store is not None and stat is not None else None
        if known is not None and store is not None:  # the stat is the one recorded: not read
            record = store.get(known)
            if record is not None:
                return self._reused(path, stat, known, record)
        try:
            data = self.parser.read_bytes(source_path)
        except OSError as error:
            return self._rejected([Problem(path, "(file)", f"cannot be read: {error.strerror}", fatal=True)])
        digest = store.digest(path, data) if store is not None else ""
        blob = store.blob_of(data) if store is not None else None
        # A damaged record under the known digest was counted already: the file is parsed.
        record = store.get(digest) if store is not None and digest != known else None
        if record is not None:
            return self._reused(path, stat, digest, record, blob)
        record = self.parser.parse(source_path, path, data)
        if record is None:
            return self._read_markdown(source_path)
        if store is not None and self._ledger is not None:
            store.put(digest, record)
            self._ledger.parsed += 1
            if stat is not None:
                store.stats.note(path, stat, digest, blob)
        return self._result(digest, record)

    def answer(self, item: NewsItem) -> tuple[str, dict[str, Any]]:
        """What :meth:`read` gives for a file whose item is ``item`` (as for one in ``given``)."""
        return self._metadata(item, [])

    def _reused(
        self, path: str, stat: FileStat | None, digest: str, record: Record, blob: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """A file whose record came from the store (``stat``: the file's, taken before reading;
        ``blob``: the git blob id of the bytes read, None when it was not read)."""
        if self._ledger is not None:
            self._ledger.reused += 1
        if self._store is not None and stat is not None:
            self._store.stats.note(path, stat, digest, blob)
        return self._result(digest, record)

    def _read_prepared(self, source_path: str, prepared: Prepared) -> tuple[str, dict[str, Any]]:
        """A file a forked reader has read: the same counts, store records, file stats and result
        as :meth:`read`."""
        if prepared.damaged and self._store is not None:
            self._store.damaged(prepared.digest)
        if prepared.record is None:
            return self._read_markdown(source_path)
        path = self.parser.relative(source_path)
        if not prepared.parsed:
            return self._reused(path, prepared.stat, prepared.digest, prepared.record, prepared.blob)
        if self._store is not None and self._ledger is not None and prepared.stored is not None:
            self._store.put_stored(prepared.digest, prepared.stored)
            self._ledger.parsed += 1
            if prepared.stat is not None:
                self._store.stats.note(path, prepared.stat, prepared.digest, prepared.blob)
        return self._result(prepared.digest, prepared.record)

    def _result(self, digest: str, record: Record) -> tuple[str, dict[str, Any]]:
        if self._ledger is not None and digest:
            self._ledger.records.add(digest)
        item, problems = record
        if item is None:
            return self._rejected(problems)
        return self._metadata(item, problems)

    def _read_markdown(self, source_path: str) -> tuple[str, dict[str, Any]]:
        if self._markdown is None:
            self._markdown = MarkdownReader(self.settings)
        if not self._markdown.enabled:
            raise SourceError("(file)", "Markdown is not installed")
        return self._markdown.read(source_path)

    def _category(self, name: str) -> Category:
        category = self._categories.get(name)
        if category is None:
            category = self._categories[name] = Category(name, self.settings)
        return category

    @staticmethod
    def _rejected(problems: list[Problem]) -> tuple[str, dict[str, Any]]:
        return "", {"status": "skip", PROBLEMS_KEY: problems}

    def listed(self, item: NewsItem) -> dict[str, Any]:
        """The part of :meth:`_metadata` a list page shows (the item, its headline, date and
        topics; no topics, no ``tags``), made as :meth:`_metadata` makes it: a rebuild's list
        pages show thousands of stories and make no article for any (``news-listed-articles``)."""
        shown: dict[str, Any] = {
            "title": item.title,
            "date": item.published_at.astimezone(self.model_settings.timezone),
            ITEM_KEY: item,
        }
        if item.topics:
            tags = []
            for name in item.topics:
                tag = self._tags.get(name)
                if tag is None:
                    tag = self._tags[name] = Tag(name, self.settings)
                    tag.slug = topic_slug(name)
                tags.append(tag)
            shown["tags"] = tags
        return shown

    def _metadata(self, item: NewsItem, problems: list[Problem]) -> tuple[str, dict[str, Any]]:
        """Pelican metadata for one item: the plain-text fields stay text, escaped by templates."""
        excerpt_html = f"<p>{html.escape(item.excerpt)}</p>" if item.excerpt else ""
        listed = self.listed(item)
        tags = listed.get("tags")
        # api: an exporter file name (YYYY-MM-DD-slug.md) gives the URL, as on its Jekyll site.
        permalink = permalinks.for_item(item.source_path, self.settings)
        metadata: dict[str, Any] = {
            "title": listed["title"],
            "date": listed["date"],
            "slug": permalink.slug if permalink else title_slug(item.title, item.key),
            "category": self._category(item.category),
            "summary": excerpt_html,
            # Pelican writes nothing for "skip"; the preview shows unpublished items too.
            "status": "published" if item.published or self.model_settings.read_unpublished else "skip",
            ITEM_KEY: item,
            PROBLEMS_KEY: problems,
        }
        if tags:
            metadata["tags"] = tags
        if self._author is not None:
            metadata["author"] = self._author
        if permalink:
            metadata[permalinks.PERMALINK_KEY] = permalink
        return excerpt_html, metadata


def store_key(settings: dict[str, Any]) -> bytes:
    """What, besides a file's bytes and path, decides what the reader makes of it."""
    return repr(
        (model_settings(settings), tuple(settings["NEWS_FILE_EXTENSIONS"]), settings["NEWS_MAX_FILE_BYTES"])
    ).encode()


def open_store(settings: dict[str, Any]) -> tuple[ItemStore | None, Ledger | None]:
    """The build's item store (one for all readers) and ledger; None when off or outside a build."""
    try:
        build = Build.of(settings)
    except MissingProduct:
        return None, None  # a reader made by hand (tests, tools): no build to count for
    if not settings["NEWS_ITEM_STORE"] or not settings.get("CACHE_PATH"):
        return None, build.ledger
    owner, store = _STORES.get(id(build), (None, None))
    if owner is not build or store is None:
        store = ItemStore(
            Path(settings["CACHE_PATH"]) / FOLDER, store_key(settings), content_stats.look(settings)
        )
        _STORES[id(build)] = (build, store)
    return store, build.ledger


def close_store(settings: dict[str, Any]) -> str:
    """Save and forget the build's item store once every file is read; says what was written."""
    try:
        build = Build.of(settings)
    except MissingProduct:
        return "off"
    owner, store = _STORES.pop(id(build), (None, None))
    if owner is not build or store is None:
        return "off" if not settings["NEWS_ITEM_STORE"] else "not used"
    try:
        return store.save(build.ledger.records)
    finally:
        store.release()


#: The item store of each running build (by ``id`` of its :class:`Build`): Pelican makes a reader
#: per extension spelling and generator, and all of them share one store.
_STORES: dict[int, tuple[Build, ItemStore]] = {}

#: The model settings of each running build's readers (by ``id`` of its :class:`Build`), whose
#: shared objects are dropped once every file is read (:func:`end_sharing`).
_SHARING: dict[int, tuple[Build, list[ModelSettings]]] = {}


def _share_until_read(settings: dict[str, Any], model: ModelSettings) -> None:
    try:
        build = Build.of(settings)
    except MissingProduct:
        return  # a reader made by hand: its table lives as long as the reader
    owner, models = _SHARING.get(id(build), (None, []))
    if owner is not build:
        models = []
        _SHARING[id(build)] = (build, models)
    models.append(model)


def end_sharing(settings: dict[str, Any]) -> None:
    """Empty the readers' tables of shared objects once every file is read.

    Only reading needs them (to find the object an equal text already has); the items keep the
    objects. The tables themselves held a slot for each distinct text, URL and provider until the
    build ended: 58 MB at 100,000 items, while the API and the search index set the peak.
    """
    try:
        build = Build.of(settings)
    except MissingProduct:
        return
    owner, models = _SHARING.pop(id(build), (None, []))
    if owner is build:
        for model in models:
            model.shared.clear()
