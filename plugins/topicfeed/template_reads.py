"""Which context values a template reads, recorded while it renders: names, and parts of names.

Jinja resolves every top-level name a template (and its blocks, imports and includes) uses
through ``Context.resolve_or_missing``; a context class that notes those names tells us what a
page depends on. Jinja resolves the names of a whole template up front, branches not taken
included, so the recorded set covers every path the template could take with those values.

A name alone would make every page depend on the whole of every site-wide value it touches: a
page that only asks whether there are sources (``{% if sources %}``), looks up its own topic's
chart (``coverage_topics.get(tag.slug)``) or shows the five newest stories (``articles[:5]``)
would be redone whenever any story is added. So a top-level list or dict is handed to the
template wrapped in a :class:`Narrow` view that records what is taken from it:

``name``          the whole value (iterated, measured, passed on, anything not below)
``name!``         only that it is there, a list or a dict (``is defined``, ``is mapping``: noted
                  for every list or dict a template resolves)
``name?``         only whether it is empty
``name["key"]``   one entry of a dict, by a string key (``[]``, ``.get``, ``in``)
``name[:n]``      the first ``n`` items of a list
``name.count``    the ``count`` attribute of a value (see below)

:func:`value_read` gives, for a recorded read, the value the page's key digests. The view
behaves as the value for everything else (and records the whole), and is never what a filter
or macro receives when it takes a part (that part is the real value).

A count is its own read because a list page's paginator is in its key whole except for how many
stories the list holds (``fingerprint._paginator``): the home page shows its page number and the
number of pages, not the count, and a story withdrawn from the middle of the site would
otherwise re-render every home page before its place with the same text. So a template that
asks for ``count`` (``articles_paginator.count``, ``source.count``) or for a page's
``end_index()`` (which is the count on the last page) has it recorded, through the environment's
attribute and item look-ups (:func:`install`): as ``name.count`` when the object is the page's
value ``name`` (or, for ``end_index``, when its paginator is), and, for a paginator that is no
value of the page, as the count of every paginator the page has.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from jinja2.runtime import Context
from pelican.paginator import Page, Paginator

_reads: set[str] | None = None
#: The values of the page being rendered (for :func:`_note_count`).
_values: Mapping[str, Any] | None = None

MISSING = object()
#: A recorded read: the context name, then what of it (``!``, ``?``, ``["key"]``, ``[:n]``), if a part.
READ = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<part>[?!]|\[.*\]|\.count)?$")
#: The part a count read adds to a name (see the module's doc).
COUNT = ".count"
#: The attributes whose look-up reads a count: the count, and a page's last index.
_COUNTING = frozenset({"count", "end_index"})


def _note(read: str) -> None:
    if _reads is not None:
        _reads.add(read)


def _note_count(obj: Any, attribute: str) -> None:
    """A template asked ``obj`` for ``attribute`` (``count`` or ``end_index``): note the count read."""
    values = _values
    if _reads is None or values is None:
        return
    counted = obj.paginator if attribute == "end_index" and isinstance(obj, Page) else obj
    if attribute == "end_index" and counted is obj:
        return  # not a page: whatever it is, it shows no paginator's count
    for name, value in values.items():
        if value is counted:
            _reads.add(name + COUNT)
            return
    if isinstance(counted, Paginator):  # reached some other way (``page.paginator``): every count
        _reads.update(name + COUNT for name, value in values.items() if isinstance(value, Paginator))


class Narrow:
    """A top-level list or dict as a template sees it, noting which part of it was taken."""

    __slots__ = ("_name", "_value")

    def __init__(self, name: str, value: Any) -> None:
        self._name = name
        self._value = value

    def _whole(self) -> Any:
        _note(self._name)
        return self._value

    def __bool__(self) -> bool:
        _note(self._name + "?")
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._whole())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __eq__(self, other: object) -> bool:
        return self._whole() == other

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __html__(self) -> str:
        return str(self._whole())

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):  # never the value's internals (nor ours, half-made)
            raise AttributeError(attribute)
        return getattr(self._whole(), attribute)


class NarrowDict(Narrow, Mapping):
    """A dict: an entry by a string key is its own read."""

    __slots__ = ()

    def _entry(self, key: Any) -> bool:
        if isinstance(key, str):
            _note(f"{self._name}[{json.dumps(key)}]")
            return True
        _note(self._name)
        return False

    def __getitem__(self, key: Any) -> Any:
        self._entry(key)
        return self._value[key]

    def get(self, key: Any, default: Any = None) -> Any:
        self._entry(key)
        return self._value.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._entry(key)
        return key in self._value


class NarrowList(Narrow, Sequence):
    """A list: its first ``n`` items (``[:n]``) are their own read."""

    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1):
            if isinstance(index.stop, int) and index.stop >= 0:
                _note(f"{self._name}[:{index.stop}]")
                return self._value[: index.stop]
        return self._whole()[index]

    def __contains__(self, item: object) -> bool:
        return item in self._whole()


def narrowed(name: str, value: Any) -> Any:
    """``value`` as a template reading ``name`` gets it (plain lists and dicts narrowed)."""
    if isinstance(value, dict):
        return NarrowDict(name, value)
    if isinstance(value, list):
        return NarrowList(name, value)
    return value


class Values(Protocol):
    """What :func:`value_read` reads from: a context, or anything that looks names up like one."""

    def get(self, key: str, default: Any = None, /) -> Any: ...


@functools.lru_cache(maxsize=1 << 16)  # a site's reads: a few per template and topic
def _parsed(read: str) -> tuple[str, str | None]:
    """A read's context name and part (``charts``, ``["a"]``), once per read (every page key
    looks up the same few dozen reads)."""
    match = READ.match(read)
    if match is None:
        return read, None
    return match["name"], match["part"]


def read_name(read: str) -> str:
    """The context name a recorded read looks up (``charts`` for ``charts["a"]``)."""
    return _parsed(read)[0]


def value_read(read: str, context: Values) -> Any:
    """The value behind one recorded read (``MISSING`` when the name or part is not there)."""
    name, part = _parsed(read)
    value = context.get(name, MISSING)
    if not part or value is MISSING:
        return value
    if part == "?":
        return bool(value)
    if part == "!":
        return type(value).__qualname__
    if part == COUNT:
        return getattr(value, "count", MISSING)
    inner = part[1:-1]
    if inner.startswith(":"):
        try:
            return list(value[: int(inner[1:])])
        except (TypeError, ValueError, KeyError):
            return MISSING
    try:
        return value.get(json.loads(inner), MISSING)
    except (AttributeError, TypeError, ValueError):
        return MISSING


class TrackingContext(Context):
    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if _reads is None:
            return value
        if isinstance(value, (list, dict)):
            _reads.add(key + "!")
            return narrowed(key, value)
        _reads.add(key)
        return value


def render_tracked(template: Any, context: dict[str, Any]) -> tuple[str, frozenset[str]]:
    """Render ``template`` and return the output with the reads of it (see the module's doc)."""
    global _reads, _values
    _reads, _values = set(), context
    try:
        output = template.render(context)
        return output, _without_parts_of_wholes(_reads)
    finally:
        _reads = _values = None


def _name(read: str) -> str:
    """The context name a read is of (``charts`` for ``charts["a"]``)."""
    match = READ.match(read)
    return match["name"] if match else read


def _without_parts_of_wholes(reads: set[str]) -> frozenset[str]:
    """The reads, less the parts of values also read whole (the whole covers them; not a
    count, which a paginator's digest leaves out)."""
    wholes = {read for read in reads if _name(read) == read}
    return frozenset(
        read for read in reads if read in wholes or _name(read) not in wholes or read.endswith(COUNT)
    )


def install(generator: Any) -> None:
    """Make a generator's Jinja environment record what its templates read.

    Names through the context class; counts through the environment's ``getattr`` and
    ``getitem`` (what ``a.count``, ``a["count"]``, ``a.end_index()`` and the ``attribute=``
    filters compile to), wrapped on the instance.
    """
    env = getattr(generator, "env", None)
    if env is None:
        return
    if not issubclass(env.context_class, TrackingContext):
        env.context_class = type(
            "Tracking" + env.context_class.__name__, (TrackingContext, env.context_class), {}
        )
    if not getattr(env.getattr, "counts_reads", False):
        env.getattr = _counting(env.getattr)
        env.getitem = _counting(env.getitem)


def _counting(look_up: Any) -> Any:
    def counted(obj: Any, attribute: Any) -> Any:
        if _reads is not None and isinstance(attribute, str) and attribute in _COUNTING:
            _note_count(obj, attribute)
        return look_up(obj, attribute)

    counted.counts_reads = True  # type: ignore[attr-defined]
    return counted
