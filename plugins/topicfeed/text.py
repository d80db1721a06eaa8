"""Plain-text and slug helpers shared by the item model and the URL assignment."""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable

from unidecode import unidecode

_WS = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Symbols that carry meaning in topic names: C++, C#, F#, .NET, R&D, AT&T.
_SYMBOL_WORDS = (("+", " plus "), ("#", " sharp "), ("&", " and "), ("@", " at "))
_TOPIC_PLAIN = re.compile(r"[a-z0-9 \-]*")


# Control and format characters (Unicode categories Cc and Cf) but tab, newline, and the zero-width
# (non-)joiners that some scripts and emoji need: bidi overrides and invisible characters go.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd"
    "\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


def clean_text(value: str) -> str:
    """Decode HTML entities left by the exporter, drop invisible characters, collapse whitespace.

    Entities such as ``&#038;`` are encoding artefacts of the exporter, not markup; what is
    left is plain text and is escaped by the templates wherever it is shown.
    """
    text = html.unescape(value) if "&" in value else value
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if text.isprintable() and "  " not in text:
        # The common case, without the two passes of regular expressions (a tenth of reading
        # an item): a printable text has no invisible character, and its only whitespace is
        # the plain space (tests/topicfeed_core checks both over every code point).
        return text.strip()
    return _WS.sub(" ", _INVISIBLE.sub("", text)).strip()


def short_hash(text: str, length: int = 6) -> str:
    """A short stable hex digest used to tell apart things with the same readable name."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:length]


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug of ``text``: lower case, hyphens, cut at a word boundary; may be empty."""
    ascii_text = unidecode(unicodedata.normalize("NFKC", text)).lower()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def title_slug(title: str, fallback_seed: str, max_length: int = 80) -> str:
    """Slug for an article URL; never empty, even for punctuation-only titles."""
    return slugify(title, max_length) or f"story-{short_hash(fallback_seed, 8)}"


@functools.lru_cache(maxsize=1 << 16)
def topic_key(name: str) -> str:
    """The identity of a topic: names that differ only in case, spacing or hyphens are one.

    Remembered per name: a site has a few hundred topic names, asked for once per item and topic
    (29,000 times at 10,000 items)."""
    folded = unicodedata.normalize("NFKC", name).casefold().replace("_", " ").replace("-", " ")
    return _WS.sub(" ", folded).strip()


def topic_slug(name: str) -> str:
    """URL slug of a topic, distinct for distinct topic keys.

    Symbols are spelled out (``c-plus-plus``, ``c-sharp``); a name whose characters do not
    all survive that (CJK, emoji, punctuation) gets a hash of its key appended, so that
    ``C``, ``C++`` and ``C#`` or two CJK names can never share a page.
    """
    key = topic_key(name)
    spelled = key
    for symbol, word in _SYMBOL_WORDS:
        spelled = spelled.replace(symbol, word)
    slug = slugify(spelled, max_length=60)
    if not slug:
        return f"topic-{short_hash(key)}"
    if not _TOPIC_PLAIN.fullmatch(spelled) or len(slugify(spelled, 10_000)) > 60:
        return f"{slug}-{short_hash(key)}"
    return slug


@functools.lru_cache(maxsize=1 << 16)
def source_slug(domain: str) -> str:
    """URL slug of a source (provider), from its domain: ``ft.com`` becomes ``ft-com``.

    Remembered per domain: a site has a few hundred, asked for once per item by the source pages
    and the charts (``unidecode`` each time: 0.26 s at 10,000 items)."""
    return slugify(domain, max_length=80) or f"source-{short_hash(domain)}"


def unique_topic_slugs(keys: Iterable[str]) -> dict[str, str]:
    """Topic key -> its slug, distinct for distinct keys: of the keys whose :func:`topic_slug`
    is the same, the first in sorted order keeps it and every other gets a hash of its key
    appended. Depends on the set of keys only, so any build of the same topics agrees."""
    keys_by_slug: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        keys_by_slug.setdefault(topic_slug(key), []).append(key)
    slugs: dict[str, str] = {}
    for slug, same in keys_by_slug.items():
        for rank, key in enumerate(sorted(same)):
            slugs[key] = slug if rank == 0 else f"{slug}-{short_hash(key)}"
    return slugs
