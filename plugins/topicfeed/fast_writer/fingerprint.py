"""Stable digests of the values a template reads, for deciding whether a page must be redone.

A digest covers everything reachable from the value (attributes of Pelican content objects,
dataclass fields, lists, dicts), except the settings dictionary and Pelican's shared context
(templates read settings by name, and each name read is part of the key). An object whose class
defines ``__fingerprint__()`` is digested by what that returns: the part of it a page can show.
Values with no stable form (an object whose repr is
its address) make the digest ``None``: such a page is always rendered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import pickle
import types
from typing import Any

from markupsafe import Markup
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper

#: Attributes never followed: the settings and the shared context (digested separately).
SKIPPED_ATTRIBUTES = frozenset({"settings", "_context", "context", "_settings"})


class Unstable(Exception):
    """The value cannot be digested reproducibly."""


def _paginator(paginator: Any) -> tuple[Any, ...]:
    """A paginator as its pages show it: the pages of a list, not the list itself.

    Templates take a page's stories from ``articles_page.object_list`` (which is digested);
    the paginator itself only gives counts and page URLs. Without this, editing one story
    would re-render every page of every list it is in.
    """
    return (
        paginator.name,
        paginator.url,
        paginator.per_page,
        paginator.orphans,
        paginator.count,
        paginator.num_pages,
    )


#: Digest functions for classes we do not own (``__fingerprint__`` for classes we do).
FINGERPRINTS: dict[type, Any] = {Paginator: _paginator}


@functools.cache
def _class_name(kind: type) -> bytes:
    return f"{kind.__module__}.{kind.__qualname__}".encode()


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, once per class (``dataclasses.fields`` was a measurable cost)."""
    return tuple(field.name for field in dataclasses.fields(kind))


class Fingerprinter:
    """Digests values, remembering each object's digest for the rest of the build."""

    def __init__(self, pure_types: tuple[type, ...] = ()) -> None:
        self.pure_types = pure_types
        #: The classes digested by a fast path, by name: "pickle" (a pure type) or "custom".
        self.fast_paths: dict[str, str] = {}
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so their ids stay theirs
        self._active: set[int] = set()

    def digest(self, value: Any) -> bytes | None:
        try:
            return self._digest(value)
        except (Unstable, RecursionError):
            return None

    def _digest(self, value: Any) -> bytes:
        if value is None or isinstance(value, (bool, int, float)):
            return repr(value).encode()
        if isinstance(value, str):  # Markup too
            return b"s" + value.encode("utf-8", "surrogatepass")
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            return b"t" + value.isoformat().encode() + str(getattr(value, "tzinfo", None)).encode()
        if isinstance(value, bytes):
            return b"b" + value
        key = id(value)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._active:  # a cycle: name the object instead of following it
            return b"cycle:" + type(value).__qualname__.encode() + str(getattr(value, "url", "")).encode()
        self._active.add(key)
        try:
            result = hashlib.blake2b(self._parts(value), digest_size=16).digest()
        finally:
            self._active.discard(key)
        self._memo[key] = result
        self._keep.append(value)
        return result

    def _parts(self, value: Any) -> bytes:
        kind = type(value)
        name = _class_name(kind)
        custom = FINGERPRINTS.get(kind) or getattr(kind, "__fingerprint__", None)
        if custom is not None:  # the object says what of it can reach a page (None: it cannot)
            shown = custom(value)
            if shown is not None:
                self.fast_paths[kind.__name__] = "custom"
                return name + self._digest(shown)
        if isinstance(value, self.pure_types):
            self.fast_paths[kind.__name__] = "pickle"
            return name + pickle.dumps(value, protocol=5)
        if isinstance(value, (list, tuple)):
            return name + b"".join(self._digest(v) for v in value)
        if isinstance(value, (set, frozenset)):
            return name + b"".join(sorted(self._digest(v) for v in value))
        if isinstance(value, dict):
            items = sorted(
                (self._digest(k), self._digest(v)) for k, v in value.items() if k not in SKIPPED_ATTRIBUTES
            )
            return name + b"".join(k + v for k, v in items)
        if isinstance(
            value, (types.FunctionType, types.MethodType, types.BuiltinFunctionType, type, types.ModuleType)
        ):
            return b"f" + getattr(value, "__qualname__", getattr(value, "__name__", "")).encode()
        if isinstance(value, URLWrapper):  # its __dict__ grows lazily (as_dict): use what it shows
            return name + b"".join(
                self._digest(v) for v in (value.name, value.slug, value.url, value.save_as)
            )
        if dataclasses.is_dataclass(value):
            return name + b"".join(self._digest(getattr(value, field)) for field in _field_names(kind))
        attributes = getattr(value, "__dict__", None)
        if attributes is not None:
            items = sorted((k, v) for k, v in attributes.items() if k not in SKIPPED_ATTRIBUTES)
            return name + b"".join(k.encode() + self._digest(v) for k, v in items)
        text = repr(value)
        if " at 0x" in text or isinstance(value, Markup):
            raise Unstable(text)
        return name + text.encode()
