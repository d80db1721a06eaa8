"""Templates read parts of site-wide lists and dicts; a page's key covers only the parts it took."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from jinja2 import Environment
from pelican.paginator import Paginator

from topicfeed import template_reads as tracking
from topicfeed.fast_writer.fingerprint import Fingerprinter
from topicfeed.fast_writer.render import page_key
from topicfeed.template_reads import MISSING, TrackingContext, render_tracked, value_read


def render(source: str, **context: Any) -> tuple[str, list[str]]:
    env = Environment(autoescape=True)
    env.context_class = TrackingContext
    output, names = render_tracked(env.from_string(source), context)
    return output, sorted(names)


def reads(source: str, **context: Any) -> tuple[str, list[str]]:
    """The output and the reads, less the ``name!`` noted for every list or dict resolved."""
    output, names = render(source, **context)
    return output, [name for name in names if not name.endswith("!")]


def test_asking_whether_a_list_is_empty_reads_only_that() -> None:
    assert reads("{% if sources %}S{% endif %}", sources=[1, 2]) == ("S", ["sources?"])


def test_one_entry_of_a_dict_by_key_get_or_in() -> None:
    charts = {"a": "A", "b": "B"}
    assert reads("{{ charts['a'] }}", charts=charts) == ("A", ['charts["a"]'])
    assert reads("{{ (charts or {}).get('b') }}", charts=charts) == ("B", ["charts?", 'charts["b"]'])
    assert reads("{{ 'a' in charts }}", charts=charts) == ("True", ['charts["a"]'])
    assert reads("{{ charts.a }}", charts=charts)[0] == "A"


def test_the_first_items_of_a_list() -> None:
    output, names = reads("{% for x in items[:2] %}{{ x }}{% endfor %}", items=[1, 2, 3])
    assert (output, names) == ("12", ["items[:2]"])


def test_anything_else_reads_the_whole_value() -> None:
    assert reads("{{ items | length }}", items=[1, 2])[1] == ["items"]
    assert reads("{% for x in items %}{{ x }}{% endfor %}", items=[1, 2]) == ("12", ["items"])
    assert reads("{{ items[1] }}", items=[1, 2]) == ("2", ["items"])
    assert reads("{{ charts | dictsort | first }}", charts={"b": 1, "a": 2})[1] == ["charts"]
    assert reads("{{ title }}", title="T") == ("T", ["title"])


def test_a_part_not_taken_in_a_branch_not_taken_is_not_read() -> None:
    source = "{% if first %}{{ items[:1] }}{% endif %}"
    assert reads(source, first=False, items=[1])[1] == ["first"]


def test_a_list_or_dict_resolved_is_noted_as_there() -> None:
    assert render("{% if items is defined %}D{% endif %}", items=[]) == ("D", ["items!"])
    assert render("{{ items | length }}", items=[1])[1] == ["items"]  # the whole covers it
    assert key("items!", {"items": []}) == key("items!", {"items": [1, 2]})
    assert key("items!", {"items": []}) != key("items!", {})
    assert key("items!", {"items": []}) != key("items!", {"items": {}})


def test_value_read_gives_the_part() -> None:
    context = {"items": [1, 2, 3], "charts": {"a": 1}, "empty": []}
    assert value_read("items[:2]", context) == [1, 2]
    assert value_read('charts["a"]', context) == 1
    assert value_read('charts["z"]', context) is MISSING
    assert value_read("empty?", context) is False
    assert value_read("nothing?", context) is MISSING
    assert value_read("empty!", context) == "list"
    assert value_read("nothing!", context) is MISSING
    assert value_read("items", context) == [1, 2, 3]


def key(read: str | list[str], context: dict[str, Any]) -> str | None:
    """The key of a page that made ``read`` (one read, or a list of them) of ``context``."""
    return page_key(b"s", "t.html", [read] if isinstance(read, str) else read, context, Fingerprinter())


def test_the_key_changes_only_with_the_part_read() -> None:
    charts = {"a": 1, "b": 2}
    assert key('charts["a"]', {"charts": charts}) == key('charts["a"]', {"charts": {**charts, "b": 3}})
    assert key('charts["a"]', {"charts": charts}) != key('charts["a"]', {"charts": {**charts, "a": 3}})
    assert key("items[:2]", {"items": [1, 2, 3]}) == key("items[:2]", {"items": [1, 2, 4, 5]})
    assert key("items[:2]", {"items": [1, 2, 3]}) != key("items[:2]", {"items": [0, 1, 2]})
    assert key("items?", {"items": [1]}) == key("items?", {"items": [2, 3]})
    assert key("items?", {"items": [1]}) != key("items?", {"items": []})


# Counts --------------------------------------------------------------------------------------

PAGINATION = {"DEFAULT_ORPHANS": 0, "PAGINATION_PATTERNS": [(1, "{name}{extension}", "{name}{extension}")]}


def counted_reads(template: str, **context: Any) -> list[str]:
    """The reads of ``template`` in an environment made the way the writer makes its own."""
    env = Environment(autoescape=True)
    tracking.install(SimpleNamespace(env=env))
    return sorted(
        name for name in render_tracked(env.from_string(template), context)[1] if not name.endswith("!")
    )


def test_a_count_is_read_only_by_a_page_that_asks_for_it() -> None:
    paginator = Paginator("index.html", "", list(range(45)), PAGINATION, 20)
    pages = {"articles_paginator": paginator, "articles_page": paginator.page(3)}
    assert counted_reads("{{ articles_paginator.num_pages }}", **pages) == ["articles_paginator"]
    assert counted_reads("{{ articles_page.number }} {{ articles_page.has_next() }}", **pages) == [
        "articles_page"
    ]
    asked = ["articles_paginator", "articles_paginator.count"]
    assert counted_reads("{{ articles_paginator.count }}", **pages) == asked
    assert counted_reads("{{ articles_paginator['count'] }}", **pages) == asked
    # end_index() is the count on the last page; a paginator reached through its page is the page's
    assert counted_reads("{{ articles_page.end_index() }}", **pages) == [
        "articles_page",
        "articles_paginator.count",
    ]
    assert counted_reads("{{ articles_page.paginator.count }}", **pages) == [
        "articles_page",
        "articles_paginator.count",
    ]
    assert counted_reads("{{ articles_paginator | attr('count') }}", **pages) == asked
    assert counted_reads("{{ [articles_paginator] | map(attribute='count') | sum }}", **pages) == asked
    source = SimpleNamespace(name="E", count=3)
    assert counted_reads("{{ source.name }}", source=source) == ["source"]
    assert counted_reads("{{ source.count }}", source=source) == ["source", "source.count"]


def test_a_paginator_that_is_no_value_of_the_page_reads_every_count() -> None:
    one = Paginator("index.html", "", list(range(5)), PAGINATION, 2)
    other = Paginator("index.html", "", list(range(7)), PAGINATION, 2)
    shelf = SimpleNamespace(paginator=Paginator("x.html", "", [1], PAGINATION, 2))
    reads = counted_reads("{{ shelf.paginator.count }}", shelf=shelf, a_paginator=one, b_paginator=other)
    assert reads == ["a_paginator.count", "b_paginator.count", "shelf"]


def test_a_pages_key_follows_the_count_only_when_it_read_it() -> None:
    """A story more that leaves the number of pages as it was: the home page (number of pages
    only) keeps its key, a topic page that shows the count does not."""
    before = Paginator("index.html", "", list(range(45)), PAGINATION, 20)
    after = Paginator("index.html", "", list(range(46)), PAGINATION, 20)
    assert before.num_pages == after.num_pages
    for reads, same in (
        (["articles_paginator"], True),
        (["articles_paginator", "articles_paginator.count"], False),
    ):
        keys = [key(reads, {"articles_paginator": paginator}) for paginator in (before, after)]
        assert (keys[0] == keys[1]) is same, reads
    assert value_read("articles_paginator.count", {"articles_paginator": after}) == 46
    assert value_read("source.count", {"source": SimpleNamespace(name="E")}) is MISSING
