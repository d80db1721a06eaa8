"""A persistent store of what the reader made of each news file, so an unchanged file is not parsed.

Parsing the YAML and building the :class:`~topicfeed.model.NewsItem` is most of the cost of
reading an item. The store keeps the result per file, keyed by a digest of the file's bytes, its
path, the reader's settings and the reader's code (:func:`code_version`): a file whose digest has
a record is neither parsed nor modelled; anything else (a new or edited file, other settings,
other code) simply has no record and is read again. Modification times play no part in the
records, so a fresh ``git checkout`` (every mtime new) still finds them; they only let a file
whose stat is unchanged skip the reading and digesting (:mod:`.stat_table`).

Layout: ``<CACHE_PATH>/news-items/*.pack``. A pack holds records (each pickled on its own, so a
build unpickles only the records it asks for; not compressed, see :func:`pickled`) after an
index of their names and sizes, read in one go and never copied (:func:`_load_pack`); a build
writes at most one new pack, holding the records it had to parse, and nothing at all when
nothing changed. Why not Pelican's content cache (one pickle rewritten whole on every build:
~3 s at 10,000 items), and why not one file per record (a cold build then creates 10,000 files:
~6 s of file-system calls at 10,000 items):

- a pack is written to a temporary file of its own and moved into place with ``os.replace``, so
  no build ever sees half a pack, a killed build leaves at most a stray temporary file, and two
  builds at once each add their own pack;
- a pack that cannot be loaded (truncated, garbage, an older format) is ignored: its files are
  read again and the pack is replaced;
- when the packs are many or hold mostly records no current file uses (edited or deleted files),
  the build that notices writes one pack of the records it used and deletes the packs it loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import logging
import pickle
import sys
from pathlib import Path
from typing import Any, ClassVar

import topicfeed
from topicfeed import atomic_files, git_checkout
from topicfeed.content_stats import Look
from topicfeed.embed import Embed
from topicfeed.model import Image, NewsItem, Problem, Provider

from .stat_table import FileStat, StatTable, file_stat, packed

logger = logging.getLogger(__name__)

#: Bumped when the record layout changes (the code version covers everything else).
FORMAT = b"topicfeed-news-items-5"
FOLDER = "news-items"

#: A record: ``(item, problems)`` for a news item (``item`` None when the file is rejected).
Record = tuple[NewsItem | None, list[Problem]]
#: A record as stored (:func:`pickled`): a slice of its pack when loaded, bytes when made here.
Stored = bytes | memoryview

_RECORD_CLASSES = (NewsItem, Image, Provider, Embed, Problem)


@functools.cache
def code_version() -> bytes:
    """A digest of the code that turns a file into a record: the shared model and this reader.

    Every ``.py`` file at the top of the ``topicfeed`` package (model, text, URLs, embeds...) and
    in ``news_reader``, plus the versions of Python and of the YAML parsers.
    """
    digest = hashlib.blake2b(FORMAT, digest_size=32)
    package = Path(topicfeed.__file__).parent
    for path in sorted([*package.glob("*.py"), *Path(__file__).parent.glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(sys.version_info[:3]).encode())
    for name in ("yaml", "yaml_rs"):
        module = sys.modules.get(name)
        digest.update(f"{name} {getattr(module, '__version__', None)}\0".encode())
    return digest.digest()


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


_FIELDS = {cls: _fields(cls) for cls in _RECORD_CLASSES}


def _reduce(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen dataclass as its constructor and positional fields.

    The default for slotted dataclasses calls ``dataclasses.fields`` for every object, both ways;
    that was most of the cost of Pelican's content cache for news items.
    """
    cls = type(obj)
    return cls, tuple(getattr(obj, name) for name in _FIELDS[cls])


# Loading a record makes new objects for all it holds, while the reader shares equal ones
# (:meth:`ModelSettings.share`): a related entry repeats the title and URLs of a story the feed
# has as an item too, and every item of a source repeats its provider. So an item's texts are
# interned as it is loaded, and equal providers are one object: at 10,000 items the loaded
# records held 63.6 MB before, 48.6 MB after (35,959 providers, 398 distinct), for 5.6 us more
# per record (24.4 to 30.0 us).

#: The fields :func:`_news_item` takes, in order; checked against the model when this loads.
_ITEM_FIELDS = (
    "title", "excerpt", "published_at", "url", "provider", "kind", "amp_url", "cdn_amp_url",
    "original_url", "quality", "heat", "images", "embed", "topics", "related", "published",
    "category", "source_path", "url_keys", "fingerprint",
)  # fmt: skip
if _FIELDS[NewsItem] != _ITEM_FIELDS:
    raise RuntimeError(f"NewsItem's fields changed; update _news_item: {_FIELDS[NewsItem]}")
if hasattr(NewsItem, "__post_init__"):
    raise RuntimeError("NewsItem has a __post_init__, which _news_item would skip")

# A loaded item's fields are set through its slots, as the frozen dataclass's own ``__init__``
# does with ``object.__setattr__``, without the keyword handling and the twenty attribute
# lookups of that call: 2.9 against 7.1 us an item on a slow hour (a record holds its item and
# about 3.6 related entries, each a NewsItem). Every field is given, so no default is needed.
_new_object = object.__new__
(
    _set_title, _set_excerpt, _set_published_at, _set_url, _set_provider, _set_kind, _set_amp_url,
    _set_cdn_amp_url, _set_original_url, _set_quality, _set_heat, _set_images, _set_embed,
    _set_topics, _set_related, _set_published, _set_category, _set_source_path, _set_url_keys,
    _set_fingerprint,
) = (getattr(NewsItem, name).__set__ for name in _ITEM_FIELDS)  # fmt: skip


def _news_item(*fields: Any) -> NewsItem:
    """A :class:`NewsItem` from its fields in order (:func:`_reduce_item`), its texts interned."""
    (title, excerpt, published_at, url, provider, kind, amp_url, cdn_amp_url, original_url,
     quality, heat, images, embed, topics, related, published, category, source_path, url_keys,
     fingerprint) = fields  # fmt: skip
    intern = sys.intern
    item = _new_object(NewsItem)
    _set_title(item, intern(title))
    _set_excerpt(item, intern(excerpt))
    _set_published_at(item, published_at)
    _set_url(item, intern(url))
    _set_provider(item, provider)
    _set_kind(item, intern(kind))
    _set_amp_url(item, None if amp_url is None else intern(amp_url))
    _set_cdn_amp_url(item, None if cdn_amp_url is None else intern(cdn_amp_url))
    _set_original_url(item, None if original_url is None else intern(original_url))
    _set_quality(item, quality)
    _set_heat(item, heat)
    _set_images(item, images)
    _set_embed(item, embed)
    _set_topics(item, tuple(map(intern, topics)))
    _set_related(item, related)
    _set_published(item, published)
    _set_category(item, intern(category))
    _set_source_path(item, source_path)
    _set_url_keys(item, tuple(map(intern, url_keys)))
    _set_fingerprint(item, fingerprint)
    return item


_set_image_url, _set_image_width, _set_image_height, _set_image_title = (
    getattr(Image, name).__set__ for name in ("url", "width", "height", "title")
)
if _FIELDS[Image] != ("url", "width", "height", "title") or hasattr(Image, "__post_init__"):
    raise RuntimeError(f"Image's fields changed; update _image: {_FIELDS[Image]}")


def _image(url: str, width: int | None, height: int | None, title: str) -> Image:
    """An :class:`Image` from its fields, set as :func:`_news_item` sets an item's (about 1.3
    images a record, and one for each related entry)."""
    image = _new_object(Image)
    _set_image_url(image, url)
    _set_image_width(image, width)
    _set_image_height(image, height)
    _set_image_title(image, title)
    return image


def _reduce_item(item: NewsItem) -> tuple[Any, tuple[Any, ...]]:
    return _news_item, tuple(getattr(item, name) for name in _FIELDS[NewsItem])


@functools.lru_cache(maxsize=65536)
def _provider(name: str, domain: str, logo: tuple[Any, ...] | None) -> Provider:
    """One object for equal providers; the logo comes as its fields, so the key is hashed in C."""
    return Provider(name, domain, None if logo is None else _image(*logo))


def _reduce_image(image: Image) -> tuple[Any, tuple[Any, ...]]:
    return _image, (image.url, image.width, image.height, image.title)


def _reduce_provider(provider: Provider) -> tuple[Any, tuple[Any, ...]]:
    logo = provider.logo
    return _provider, (provider.name, provider.domain, None if logo is None else _reduce(logo)[1])


class _Pickler(pickle.Pickler):
    dispatch_table: ClassVar[dict[type, Any]] = {
        **dict.fromkeys(_RECORD_CLASSES, _reduce),
        NewsItem: _reduce_item,
        Image: _reduce_image,
        Provider: _reduce_provider,
    }


def pickled(record: Record) -> bytes:
    """One record as the store keeps it and a forked reader hands it to the build: pickled.

    Not compressed: zlib (level 1) made records 2.4x smaller, but inflating a record took a third
    of opening it (15 of 45 us at 10,000 items), and opening the stored records is most of what
    an unchanged item costs the news reader. The store is 3.5 KB per item (35 MB at 10,000).
    """
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, record))
    return buffer.getvalue()


def unpickled(raw: Stored) -> Record | None:
    """The record in ``raw`` (:func:`pickled`), or None when it is not a whole, well-formed record
    of this format."""
    try:
        stored = pickle.loads(raw)  # noqa: S301 - the build's own cache folder, as Pelican's
    except Exception:  # a damaged record is a missing record
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT):
        return None
    record = stored[1]
    if not (isinstance(record, tuple) and len(record) == 2):
        return None
    item, problems = record
    if (item is not None and not isinstance(item, NewsItem)) or not isinstance(problems, list):
        return None
    if not all(isinstance(problem, Problem) for problem in problems):
        return None
    return item, problems


#: More packs than this, or more stale records than a quarter of the live ones: compact.
MAX_PACKS = 8


class ItemStore:
    """The records of one folder, for one build; ``key`` covers the reader's settings.

    Loaded on the first :meth:`get`; :meth:`save` writes what this build added, once reading is done.
    ``stats`` (:mod:`.stat_table`), under the same key, names the record of a file whose stat is
    unchanged, or that git reports unchanged since (a fresh checkout), so that file is not read
    (:meth:`known`).
    """

    def __init__(self, folder: Path, key: bytes, look: Look | None = None) -> None:
        """``look``: the run's first look at the content folder (:mod:`topicfeed.content_stats`),
        whose stats :meth:`file_stat` gives instead of taking them again."""
        self.folder = folder
        self._key = hashlib.blake2b(code_version() + key, digest_size=32).digest()
        self._look = {} if look is None else look.stats
        self.stats = StatTable(folder, self._key, None if look is None else look.started_ns)
        self._git = None if look is None else look.git
        self._unvouched = 0
        self._records: dict[str, Stored] | None = None
        self._packs: list[Path] = []
        self._damaged = 0
        self._new: dict[str, Stored] = {}

    def file_stat(self, path: str, source_path: str) -> FileStat | None:
        """The stat of the file at ``source_path`` (``path`` relative to the content folder) that
        the stat table compares: the run's look's, else taken now (:func:`.stat_table.file_stat`)."""
        seen = self._look.get(path)
        return file_stat(source_path) if seen is None else packed(seen)

    def blob_of(self, data: bytes) -> str | None:
        """The git blob id of a file's bytes, for the file stats, while git may have a word on
        the content folder (:mod:`topicfeed.git_checkout`); else None, and nothing is computed."""
        return git_checkout.blob_id(data) if self._git is not None and self._git.may_answer() else None

    def digest(self, path: str, data: bytes) -> str:
        """The record name of a file: its path and bytes under the settings-and-code key."""
        digest = hashlib.blake2b(key=self._key, digest_size=20)
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _load(self) -> dict[str, Stored]:
        if self._records is None:
            self.stats.load()  # with the packs: forked readers inherit both
            self._records = {}
            try:
                packs = sorted(self.folder.glob("*.pack"))
            except OSError:
                packs = []
            for pack in packs:
                records = _load_pack(pack)
                if records is None:
                    logger.debug("news item store: %s is damaged; its files are read again", pack)
                    self._damaged += 1
                else:
                    self._records.update(records)
                self._packs.append(pack)
        return self._records

    def size(self) -> int:
        """How many records the packs hold (loading them, once)."""
        return len(self._load())

    def known(self, path: str, stat: FileStat) -> str | None:
        """The digest of ``path`` without reading it: its stat is the one recorded with a digest
        that has a record here (unchecked). None: read the file."""
        records = self._load()
        digest = self.stats.digest(path, stat)
        if digest is None and records and self._git is not None:  # a fresh checkout? git's word
            self._unvouched += 1
            if self._unvouched >= git_checkout.ASK_AFTER and (found := self._git.get()) is not None:
                digest = self.stats.by_blob(
                    path, stat, found.blobs.get(path), git_checkout.conversions_tag(found)
                )
        return digest if digest is not None and digest in records else None

    def stored(self, digest: str) -> Stored | None:
        """The stored (pickled) record named ``digest``, unchecked; None when there is none."""
        return self._load().get(digest)

    def get(self, digest: str) -> Record | None:
        data = self._load().get(digest)
        if data is None:
            return None
        record = unpickled(data)
        if record is None:
            self.damaged(digest)
        return record

    def damaged(self, digest: str) -> None:
        """Record ``digest`` is there but cannot be loaded: its file is read again, the store compacted."""
        self._damaged += 1
        logger.debug("news item store: record %s is damaged; the file is read again", digest)

    def put(self, digest: str, record: Record) -> None:
        """Keep a record for :meth:`save`."""
        self._new[digest] = pickled(record)

    def put_stored(self, digest: str, data: bytes) -> None:
        """Keep a record already in its stored form (:func:`pickled`, made by a forked reader)."""
        self._new[digest] = data

    def release(self) -> None:
        """Drop the records held in memory once saved: the readers keep a reference to the store
        until the build ends, and the forked renderers would inherit them (about 350 MB of packs
        at 100,000 items). A read after this finds no record and parses, which stays correct."""
        self._new = {}
        self._records = {}
        self.stats.release()

    def save(self, used: set[str]) -> str:
        """Write this build's records: nothing, one pack of the new ones, or one of all ``used``;
        then the file stats (after the packs: an entry whose record is missing only costs a read).

        Returns what was done to the packs, for the log. A store that cannot be written only costs
        speed.
        """
        done = self._save_packs(used)
        conversions = "" if self._git is None else self._git.conversions()
        logger.debug("news item store: file stats %s", self.stats.save(conversions))
        return done

    def add(self, records: dict[str, Stored]) -> str:
        """Write ``records`` as one more pack, and nothing else: what a rebuild from the site
        model parsed (it reads without a build's ledger, so :meth:`save` is not its to call).
        The next rebuild finds them by their files' digests instead of parsing the files again
        (their stats are not recorded: the table is rewritten whole, 12 MB at 100,000 items);
        the next full build compacts the packs. A pack that cannot be written only costs speed.
        """
        if not records:
            return "nothing written"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_pack(self.folder, dict(sorted(records.items())))
        except OSError as error:
            logger.debug("news item store: cannot add to %s: %s", self.folder, error)
            return "not written"
        return f"{len(records)} records added"

    def _save_packs(self, used: set[str]) -> str:
        records = self._load()
        stale = len(records.keys() - used)
        compact = self._damaged or len(self._packs) >= MAX_PACKS or stale > 16 + len(used) // 4
        if compact:
            chosen = {
                d: self._new.get(d) or records[d] for d in sorted(used) if d in self._new or d in records
            }
        else:
            chosen = dict(sorted(self._new.items()))
        if not chosen and not compact:
            return "nothing written"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            written = _write_pack(self.folder, chosen) if chosen else None
        except OSError as error:
            logger.warning("news item store: cannot write to %s: %s", self.folder, error)
            return "not written"
        if not compact:
            return f"{len(chosen)} records added"
        for pack in self._packs:
            if pack != written:
                pack.unlink(missing_ok=True)
        return f"compacted to {len(chosen)} records"


def _load_pack(path: Path) -> dict[str, Stored] | None:
    """The records of a pack: slices of the file's bytes, as its index (name: size) lists them.

    The pack is one read, and its records stay in that one buffer: a pickled ``{name: bytes}``
    made a copy of every record (twice the memory while loading, 350 MB more at 100,000 items).
    A pack whose index does not end where its records do is damaged (truncated, for one).
    """
    try:
        data = path.read_bytes()
        stream = io.BytesIO(data)
        stored = pickle.load(stream)  # noqa: S301 - the build's own cache folder
    except Exception:  # a damaged pack is a missing pack
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT):
        return None
    index = stored[1]
    if not isinstance(index, dict):
        return None
    view = memoryview(data)
    records: dict[str, Stored] = {}
    start = stream.tell()
    for name, size in index.items():
        if not (isinstance(name, str) and type(size) is int and size >= 0):
            return None
        records[name] = view[start : start + size]
        start += size
    return records if start == len(data) else None


def _write_pack(folder: Path, records: dict[str, Stored]) -> Path:
    """Write ``records`` as one pack named after its digest, streamed record by record.

    Joining the pack in memory first doubled what the records take while it was written (about
    350 MB more at 100,000 items, at the moment the build's memory peaked); the bytes and the
    name are the same either way.
    """
    index = {name: len(record) for name, record in records.items()}
    head = pickle.dumps((FORMAT, index), protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(digest_size=12)
    with atomic_files.writing(folder / "pack") as pending:  # named after its bytes once written
        for part in (head, *records.values()):
            digest.update(part)
            pending.stream.write(part)
        pending.target = folder / f"{digest.hexdigest()}.pack"
    return pending.target
