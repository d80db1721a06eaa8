"""The news item model: the one place that knows the exporter's spellings.

:func:`build_item` turns the raw YAML mapping of an item (or of one of its related entries) into
a frozen :class:`NewsItem`, reconciling every variant seen in the wild, and reports what it had
to drop or could not accept as :class:`Problem` lines. Everything after the reader sees only
``NewsItem`` objects, never the raw mapping, so ``secured`` and unknown fields cannot leak.
"""

from __future__ import annotations

import datetime as dt
import logging
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .embed import DEFAULT_EMBED_HOSTS, Embed, sanitize_embed
from .text import clean_text, topic_key
from .urls import clean_url, host_of, story_key

_T = TypeVar("_T")

MAX_DIMENSION = 20_000
FALSE_WORDS = frozenset({"false", "no", "off", "0", "n"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one file; ``fatal`` problems reject the item.

    ``notice`` marks a known exporter variant that was handled (logged at info level), as
    opposed to a warning about data that looks wrong.
    """

    path: str
    field: str
    message: str
    fatal: bool = False
    notice: bool = False

    def __str__(self) -> str:
        return " ".join(f"{self.path}: {self.field}: {self.message}".split())

    @property
    def level(self) -> int:
        """The logging level a build says it at (a rebuild from the site model says it the same)."""
        return logging.ERROR if self.fatal else logging.INFO if self.notice else logging.WARNING


#: Set (``extra``) on the log record of a news file's problem: what the content says, so the
#: same content says it again. A run that finds nothing changed repeats such a line, as it
#: repeats warnings, where an error of the build itself (a search index that failed) leaves no
#: record of the build, so that the next run is a full one (``unchanged_build``).
FROM_CONTENT = "topicfeed_from_content"


def log_problem(logger: logging.Logger, problem: Problem) -> None:
    """Say ``problem`` as every build says it, marked :data:`FROM_CONTENT` (the caller's line
    is the one the log shows)."""
    logger.log(problem.level, "%s", problem, extra={FROM_CONTENT: True}, stacklevel=2)


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    domain: str
    logo: Image | None = None


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A normalised news item, or a related entry.

    A related entry is only ever a link (:func:`topicfeed.related_stories.links.story_link`) or a
    key to find our own item for it, so it keeps its title, date, URL, provider, first image and
    the keys of all its URLs: no excerpt, other images, AMP or original URL, scores, embed,
    topics, related list or flag. Its fields are still checked (a bad one is still reported):
    the exporter repeats whole stories in every related list, and keeping all of them made the
    related entries two thirds of the memory the items hold (4.0 of 6.2 KB an item at 10,000).
    """

    title: str
    excerpt: str
    published_at: dt.datetime
    url: str
    provider: Provider
    kind: str = "article"
    amp_url: str | None = None
    cdn_amp_url: str | None = None
    original_url: str | None = None
    quality: int | None = None
    heat: int | None = None
    images: tuple[Image, ...] = ()
    embed: Embed | None = None
    topics: tuple[str, ...] = ()
    related: tuple[NewsItem, ...] = ()
    published: bool = True
    category: str = "news"
    source_path: str = ""
    url_keys: tuple[str, ...] = field(default=(), compare=False)
    #: A digest of what the item was read from (file, path, settings), set by the reader.
    fingerprint: str = field(default="", compare=False)

    def __fingerprint__(self) -> str | None:
        """What the incremental writer digests for this item: its source digest, when the reader set one."""
        return self.fingerprint or None

    @property
    def key(self) -> str:
        """The story's identity: the key of its main URL (stable across builds and sites)."""
        return self.url_keys[0]

    @property
    def image(self) -> Image | None:
        return self.images[0] if self.images else None

    @property
    def is_video(self) -> bool:
        return self.kind == "video"


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The settings the model needs, taken from Pelican's settings by the reader."""

    timezone: dt.tzinfo = dt.UTC
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS
    asset_base_url: str | None = None
    #: Read an unpublished item in full (images, embed, related list), as the preview shows it.
    read_unpublished: bool = False
    #: One object for each distinct text, image and provider the items read with these settings
    #: hold (:meth:`share`). A related entry repeats the title, excerpt, URLs and provider of a
    #: story the feed usually has as an item too, and every item of a source repeats its
    #: provider: at 10,000 items the 37,000 items and entries held 47 MB of strings, 26 MB of
    #: them distinct, and 37,000 providers, 400 distinct. Not part of the settings' value.
    shared: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def share(self, value: _T) -> _T:
        """The first object equal to ``value`` given here (texts, URLs, images, providers only:
        their equality is exact, unlike datetimes', which compare equal across zones)."""
        return self.shared.setdefault(value, value)


class _Collector:
    """Gathers problems for one file, prefixing fields of related entries with their place."""

    def __init__(self, path: str, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix
        self.problems: list[Problem] = []

    def warn(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.prefix + name, message))

    def notice(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.prefix + name, message, notice=True))

    def reject(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.prefix + name, message, fatal=True))

    @property
    def rejected(self) -> bool:
        return any(p.fatal for p in self.problems)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 50, 50, 4, 4


def _describe(value: Any) -> str:
    """A short one-line rendering of a bad value; bounded even for YAML alias bombs."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(raw: Mapping[str, Any], name: str, out: _Collector, required: bool) -> str:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            out.reject(name, "missing or empty")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        message = f"expected text, got {type(value).__name__} {_describe(value)}"
        (out.reject if required else out.warn)(name, message)
        return ""
    return clean_text(str(value))


def _integer(raw: Mapping[str, Any], name: str, out: _Collector) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        out.warn(name, f"expected an integer, got {_describe(value)}; treated as unknown")
        return None
    return value


def _score(raw: Mapping[str, Any], name: str, out: _Collector) -> int | None:
    """``quality`` and ``heat``: ``-1`` (and any negative number) means unknown."""
    value = _integer(raw, name, out)
    return value if value is not None and value >= 0 else None


def parse_datetime(value: Any) -> tuple[dt.datetime | None, str | None]:
    """Parse an ISO 8601 timestamp keeping its offset; returns (value, problem)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None, f"not a valid ISO 8601 date and time: {_describe(value)}"
    else:
        return None, "missing" if value is None else f"expected a timestamp, got {_describe(value)}"
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC), "no UTC offset given; read as UTC"
    return parsed, None


def _published_at(raw: Mapping[str, Any], out: _Collector) -> dt.datetime | None:
    value, problem = parse_datetime(raw.get("publishedDateTime"))
    if value is None:
        out.reject("publishedDateTime", problem or "missing")
    elif problem:
        out.warn("publishedDateTime", problem)
    return value


def _dimension(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DIMENSION:
        return value
    return None


def _images(value: Any, name: str, out: _Collector, base: str | None = None) -> tuple[Image, ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        out.warn(name, f"expected a list of images, got {_describe(value)}; ignored")
        return ()
    images: list[Image] = []
    for index, entry in enumerate(value):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, Mapping):
            out.warn(f"{name}[{index}]", f"expected a map with url, got {_describe(entry)}; ignored")
            continue
        url = clean_url(entry.get("url"), base=base)
        raw_url = entry.get("url")
        if url is None and isinstance(raw_url, str) and raw_url.startswith("/") and not base:
            out.notice(
                f"{name}[{index}].url", f"relative path {raw_url!r} and no NEWS_ASSET_BASE_URL; ignored"
            )
            continue
        if url is None:
            out.warn(f"{name}[{index}].url", f"not an http(s) URL: {_describe(entry.get('url'))}; ignored")
            continue
        title = entry.get("title")
        images.append(
            Image(
                url=url,
                width=_dimension(entry.get("width")),
                height=_dimension(entry.get("height")),
                title=clean_text(title) if isinstance(title, str) else "",
            )
        )
    return tuple(images)


def _provider(raw: Mapping[str, Any], story_url: str, out: _Collector, base: str | None) -> Provider:
    value = raw.get("provider")
    if value is not None and not isinstance(value, Mapping):
        out.warn("provider", f"expected a map with name and domain, got {_describe(value)}")
        value = None
    value = value or {}
    name = value.get("name")
    domain = value.get("domain")
    domain = clean_text(domain).lower().removeprefix("www.") if isinstance(domain, str) else ""
    if not domain or "/" in domain or " " in domain:
        domain = host_of(story_url)
    name = clean_text(name) if isinstance(name, str) and name.strip() else domain
    logos = _images(value.get("images"), "provider.images", out, base)
    return Provider(name=name, domain=domain, logo=logos[0] if logos else None)


def _topics(raw: Mapping[str, Any], out: _Collector) -> tuple[str, ...]:
    value = raw.get("topics")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        out.warn("topics", f"expected a list of names, got {_describe(value)}; ignored")
        return ()
    seen: dict[str, str] = {}
    for index, entry in enumerate(value):
        if isinstance(entry, bool) or not isinstance(entry, (str, int, float)):
            out.warn(f"topics[{index}]", f"expected a name, got {_describe(entry)}; ignored")
            continue
        name = clean_text(str(entry))
        key = topic_key(name)
        if key and key not in seen:
            seen[key] = name
    return tuple(seen.values())


def _published(raw: Mapping[str, Any], out: _Collector) -> bool:
    """The exporter's Jekyll convention: published unless it says false; in doubt, unpublished."""
    if "published" not in raw:
        return True
    value = raw["published"]
    if value is True:
        return True
    if value is False:
        return False
    if isinstance(value, str) and value.strip().lower() in FALSE_WORDS:
        out.warn("published", f"the string {_describe(value)} read as false; item not published")
        return False
    out.warn("published", f"unclear value {_describe(value)}; item not published")
    return False


def _story_urls(raw: Mapping[str, Any], out: _Collector) -> tuple[str | None, str | None]:
    """The story URL from ``webUrl``, ``sourceUrl`` or ``originalUrl``, in that order."""
    story = None
    for name in ("webUrl", "sourceUrl", "originalUrl"):
        value = raw.get(name)
        if value is None:
            continue
        url = clean_url(value)
        if url is None:
            out.warn(name, f"not an http(s) URL: {_describe(value)}; ignored")
        elif story is None:
            story = url
    if story is None:
        out.reject("webUrl", "no http(s) story URL in webUrl, sourceUrl or originalUrl")
    original = clean_url(raw.get("originalUrl"))
    return story, original


def _first_url(raw: Mapping[str, Any], names: tuple[str, ...], out: _Collector) -> str | None:
    for name in names:
        value = raw.get(name)
        if value is None:
            continue
        url = clean_url(value)
        if url is not None:
            return url
        out.warn(name, f"not an http(s) URL: {_describe(value)}; ignored")
    return None


def _embed(raw: Mapping[str, Any], kind: str, out: _Collector, settings: ModelSettings) -> Embed | None:
    value = raw.get("featuredContent")
    if value is None:
        return None
    if not isinstance(value, str):
        out.warn("featuredContent", f"expected HTML text, got {_describe(value)}; ignored")
        return None
    embed = sanitize_embed(value, settings.embed_hosts)
    if embed is None:
        out.warn("featuredContent", "no iframe from an allowed video host; embed dropped")
        return None
    src = clean_url(embed.src)
    return Embed(src, embed.width, embed.height) if src else None


def _kind(raw: Mapping[str, Any], out: _Collector) -> str:
    value = raw.get("type", "article")
    if isinstance(value, str) and value.strip().lower() in ("article", "video"):
        return "video" if value.strip().lower() == "video" else "article"  # one object each
    out.warn("type", f"unknown type {_describe(value)}; read as article")
    return "article"


def _related(
    raw: Mapping[str, Any], path: str, out: _Collector, settings: ModelSettings
) -> tuple[NewsItem, ...]:
    value = raw.get("related")
    if value is None:
        return ()
    if not isinstance(value, list):
        out.warn("related", f"expected a list of stories, got {_describe(value)}; ignored")
        return ()
    entries: list[NewsItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        name = f"related[{index}]"
        if not isinstance(entry, Mapping):
            out.warn(name, f"expected a map, got {_describe(entry)}; ignored")
            continue
        item, problems = build_item(entry, path, settings, related=True, prefix=f"{name}.")
        if item is None:
            reasons = "; ".join(f"{p.field}: {p.message}" for p in problems if p.fatal)
            out.warn(name, f"entry ignored ({reasons})")
            continue
        out.problems.extend(p for p in problems if not p.fatal)
        if not seen.intersection(item.url_keys):
            entries.append(item)
        seen.update(item.url_keys)
    return tuple(entries)


def build_item(
    raw: Mapping[str, Any],
    path: str,
    settings: ModelSettings = ModelSettings(),
    *,
    related: bool = False,
    prefix: str = "",
) -> tuple[NewsItem | None, list[Problem]]:
    """Normalise one raw item (or related entry); None when a required field is unusable."""
    out = _Collector(path, prefix)
    title = _text(raw, "title", out, required=True)
    published_at = _published_at(raw, out)
    story, original = _story_urls(raw, out)
    if out.rejected or story is None or published_at is None:
        return None, out.problems
    amp = _first_url(raw, ("ampWebUrl", "ampUrl"), out)
    cdn_amp = _first_url(raw, ("cdnAmpWebUrl", "cdnAmpUrl"), out)
    kind = _kind(raw, out)
    keys = [story_key(url) for url in (story, original, amp, cdn_amp) if url]
    published = True if related else _published(raw, out)
    # An unpublished item is shown nowhere: its images, embed and related list are not read
    # (a fifth of a feed's items, and their related lists are most of the parsing work).
    # The preview build shows it, so reads it in full.
    shown = related or published or settings.read_unpublished
    share = settings.share
    # in the order the fields have always been checked in (the order of their messages)
    excerpt = _text(raw, "excerpt", out, required=False)
    provider = _provider(raw, story, out, settings.asset_base_url)
    quality, heat = _score(raw, "quality", out), _score(raw, "heat", out)
    images = tuple(map(share, _images(raw.get("images"), "images", out))) if shown else ()
    embed = _embed(raw, kind, out, settings) if shown else None
    if related:  # checked above, kept only as far as a link needs (see NewsItem)
        excerpt, amp, cdn_amp, original = "", None, None, story
        quality, heat, images, embed = None, None, images[:1], None
    item = NewsItem(
        title=share(title),
        excerpt=share(excerpt),
        published_at=published_at,
        url=share(story),
        provider=share(provider),
        kind=kind,
        amp_url=share(amp),
        cdn_amp_url=share(cdn_amp),
        original_url=share(original) if original != story else None,
        quality=quality,
        heat=heat,
        images=images,
        embed=embed,
        topics=() if related else tuple(map(share, _topics(raw, out))),
        related=_related(raw, path, out, settings) if shown and not related else (),
        published=published,
        category=share(_text(raw, "category", out, required=False) or "news") if not related else "news",
        source_path=path,
        url_keys=tuple(map(share, dict.fromkeys(k for k in keys if k))),
    )
    return item, out.problems
