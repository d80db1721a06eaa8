"""``topicfeed.sources``: articles grouped by source, as the source pages and feeds both show them."""

from __future__ import annotations

from types import SimpleNamespace

from topicfeed.items import ITEM_KEY
from topicfeed.model import build_item
from topicfeed.settings import apply
from topicfeed.sources import SETTINGS, group_sources

LOGO = {"url": "https://img.example.com/logo.png"}


def article(n: int, name: str, domain: str, logo: dict | None = None) -> SimpleNamespace:
    provider: dict = {"name": name, "domain": domain}
    if logo:
        provider["images"] = [logo]
    item, problems = build_item(
        {
            "title": f"Story {n}",
            "publishedDateTime": "2024-03-01T10:00:00Z",
            "webUrl": f"https://{domain}/{n}",
            "provider": provider,
        },
        f"{n}.txt",
    )
    assert item is not None, problems
    return SimpleNamespace(metadata={ITEM_KEY: item}, n=n)


def settings(**overrides: str) -> dict:
    values: dict = dict(overrides)
    apply(values, SETTINGS)
    return values


def test_grouped_by_domain_slug_in_the_given_order() -> None:
    articles = [
        article(1, "FT", "ft.com"),
        article(2, "Example", "example.org"),
        article(3, "FT", "www.ft.com"),  # the model drops www.
        SimpleNamespace(metadata={"title": "ordinary Markdown"}, n=4),
    ]
    sources = group_sources(articles, settings())
    assert [(s.slug, [a.n for a in s.articles]) for s in sources] == [
        ("example-org", [2]),
        ("ft-com", [1, 3]),
    ]


def test_name_and_domain_most_used_ties_alphabetical_logo_newest() -> None:
    articles = [
        article(1, "Financial Times", "ft.com"),
        article(2, "FT", "ft.com", LOGO),
        article(3, "FT", "ft.com"),
        article(4, "Financial Times", "ft.com", {"url": "https://img.example.com/old.png"}),
    ]
    (source,) = group_sources(articles, settings())
    assert source.name == "FT"  # 2 against 2: the smaller name
    assert source.domain == "ft.com"
    assert source.logo is not None and source.logo.url == LOGO["url"]  # the first (newest) with one
    assert source.count == 4


def test_urls_follow_the_settings_and_sources_sort_by_name() -> None:
    articles = [article(1, "beta", "b.example"), article(2, "Alpha", "a.example")]
    sources = group_sources(articles, settings(SOURCE_URL="by/{slug}.html", SOURCE_SAVE_AS="by/{slug}.html"))
    assert [s.name for s in sources] == ["Alpha", "beta"]
    assert sources[0].url == "by/a-example.html"
    assert sources[0].page_name == "by/a-example"
    defaults = group_sources(articles, settings())
    assert (defaults[0].url, defaults[0].save_as) == ("sources/a-example/", "sources/a-example/index.html")


def test_fingerprint_does_not_change_with_the_stories() -> None:
    one = group_sources([article(1, "FT", "ft.com")], settings())[0]
    other = group_sources([article(2, "FT", "ft.com")], settings())[0]
    assert one.__fingerprint__() == other.__fingerprint__()
    assert one.articles != other.articles
