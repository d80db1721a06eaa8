"""The fingerprinter: equal values give equal digests, any visible change changes the digest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from markupsafe import Markup
from pelican.paginator import Paginator
from pelican.urlwrappers import Category, Tag

from topicfeed.fast_writer.fingerprint import Fingerprinter, digest_all
from topicfeed.fast_writer.writer import PURE_TYPES
from topicfeed.model import Image, NewsItem, Provider
from topicfeed.news_theme.neighbours import StoryRef
from topicfeed.related_stories.links import StoryLink


class Plain:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class Shown:
    """Says what of it a page can show."""

    def __init__(self, shown: Any, hidden: Any) -> None:
        self.shown, self.hidden = shown, hidden

    def __fingerprint__(self) -> Any:
        return self.shown


@dataclasses.dataclass
class Record:
    name: str
    tags: list[str]


def digest(value: Any, pure: tuple[type, ...] = ()) -> bytes | None:
    return Fingerprinter(pure).digest(value)


def test_equal_values_equal_digests_and_changes_change_them() -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC)
    first = Plain(title="A", when=when, tags=["x", "y"], meta={"k": 1})
    second = Plain(title="A", when=when, tags=["x", "y"], meta={"k": 1})
    assert digest(first) == digest(second) is not None
    for changed in (
        Plain(title="B", when=when, tags=["x", "y"], meta={"k": 1}),
        Plain(title="A", when=when + dt.timedelta(seconds=1), tags=["x", "y"], meta={"k": 1}),
        Plain(title="A", when=when, tags=["y", "x"], meta={"k": 1}),
        Plain(title="A", when=when, tags=["x", "y"], meta={"k": 2}),
        Plain(title="A", when=when, tags=["x", "y"], meta={"k": 1}, extra=None),
    ):
        assert digest(changed) != digest(first)


def test_types_are_told_apart() -> None:
    assert digest(1) != digest("1") != digest(b"1")
    assert digest([1]) != digest((1,))
    assert digest(Record("a", [])) != digest(Plain(name="a", tags=[]))
    assert digest({"a", "b"}) == digest({"b", "a"})  # sets have no order


def test_the_parts_of_a_value_cannot_run_into_each_other() -> None:
    """Two values that differ never give the same bytes (a string carries its length, a number ends)."""
    assert digest(["a", "b"]) != digest(["asb"])
    assert digest([1, 2]) != digest([12])
    assert digest({"a": "b", "c": "d"}) != digest({"a": "bscsd"})
    assert digest(Plain(a="b", c="d")) != digest(Plain(a="bscsd"))
    assert digest(Record("a", ["b"])) != digest(Record("ab", []))


def test_settings_and_context_are_not_followed() -> None:
    """Templates read settings by name (each name read is part of the key), so they are skipped."""
    assert digest(Plain(a=1, settings={"X": 1})) == digest(Plain(a=1, settings={"X": 2}))
    assert digest(Plain(a=1, _context={"x": 1})) == digest(Plain(a=1, _context={"x": 2}))


def test_fingerprint_method_decides_what_counts() -> None:
    assert digest(Shown("same", 1)) == digest(Shown("same", 2))
    assert digest(Shown("one", 1)) != digest(Shown("two", 1))
    prints = Fingerprinter()
    prints.digest(Shown("x", 0))
    assert prints.fast_paths == {"Shown": "custom"}


def test_an_object_without_a_stable_form_has_no_digest() -> None:
    assert digest(Plain(handle=object())) is None
    assert digest(Markup("<b>x</b>")) is not None  # a str subclass: its text


def test_cycles_terminate_and_are_stable() -> None:
    first, second = Plain(name="a"), Plain(name="a")
    first.me, second.me = first, second
    assert digest(first) == digest(second) is not None


def test_paginator_is_digested_as_its_pages_show_it() -> None:
    settings = {"PAGINATION_PATTERNS": [(1, "{url}", "{save_as}")], "DEFAULT_ORPHANS": 0}
    items = [Plain(n=i) for i in range(5)]
    edited = [*items[:4], Plain(n="edited")]
    same = digest(Paginator("index.html", "", items, settings, 2))
    assert same == digest(Paginator("index.html", "", edited, settings, 2))  # content lives in the pages
    assert same != digest(Paginator("index.html", "", items[:3], settings, 2))  # 2 pages, not 3
    # One story more, still 3 pages: the count is a read of its own (tracking, ``name.count``).
    assert same == digest(Paginator("index.html", "", [*items, Plain(n=5)], settings, 2))


def test_pure_types_are_digested_whole_and_the_model_is_pure() -> None:
    """The fast path: the model's frozen classes are digested by their ``repr`` (or pickled), not
    attribute by attribute."""
    assert NewsItem in PURE_TYPES and Image in PURE_TYPES
    image = Image(url="https://example.org/a.png")
    prints = Fingerprinter(PURE_TYPES)
    assert prints.digest(image) == Fingerprinter(PURE_TYPES).digest(Image(url="https://example.org/a.png"))
    assert prints.fast_paths == {"Image": "repr"}
    slow = Fingerprinter(())
    assert slow.digest(image) is not None and slow.fast_paths == {}
    assert prints.digest(Image(url="https://example.org/b.png")) != prints.digest(image)


def test_pure_objects_inside_pure_objects_are_digested_by_their_fields() -> None:
    """A pure data class is pickled as its class and field values (no ``fields()`` per object),
    nested pure objects too: a change deep inside still changes the digest."""
    logo = Image(url="https://example.org/logo.png", width=50, height=50)
    provider = Provider(name="Wire", domain="wire.io", logo=logo)
    same = Provider(
        name="Wire", domain="wire.io", logo=Image(url="https://example.org/logo.png", width=50, height=50)
    )
    assert digest(provider, PURE_TYPES) == digest(same, PURE_TYPES)
    for changed in (
        dataclasses.replace(provider, logo=dataclasses.replace(logo, width=51)),
        dataclasses.replace(provider, logo=dataclasses.replace(logo, title="Logo")),
        dataclasses.replace(provider, logo=None),
        dataclasses.replace(provider, name="Wire "),
    ):
        assert digest(changed, PURE_TYPES) != digest(provider, PURE_TYPES), changed
    assert digest(Image(url="a", width=1), PURE_TYPES) != digest(Image(url="a", height=1), PURE_TYPES)


def test_an_objects_attributes_count_whatever_their_order() -> None:
    """Objects of one class with the same attributes set in another order digest alike; an
    attribute more or less, or another value, does not."""
    first, second = Plain(a=1, b="x"), Plain(b="x", a=1)
    prints = Fingerprinter()
    assert prints.digest(first) == prints.digest(second)
    assert prints.digest(Plain(a=1, b="x", c=None)) != prints.digest(first)
    assert prints.digest(Plain(a=1)) != prints.digest(first)
    assert prints.digest(Plain(b="x", a=2)) != prints.digest(first)


def test_an_articles_digest_follows_what_its_pages_and_feeds_show() -> None:
    """An article as the feeds and pages get it: an edit of its excerpt, title or date, or of the
    title of a story it links to, changes its digest (and so every key listing it)."""
    when = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    item = NewsItem(
        title="A story",
        excerpt="What happened.",
        published_at=when,
        url="https://e.org/a",
        provider=Provider("E", "e.org"),
    )
    link = StoryLink("Another story", "2024/03/01/another/", True, "E", "e.org", when, None, "k2")

    def article(item: NewsItem = item, link: StoryLink = link) -> Plain:
        return Plain(
            title=item.title,
            news=item,
            date=item.published_at,
            _summary=Markup("<p>%s</p>") % item.excerpt,
            related_links=(link,),
            metadata={"title": item.title, "date": item.published_at},
        )

    base = digest(article(), PURE_TYPES)
    assert base is not None and base == digest(article(), PURE_TYPES)
    edits = [
        article(dataclasses.replace(item, excerpt="Edited: What happened.")),
        article(dataclasses.replace(item, title="A new title")),
        article(dataclasses.replace(item, published_at=when + dt.timedelta(minutes=1))),
        article(link=link._replace(title="Another story, renamed")),
        article(link=link._replace(url="2024/03/01/moved/")),
    ]
    for edited in edits:
        assert digest(edited, PURE_TYPES) != base


@dataclasses.dataclass(frozen=True)
class OwnRepr:
    shown: str
    hidden: str

    def __repr__(self) -> str:
        return f"OwnRepr({self.shown!r})"


@dataclasses.dataclass(frozen=True)
class HiddenField:
    shown: str
    hidden: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True)
class Holder:
    value: Any


def test_a_pure_type_whose_repr_leaves_a_field_out_is_pickled() -> None:
    """``repr`` stands for a value only when it is the one ``dataclasses`` made, showing every
    field; otherwise (a class's own ``__repr__``, a ``repr=False`` field) the value is pickled."""
    pure = (OwnRepr, HiddenField, Holder)
    for kind in (OwnRepr, HiddenField):
        prints = Fingerprinter(pure)
        assert prints.digest(kind("a", "b")) != Fingerprinter(pure).digest(kind("a", "c"))
        assert prints.fast_paths == {kind.__name__: "pickle"}
    prints = Fingerprinter(pure)
    assert prints.digest(Holder("a")) != prints.digest(Holder(1)) != prints.digest(Holder(True))
    assert prints.digest(Holder("a")) != prints.digest(Holder(Markup("a")))
    assert prints.fast_paths == {"Holder": "repr"}
    prints = Fingerprinter(pure)
    prints.digest(Holder(object()))  # its repr holds an address: pickled instead
    assert prints.fast_paths == {"Holder": "pickle"}


def test_empty_lists_tuples_and_dicts_digest_as_any_other_would() -> None:
    """An empty ``list``, ``tuple`` or ``dict`` has a digest made once, the one its class's plan
    gives (so keys stay what they were), and the three stay told apart."""
    prints = Fingerprinter()
    for empty in ([], (), {}):
        made = b"#" + hashlib.blake2b(prints._plan(type(empty))(empty), digest_size=16).digest()
        assert prints.digest(empty) == made
    assert len({prints.digest([]), prints.digest(()), prints.digest({})}) == 3
    assert prints.digest([]) != prints.digest([None]) and prints.digest({}) != prints.digest({"a": 1})


def tag_settings(**changes: Any) -> dict[str, Any]:
    return {"TAG_URL": "topics/{slug}/", "TAG_SAVE_AS": "topics/{slug}/index.html", **changes}


def test_tags_alike_digest_alike_and_anything_they_show_counts() -> None:
    """Pelican makes a new ``Tag`` per article; equal ones share a digest, while another name,
    slug, URL pattern or attribute (``as_dict`` fills the patterns from them all) changes it."""
    settings = tag_settings()
    prints = Fingerprinter()
    base = prints.digest(Tag("Python", settings))
    assert base == prints.digest(Tag("Python", settings)) is not None
    renamed = Tag("Python", settings)
    renamed.slug = "py"
    extra = Tag("Python", tag_settings(TAG_URL="t/{slug}/{colour}/"))
    extra.colour = "red"  # type: ignore[attr-defined]
    other_extra = Tag("Python", extra.settings)
    other_extra.colour = "blue"  # type: ignore[attr-defined]
    different = [
        Tag("Rust", settings),
        renamed,
        Tag("Python", tag_settings(TAG_URL="t/{slug}/")),
        Tag("Python", tag_settings(TAG_SAVE_AS="t/{slug}.html")),
        extra,
        other_extra,
    ]
    digests = [prints.digest(tag) for tag in different]
    assert base not in digests and len(set(digests)) == len(digests)
    assert prints.digest(Category("Python", {"CATEGORY_URL": "x/", "CATEGORY_SAVE_AS": "x.html"})) != base


class MovingTag(Tag):
    """A tag whose URL comes from somewhere else than its attributes."""

    @property
    def url(self) -> str:
        return str(self.settings["NOW"])


def test_a_tag_that_makes_its_url_its_own_way_is_digested_each_time() -> None:
    settings = tag_settings(NOW="a", MOVINGTAG_SAVE_AS="m.html")
    prints = Fingerprinter()
    first = prints.digest(MovingTag("Python", settings))
    settings["NOW"] = "b"
    assert prints.digest(MovingTag("Python", settings)) != first


def test_a_story_link_is_digested_by_every_field() -> None:
    """``StoryLink.__fingerprint__``: its ``repr``; a change of any field changes the digest."""
    when = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    image = Image(url="https://e.org/a.png", width=10, height=10)
    link = StoryLink("A story", "2024/03/01/a/", True, "E", "e.org", when, image, "k1")
    prints = Fingerprinter(PURE_TYPES)
    base = prints.digest(link)
    assert base == Fingerprinter(PURE_TYPES).digest(link._replace()) and prints.fast_paths == {
        "StoryLink": "custom"
    }
    changes = {
        "title": "A story!",
        "url": "2024/03/01/b/",
        "internal": False,
        "provider": "F",
        "domain": "f.org",
        "date": when.astimezone(dt.timezone(dt.timedelta(hours=1))),  # the same moment, shown otherwise
        "image": dataclasses.replace(image, width=11),
        "key": "k2",
        "computed": True,
    }
    assert set(changes) == set(StoryLink._fields)
    digests = [prints.digest(link._replace(**{name: value})) for name, value in changes.items()]
    assert base not in digests and len(set(digests)) == len(digests)
    assert prints.digest(link._replace(image=None)) != base
    # an image without a stable repr: digested part by part, so alike links still digest alike
    assert digest(link._replace(image=Plain(x=1))) == digest(link._replace(image=Plain(x=1))) is not None


def test_a_story_reference_is_digested_by_its_title_and_url() -> None:
    prints = Fingerprinter()
    base = prints.digest(StoryRef("A", "a/"))
    assert base == prints.digest(StoryRef("A", "a/"))
    assert len({base, prints.digest(StoryRef("B", "a/")), prints.digest(StoryRef("A", "b/"))}) == 3
    assert prints.digest(StoryRef("ab", "c")) != prints.digest(StoryRef("a", "bc"))


def test_a_value_read_again_under_its_name_keeps_its_digest_and_another_gets_its_own() -> None:
    """``digest_named``: the object last read under a name gives its digest again (not made
    again); another object under that name, even an equal one, is digested."""
    prints = Fingerprinter()
    title, other = "Site " * 20, "Other " * 20
    first = prints.digest_named("SITENAME", title)
    calls: list[Any] = []
    prints._digest = lambda value: calls.append(value) or b"made"  # type: ignore[method-assign]
    assert prints.digest_named("SITENAME", title) == first and calls == []
    assert prints.digest_named("SITENAME", other) == b"made" and calls == [other]
    assert prints.digest_named("TITLE", other) == b"made" and calls == [other, other]
    assert Fingerprinter().digest_named("SITENAME", other) == Fingerprinter().digest(other)
    fresh = Fingerprinter()
    assert fresh.digest_named("FLAG", 1) != fresh.digest_named("FLAG", True)  # equal, not the same


def test_forgetting_lets_go_of_every_value_and_keeps_digests_equal() -> None:
    """Once every page is keyed, the build's fingerprinter drops what it remembered: the values it
    held alive are freed, and a value digested again gives the same digest."""
    import gc
    import weakref

    prints = Fingerprinter(PURE_TYPES)
    value = Plain(title="A story", tags=["AI", "ML"], shown=Shown("x", object()))
    before = prints.digest(value)
    assert prints.digest_named("article", value) == before
    watch = weakref.ref(value)
    prints.forget()
    assert prints.digest(value) == before
    prints.forget()
    del value
    gc.collect()
    assert watch() is None, "the fingerprinter still holds a value after forget()"


def test_after_forgetting_a_nested_value_is_digested_as_it_is_now() -> None:
    """A class's plan is made once and looks digests up in the fingerprinter's memory: after
    ``forget`` it must find nothing there, not the digests of values since changed."""
    prints = Fingerprinter(PURE_TYPES)
    inner = ["AI"]
    outer = Plain(title="A story", tags=inner, shown=None)
    before = prints.digest(outer)
    prints.forget()
    inner.append("ML")
    assert prints.digest(outer) != before
    assert prints.digest(outer) == Fingerprinter(PURE_TYPES).digest(outer)


def test_digests_made_elsewhere_are_adopted_as_made_here() -> None:
    """A process forked from the build digests the articles (``digest_all``); the build takes
    those digests over (``adopt``) and keys its pages with them."""
    values = [Plain(title=f"A{n}", tags=["x", str(n)], meta={"n": n}) for n in range(5)]
    made = digest_all(values, PURE_TYPES)
    assert made == [digest(value, PURE_TYPES) for value in values]
    assert None not in made and len(set(made)) == 5

    prints = Fingerprinter(PURE_TYPES)
    already = prints.digest(values[0])
    unstable = Plain(at=object())
    assert prints.adopt([*values, unstable], [b"#" + bytes(16), *made[1:], None]) == 4
    assert prints.digest(values[0]) == already  # digested here first: kept
    values[1].title = "changed after its digest was made"  # adopted: not digested again
    assert prints.digest(values[1]) == made[1]
    assert prints.digest(Plain(title="A1", tags=["x", "1"], meta={"n": 1})) == made[1]
    assert prints.digest(unstable) is None  # no digest to adopt: worked out here (none)
