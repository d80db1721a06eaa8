"""Stable digests of the values a template reads, for deciding whether a page must be redone.

A digest covers everything reachable from the value (attributes of Pelican content objects,
dataclass fields, lists, dicts), except the settings dictionary and Pelican's shared context
(templates read settings by name, and each name read is part of the key). An object whose class
defines ``__fingerprint__()`` is digested by what that returns: the part of it a page can show.
Values with no stable form (an object whose repr is
its address) make the digest ``None``: such a page is always rendered.

Every part is self-delimiting (a string carries its length, a number ends with ``;``, a nested
object is ``#`` and its 16-byte digest), so no two different lists or objects give the same bytes
(``["a", "b"]`` and ``["asb"]`` once did).
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import operator
import pickle
import types
from collections.abc import Callable, Sequence
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
    the paginator itself only gives the number of pages and page URLs. Without this, editing
    one story would re-render every page of every list it is in. How many stories the list
    holds is left out too: a page that shows it reads it, and that read is keyed on its own
    (``tracking``, ``name.count``); a story withdrawn would otherwise re-render every home page
    before its place, which shows the number of pages but not the count.
    """
    return (
        paginator.name,
        paginator.url,
        paginator.per_page,
        paginator.orphans,
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


def _number(value: Any) -> bytes:
    return repr(value).encode() + b";"


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"s%d:%b" % (len(data), data)


def _bytes(value: bytes) -> bytes:
    return b"b%d:%b" % (len(value), value)


def _time(value: dt.date | dt.time) -> bytes:
    return b"t" + value.isoformat().encode() + b"|" + str(getattr(value, "tzinfo", None)).encode() + b";"


#: Values digested as themselves and never remembered, by exact class (a subclass: ``_plan``).
_SCALARS: dict[type, Callable[[Any], bytes]] = {
    type(None): _number,
    bool: _number,
    int: _number,
    float: _number,
    str: _text,
    Markup: _text,
    bytes: _bytes,
    dt.datetime: _time,
    dt.date: _time,
    dt.time: _time,
}


@functools.cache
def _key(name: str) -> bytes:
    """An attribute name as digested (the same few names, over and over)."""
    return _text(name)


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of ``names`` from a dict, in that order (``itemgetter`` gives a bare value for
    one name and fails for none)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    return lambda mapping: tuple([mapping[n] for n in names])


def _named(value: Any) -> bytes:
    """A function, class or module: by its name (its code is in the salt)."""
    return b"f" + getattr(value, "__qualname__", getattr(value, "__name__", "")).encode()


@functools.cache
def _repr_shows_every_field(kind: type) -> bool:
    """Whether ``repr`` of a data class is the one ``dataclasses`` made, showing every field.

    A pure type's value is its fields, all plain data, and that ``repr`` writes each field's
    ``repr`` in order (strings quoted and escaped): equal texts, equal values. It is several
    times cheaper than pickling. A class with its own ``__repr__`` or a hidden field is pickled.
    """
    if not dataclasses.is_dataclass(kind):
        return False
    generated = getattr(getattr(kind, "__repr__", None), "__wrapped__", None)
    if getattr(generated, "__qualname__", "") != "__create_fn__.<locals>.__repr__":
        return False
    return all(field.repr for field in dataclasses.fields(kind))


def _pure_pickler(pure_types: tuple[type, ...]) -> Callable[[Any], bytes]:
    """``pickle.dumps`` for pure types, each pure data class pickled as its class and field values.

    Pickling a slotted data class the usual way calls ``dataclasses.fields`` for every object
    (its ``__getstate__``), which was a quarter of keying the feeds; the field names are
    looked up here once per class. Other values pickle as ``pickle`` does.
    """
    table = dict(copyreg.dispatch_table)
    for kind in pure_types:
        if dataclasses.is_dataclass(kind):
            names = _field_names(kind)
            if len(names) > 1:
                values = operator.attrgetter(*names)
            else:  # attrgetter of one name gives the value, of none fails

                def values(value: Any, names: tuple[str, ...] = names) -> tuple[Any, ...]:
                    return tuple(getattr(value, n) for n in names)

            table[kind] = lambda value, kind=kind, values=values: (kind, values(value))

    def dumps(value: Any) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = table
        pickler.dump(value)
        return buffer.getvalue()

    return dumps


#: What a URLWrapper shows is made by these, from its attributes and the settings.
_URL_WRAPPER_PARTS = ("name", "slug", "url", "save_as", "as_dict", "_from_settings")


@functools.cache
def _shows_as_url_wrapper(kind: type) -> bool:
    """Whether ``kind`` shows its name, slug, URL and file name as Pelican's ``URLWrapper`` makes them."""
    return all(getattr(kind, part) is getattr(URLWrapper, part) for part in _URL_WRAPPER_PARTS)


def _empty_digest(kind: type) -> bytes:
    """The digest of an empty ``list``, ``tuple`` or ``dict``: what :class:`Fingerprinter` makes of it.

    An article holds several empty lists (no problems, no translations, no backlinks); each
    is a new object, so the memo never saves its digest, and hashing it again each time
    was a measurable part of keying an article.
    """
    return b"#" + hashlib.blake2b(_class_name(kind), digest_size=16).digest()


_EMPTY_DIGESTS: dict[type, bytes] = {kind: _empty_digest(kind) for kind in (list, tuple, dict)}


class Fingerprinter:
    """Digests values, remembering each object's digest for the rest of the build.

    Every value that is not a scalar is digested once (by identity) and its digest reused: a
    value shared by many pages (an article, a tag, a list of stories) costs one digest a build,
    and a render process forked from the build inherits the digests already made. How a class
    is digested is decided once per class (:meth:`_plan`), not by ``isinstance`` tests per value.
    """

    def __init__(self, pure_types: tuple[type, ...] = ()) -> None:
        self.pure_types = pure_types
        #: The classes digested by a fast path, by name: "pickle" (a pure type) or "custom".
        self.fast_paths: dict[str, str] = {}
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so their ids stay theirs
        self._active: set[int] = set()
        self._plans: dict[type, Callable[[Any], bytes]] = {}
        self._pickle: Callable[[Any], bytes] | None = None
        #: By name: the last value digested under it and its digest (see :meth:`digest_named`).
        self._last: dict[str, tuple[Any, bytes | None]] = {}

    def forget(self) -> None:
        """Drop every remembered digest and the objects held for them, once no page is left to key.

        The build's writer lives until the build ends, and the memo holds an entry and a
        reference for every object any page read: about 1.7 million at 100,000 items, a tenth of
        the build's peak memory, which came after the pages (the API and the search index).
        """
        # Emptied in place: the plans made so far look the memo up directly.
        self._memo.clear()
        self._keep.clear()
        self._last.clear()

    def adopt(self, values: Sequence[Any], digests: Sequence[bytes | None]) -> int:
        """Take ``digests`` of ``values`` made elsewhere as if made here; how many were taken.

        For digests made by a process forked from this one (:func:`digest_all`) while the values
        could no longer change: the objects have the same ids there, and equal objects give
        equal digests. A value with no digest, or one already digested here, is left alone.
        """
        taken = 0
        memo, keep = self._memo, self._keep
        for value, made in zip(values, digests, strict=True):
            key = id(value)
            if made is None or key in memo:
                continue
            memo[key] = made
            keep.append(value)
            taken += 1
        return taken

    def digest(self, value: Any) -> bytes | None:
        try:
            return self._digest(value)
        except (Unstable, RecursionError):
            return None

    def digest_named(self, name: str, value: Any) -> bytes | None:
        """:meth:`digest`, for a value a page reads as ``name``: the same object as the last one
        read under that name (a setting, the site's lists) gives the digest it gave then.

        Every page reads the same few dozen names, mostly the same objects: strings (which the
        memo does not hold, as scalars) were encoded again for every page. The value is held
        with its digest, so its identity cannot pass to another object meanwhile.
        """
        last = self._last.get(name)
        if last is not None and last[0] is value:
            return last[1]
        made = self.digest(value)
        self._last[name] = (value, made)
        return made

    def _digest(self, value: Any) -> bytes:
        kind = type(value)
        scalar = _SCALARS.get(kind)
        if scalar is not None:
            return scalar(value)
        empty = _EMPTY_DIGESTS.get(kind)
        if empty is not None and not value:  # [], (), {}: the same digest, made once per process
            return empty
        key = id(value)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._active:  # a cycle: name the object instead of following it
            named = b"cycle:" + kind.__qualname__.encode() + str(getattr(value, "url", "")).encode()
            return b"#" + hashlib.blake2b(named, digest_size=16).digest()
        plan = self._plans.get(kind)
        if plan is None:
            plan = self._plans[kind] = self._plan(kind)
        self._active.add(key)
        try:
            result = b"#" + hashlib.blake2b(plan(value), digest_size=16).digest()
        finally:
            self._active.discard(key)
        self._memo[key] = result
        self._keep.append(value)
        return result

    def _plan(self, kind: type) -> Callable[[Any], bytes]:
        """How a value of ``kind`` becomes the bytes its digest hashes."""
        name = _class_name(kind)
        custom = FINGERPRINTS.get(kind) or getattr(kind, "__fingerprint__", None)
        rest = self._plan_by_shape(kind, name)
        if custom is None:
            return rest
        digest, fast_paths, label = self._digest, self.fast_paths, kind.__name__

        def shown_part(value: Any) -> bytes:
            shown = custom(value)  # what of the object can reach a page (None: it cannot say)
            if shown is None:
                return rest(value)
            fast_paths[label] = "custom"
            return name + digest(shown)

        return shown_part

    def _plan_by_shape(self, kind: type, name: bytes) -> Callable[[Any], bytes]:
        digest, scalars, remembered = self._digest, _SCALARS.get, self._memo.get

        def part(value: Any) -> bytes:
            """One part: a scalar digested here, an object already digested looked up here (most
            parts are one or the other), anything else by :meth:`_digest`."""
            encode = scalars(type(value))
            if encode is not None:
                return encode(value)
            # An empty list, tuple or dict is never remembered (its digest is made once per class).
            return remembered(id(value)) or digest(value)

        def parts(values: Any) -> bytes:
            """The parts of ``values`` joined."""
            return b"".join(map(part, values))

        if issubclass(kind, self.pure_types):
            fast_paths, label = self.fast_paths, kind.__name__
            if self._pickle is None:
                self._pickle = _pure_pickler(self.pure_types)
            dumps = self._pickle

            def pickled(value: Any) -> bytes:
                fast_paths[label] = "pickle"
                return name + dumps(value)

            if not _repr_shows_every_field(kind):
                return pickled

            def shown(value: Any) -> bytes:
                text = repr(value)
                if " at 0x" in text:  # a field holds something without a stable form
                    return pickled(value)
                fast_paths[label] = "repr"
                return name + b"r" + text.encode("utf-8", "surrogatepass")

            return shown

            return pickled
        scalar = next((encode for base, encode in _SCALARS.items() if issubclass(kind, base)), None)
        if scalar is not None:  # a subclass of a scalar (an enum member, a str subclass)
            return lambda value: name + scalar(value)
        if issubclass(kind, (list, tuple)):
            return lambda value: name + parts(value)
        if issubclass(kind, (set, frozenset)):
            return lambda value: name + b"".join(sorted([digest(v) for v in value]))
        if issubclass(kind, dict):

            def mapping(value: dict[Any, Any]) -> bytes:
                items = sorted(
                    [
                        (_key(k) if type(k) is str else digest(k), part(v))
                        for k, v in value.items()
                        if k not in SKIPPED_ATTRIBUTES
                    ]
                )
                return name + b"".join([k + v for k, v in items])

            return mapping
        if issubclass(
            kind, (types.FunctionType, types.MethodType, types.BuiltinFunctionType, type, types.ModuleType)
        ):
            return _named
        if issubclass(kind, URLWrapper):  # its __dict__ grows lazily (as_dict): use what it shows
            return self._plan_url_wrapper(kind, name)
        if dataclasses.is_dataclass(kind):
            fields = _field_names(kind)
            if len(fields) < 2:  # attrgetter of one name gives the value, of none fails
                return lambda value: name + b"".join([digest(getattr(value, f)) for f in fields])
            values = operator.attrgetter(*fields)
            return lambda value: name + parts(values(value))

        #: The attribute names an object with these names (in this order) is digested by, sorted,
        #: and their digested form: the objects of a class mostly share a few such shapes.
        shapes: dict[tuple[str, ...], tuple[tuple[str, ...], bytes]] = {}

        def attributes_or_repr(value: Any) -> bytes:
            attributes = getattr(value, "__dict__", None)
            if attributes is not None:
                shape = tuple(attributes)
                found = shapes.get(shape)
                if found is None:
                    names = tuple(sorted(k for k in shape if k not in SKIPPED_ATTRIBUTES))
                    found = shapes[shape] = (_getter(names), name + b"".join([_key(k) for k in names]))
                values, head = found
                return head + parts(values(attributes))
            text = repr(value)
            if " at 0x" in text or isinstance(value, Markup):
                raise Unstable(text)
            return name + text.encode()

        return attributes_or_repr

    def _plan_url_wrapper(self, kind: type, name: bytes) -> Callable[[Any], bytes]:
        """A tag, category or author as it shows: its name, slug, URL and file name.

        Pelican makes a new ``Tag`` for every article that has it, so the memo (by identity)
        never saves formatting its URL and file name again. Equal states give equal shown parts:
        ``url`` and ``save_as`` are the settings' patterns filled from the object's attributes
        (``as_dict``), so the shown part is remembered by the settings object and every other
        attribute (its name, type and value). An attribute that cannot be a dict key: worked out.
        """
        digest = self._digest
        by_state: dict[tuple[Any, ...], tuple[bytes, Any]] = {}

        def shown(value: Any) -> bytes:
            return name + b"".join([digest(v) for v in (value.name, value.slug, value.url, value.save_as)])

        if not _shows_as_url_wrapper(kind):  # a subclass that works out what it shows its own way
            return shown

        def remembered(value: Any) -> bytes:
            settings = getattr(value, "settings", None)
            state = tuple(
                [(k, id(v)) if k == "settings" else (k, type(v), v) for k, v in vars(value).items()]
            )
            try:
                found = by_state.get(state)
            except TypeError:  # an attribute that is not hashable
                return shown(value)
            if found is None:
                # the settings are kept with it: their id stays theirs while the state is in use
                found = by_state[state] = (shown(value), settings)
            return found[0]

        return remembered


def digest_all(values: Sequence[Any], pure_types: tuple[type, ...]) -> list[bytes | None]:
    """The digest of each of ``values`` by a fresh :class:`Fingerprinter` (to adopt elsewhere)."""
    prints = Fingerprinter(pure_types)
    return [prints.digest(value) for value in values]
