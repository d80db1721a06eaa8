"""The coverage step on its own: what it puts in the templates' context, from plain articles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from pelican.settings import DEFAULT_CONFIG

from topicfeed.coverage.plugin import attach, coverage_values, page_values
from topicfeed.coverage.settings import SETTINGS
from topicfeed.items import PlainSite, Story, stand_in, story_topics, topic_tags
from topicfeed.model import NewsItem, Provider
from topicfeed.settings import apply
from topicfeed.site import site_timezone

NEWEST = dt.datetime(2024, 5, 31, 12, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Tag:
    """Pelican's Tag as the step reads it: hashable, with a name, slug and URL."""

    name: str
    slug: str
    url: str


def article(
    days_back: int, tags: list[str], domain: str = "example.com", name: str = "Example"
) -> SimpleNamespace:
    published = NEWEST - dt.timedelta(days=days_back)
    item = NewsItem("t", "e", published, f"https://{domain}/{days_back}", Provider(name, domain))
    return SimpleNamespace(date=published, metadata={"news": item}, tags=tags)


def generator(articles: list[SimpleNamespace], **settings: object) -> SimpleNamespace:
    tags: dict[Tag, list[SimpleNamespace]] = {}
    made: dict[str, Tag] = {}
    for a in articles:
        for name in a.tags:
            tag = made.setdefault(name, Tag(name, name.lower(), f"topics/{name.lower()}/"))
            tags.setdefault(tag, []).append(a)
    apply(settings, SETTINGS)
    return SimpleNamespace(settings=settings, articles=articles, tags=tags, context={})


def test_charts_sparklines_and_trending_in_the_context() -> None:
    articles = [article(0, ["Rising"]), article(1, ["Rising"]), article(3, ["Base"])]
    articles += [article(10 + n, ["Base"]) for n in range(8)]
    articles += [article(20, ["Rising"], "news.example.org", "Other News")]
    gen = generator(articles)
    attach(gen)
    context = gen.context
    assert sorted(context["coverage_topics"]) == ["base", "rising"]
    rising = context["coverage_topics"]["rising"]
    assert rising.series.unit == "week" and rising.series.total == 3
    assert (
        rising.title == "Stories on Rising per week"
        and 'aria-labelledby="coverage-rising-title' in rising.svg
    )
    assert sorted(context["coverage_sources"]) == ["example-com", "news-example-org"]
    assert context["coverage_sources"]["news-example-org"].title == "Stories from Other News per week"
    assert set(context["coverage_sparklines"]) == {"base", "rising"}
    assert [t.name for t in context["trending_topics"]] == ["Rising"]
    assert context["trending_topics"][0].recent == 2 and context["trending_topics"][0].url == "topics/rising/"
    assert context["trending_window"].last == NEWEST.date()
    assert context["trending_window"].first == NEWEST.date() - dt.timedelta(days=6)


def test_settings_change_the_unit_and_the_number_shown() -> None:
    articles = [article(0, ["Rising"]), article(1, ["Rising"]), article(30, ["Base"])]
    gen = generator(articles, COVERAGE_WEEKLY_MAX_DAYS=7, TRENDING_TOPICS=0)
    attach(gen)
    assert gen.context["coverage_topics"]["base"].series.unit == "month"
    assert gen.context["trending_topics"] == ()


def test_no_news_items_gives_empty_data() -> None:
    gen = generator([])
    attach(gen)
    assert gen.context["coverage_topics"] == {} and gen.context["trending_topics"] == ()
    assert gen.context["trending_window"] is None


def test_a_page_rendered_from_the_site_model_gets_the_builds_values() -> None:
    """The rebuild's page values come from the stories' plain values (no article per story):
    the same charts, sparklines and trends as the build's step draws from Pelican's grouping of
    its articles by tag (a topic spelled two ways, named twice by one story, a source whose
    stories name it two ways)."""
    settings = dict(DEFAULT_CONFIG, TIMEZONE="Europe/Paris")
    apply(settings, SETTINGS)
    stories = []
    for n, (topics, domain, name) in enumerate(
        [
            (("rising", "Rising"), "example.com", "Example"),
            (("rising", "rising!", "base", "Base"), "example.com", "EXAMPLE"),
            (("base", "Base", "base", "Base"), "news.example.org", "Other News"),
            *[(("base", "BASE"), "example.com", "Example")] * 9,
            (("rising", "Rising"), "news.example.org", "Other News"),
        ]
    ):
        published = NEWEST - dt.timedelta(days=n * 2, hours=n)
        item = NewsItem("t", "e", published, f"https://{domain}/{n}", Provider(name, domain))
        slugs, names = topics[::2], topics[1::2]
        stories.append(Story(item, f"{n}.html", f"{n}.html", published.timestamp(), slugs, names))
    zone = site_timezone(settings)
    tags: dict[object, list[object]] = {}
    articles = []
    named = topic_tags(map(story_topics, stories), settings, by_spelling=False)
    for story, story_tags in zip(stories, named, strict=True):
        made = stand_in(story.item)
        made.date = dt.datetime.fromtimestamp(story.timestamp, zone)
        for tag in story_tags:
            tags.setdefault(tag, []).append(made)
        articles.append(made)
    built = coverage_values(articles, tags, settings)
    assert built["trending_topics"] and built["coverage_sources"]
    assert page_values(PlainSite(settings, stories, {}), None) == built
