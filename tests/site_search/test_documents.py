"""The search document of a story: what Pagefind reads for it, escaped, with its filters and meta."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment
from jinja2.filters import do_truncate

from topicfeed.model import Provider
from topicfeed.site_search.documents import search_document, summary

WHEN = dt.datetime(2024, 12, 31, 22, 30, tzinfo=dt.UTC)


def news_article(**changes: object) -> SimpleNamespace:
    fields: dict[str, object] = {
        "title": 'Copilot <b>"agents"</b> & you',
        "excerpt": "Microsoft's new agents <script>alert(1)</script> work across apps.",
        "provider": Provider(name="The Verge & Co", domain="theverge.com", logo=None),
        "kind": "video",
    }
    fields.update(changes)
    item = SimpleNamespace(
        title=fields["title"],
        excerpt=fields["excerpt"],
        provider=fields["provider"],
        published_at=WHEN,
        is_video=fields["kind"] == "video",
    )
    return SimpleNamespace(
        title=fields["title"],
        date=WHEN,
        tags=[SimpleNamespace(name="AI & ML"), SimpleNamespace(name='Power "Apps"')],
        source=SimpleNamespace(name="The Verge"),
        news=item,
    )


@pytest.fixture(autouse=True)
def items_are_news(monkeypatch: pytest.MonkeyPatch) -> None:
    """``item_of`` recognises a Pelican article's ``news``; here it is a stand-in object."""
    from topicfeed.site_search import documents

    monkeypatch.setattr(documents, "item_of", lambda article: getattr(article, "news", None))


def fields(document: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(document, "html.parser")
    found: dict[str, list[str]] = {}
    for kind in ("filter", "meta", "sort"):
        for span in soup.select(f"[data-pagefind-{kind}]"):
            name, _, value = span[f"data-pagefind-{kind}"].partition(":")
            found.setdefault(f"{kind}.{name}", []).append(value)
    return found


def test_a_story_document_holds_its_words_filters_and_meta() -> None:
    document = search_document(news_article(), "%-d %B %Y", "en")
    soup = BeautifulSoup(document, "html.parser")
    assert soup.html["lang"] == "en"
    body = soup.select_one("main[data-pagefind-body]")
    assert body is not None and len(soup.select("h1")) == 1
    assert soup.h1.get_text() == 'Copilot <b>"agents"</b> & you'  # text, not markup
    assert not soup.select("b, script")
    text = body.get_text(" ")
    for words in ("AI & ML · Video", "Microsoft's new agents", "The Verge & Co", 'Power "Apps"'):
        assert words in text
    assert fields(document) == {
        "filter.topic": ["AI & ML", 'Power "Apps"'],
        "filter.source": ["The Verge"],
        "filter.year": ["2024"],
        "filter.kind": ["Video"],
        "sort.published": [str(int(WHEN.timestamp()))],
        "meta.source": ["The Verge"],
        "meta.date": ["31 December 2024"],
        "meta.datetime": [WHEN.isoformat()],
        "meta.summary": ["Microsoft's new agents <script>alert(1)</script> work across apps."],
    }


def test_without_a_source_page_the_publishers_name_is_the_source() -> None:
    article = news_article(kind="article", excerpt="")
    article.source = None
    found = fields(search_document(article, "%Y", "de"))
    assert found["filter.source"] == found["meta.source"] == ["The Verge & Co"]
    assert found["filter.kind"] == ["Article"] and "meta.summary" not in found


def test_an_article_that_is_not_a_news_item_is_indexed_by_title_and_content() -> None:
    page = SimpleNamespace(title="About us", content="<p>We write <em>news</em>.</p>", date=WHEN)
    soup = BeautifulSoup(search_document(page, "%Y", "en"), "html.parser")
    assert soup.h1.get_text() == "About us"
    assert soup.select_one("main[data-pagefind-body] em").get_text() == "news"
    assert not soup.select("[data-pagefind-filter]")


@pytest.mark.parametrize(
    "text",
    ["", "short", "word " * 48, "word " * 49, "x" * 245, "x" * 246, "a " * 200, "ü" * 300],
)
def test_the_summary_is_cut_as_jinjas_truncate_240_cut_it(text: str) -> None:
    assert summary(text) == do_truncate(Environment(autoescape=True), text, 240)
