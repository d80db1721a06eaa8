"""The links a rebuild hangs on its articles are the build's tuples, made only when read."""

from __future__ import annotations

import pickle
from dataclasses import replace
from types import SimpleNamespace

import pytest
from jinja2 import Environment
from support.related_items import count_links_made, mixed_feed

from topicfeed.items import PlainSite
from topicfeed.related_stories.graph import Related, relate
from topicfeed.related_stories.lazy_links import LazyLinks
from topicfeed.related_stories.plugin import dress_articles
from topicfeed.related_stories.settings import DEFAULTS, read_settings

SETTINGS = replace(read_settings(DEFAULTS), cluster_max=3)
FIELDS = ("related", "backlinks", "more_coverage")


def _related() -> Related:
    items = mixed_feed()
    return relate(items, [f"p/{i}/" for i in range(len(items))], SETTINGS)


def test_dressing_makes_no_link_and_gives_what_the_build_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    made = count_links_made(monkeypatch)
    fresh = _related()  # what the build's related step gives every article, made eagerly below
    lazy = _related()
    for position in range(0, len(lazy), 2):  # as the site model does for every item, first
        lazy.keys(position)  # (its counts are kept, and given again; the others are found)
    articles = [SimpleNamespace() for _ in range(len(lazy))]
    dress_articles(PlainSite({}, [], {"related-links": lazy}), list(enumerate(articles)))
    assert made == []  # the counts beside the lists made no link either
    expected = list(fresh)
    made.clear()
    for article, relations in zip(articles, expected, strict=True):
        assert article.related_links == relations.related
        assert article.backlinks == relations.backlinks
        assert article.more_coverage == relations.more_coverage
        assert article.more_coverage_total == relations.more_coverage_total
        assert article.cluster_size == relations.cluster_size
    assert made  # read: made
    # what makes the comparison worth something: backlinks, and clusters larger than shown
    assert any(r.backlinks for r in expected)
    assert any(r.more_coverage_total > len(r.more_coverage) for r in expected)


def test_lazy_links_read_as_the_tuple() -> None:
    related = _related()
    position = next(i for i, r in enumerate(related) if len(r.related) >= 2 and r.backlinks)
    links = related[position].related
    lazy = LazyLinks(related, position, "related")
    assert len(lazy) == len(links) and bool(lazy) and lazy[0] == links[0] and lazy[-1] == links[-1]
    assert lazy[:1] == links[:1] and isinstance(lazy[:1], tuple)
    assert list(lazy) == list(links) and list(reversed(lazy)) == list(reversed(links))
    assert links[1] in lazy and lazy == links and links == lazy and hash(lazy) == hash(links)
    assert lazy + links[:1] == links + links[:1] and links[:1] + lazy == links[:1] + links
    assert lazy + LazyLinks(related, position, "backlinks") == links + related[position].backlinks
    assert pickle.loads(pickle.dumps(lazy)) == links and repr(lazy) == repr(links)  # noqa: S301
    assert lazy.index(links[1]) == 1 and lazy.count(links[0]) == 1
    empty = next(i for i, r in enumerate(related) if not r.backlinks)
    assert not LazyLinks(related, empty, "backlinks") and len(LazyLinks(related, empty, "backlinks")) == 0


def test_a_template_renders_lazy_links_as_the_tuples() -> None:
    """As a theme reads them: truth, length, loops, slices, filters."""
    template = Environment(autoescape=True).from_string(
        "{% for name in names %}{% set links = article[name] %}"
        "{% if links %}{{ links | length }}:{% for link in links %}{{ link.url }},{% endfor %}"
        "{{ (links | first).title }}|{{ links[:1] | map(attribute='key') | join }}|"
        "{{ links | reverse | map(attribute='url') | join(' ') }}{% else %}none{% endif %};"
        "{% endfor %}{{ article.more_coverage_total - article.more_coverage | length }}"
    )
    related = _related()
    seen = 0
    for position, relations in enumerate(related):
        eager = relations._asdict()
        lazy: dict[str, object] = {name: LazyLinks(related, position, name) for name in FIELDS}
        lazy["more_coverage_total"] = relations.more_coverage_total
        assert template.render(article=lazy, names=FIELDS) == template.render(article=eager, names=FIELDS)
        seen += bool(relations.more_coverage)
    assert seen
