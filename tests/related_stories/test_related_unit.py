"""The related step on in-memory items: story keys, cross-links, score, clusters, ranking."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import replace

import pytest
from support.related_items import count_links_made, entry, make, mixed_feed

from topicfeed.model import NewsItem
from topicfeed.ranking import percentiles, rank_scores, top_stories
from topicfeed.related_stories.graph import UnionFind, backlinks, clusters, cross_links, relate
from topicfeed.related_stories.score import RelatedScorer, title_words
from topicfeed.related_stories.settings import DEFAULTS, RelatedSettings, read_settings
from topicfeed.settings import SettingsError
from topicfeed.stories import date_order, story_index
from topicfeed.urls import story_key

SETTINGS = read_settings(DEFAULTS)


# Story keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("https://www.example.com/a/b", "example.com/a/b"),
        ("http://example.com/a/b/", "example.com/a/b"),
        ("HTTPS://WWW.EXAMPLE.COM:443/a/b#section", "example.com/a/b"),
        ("http://example.com:80/a/b?utm_source=x&utm_medium=y", "example.com/a/b"),
        ("https://example.com./a/b?fbclid=1&gclid=2&mkt_tok=3&smid=4&WT.mc_id=5", "example.com/a/b"),
        ("https://example.com/a/b?z=1&a=2&utm_campaign=c", "example.com/a/b?a=2&z=1"),
        ("https://example-com.cdn.ampproject.org/c/s/example.com/a/b", "example.com/a/b"),
        (
            "https://example-com.cdn.ampproject.org/v/s/www.example.com/a/b/?amp_js_v=0.1",
            "example.com/a/b?amp_js_v=0.1",
        ),
        ("https://example.com:8080/a", "example.com:8080/a"),
        ("https://example.com/caf%C3%A9", "example.com/caf%C3%A9"),
        ("https://example.com/café", "example.com/caf%C3%A9"),
    ],
)
def test_story_key_rules(spelling: str, key: str) -> None:
    assert story_key(spelling) == key


def test_story_key_keeps_stories_apart() -> None:
    assert story_key("https://example.com/a?id=1") != story_key("https://example.com/a?id=2")
    assert story_key("https://example.com/a") != story_key("https://example.org/a")
    assert story_key("javascript:alert(1)") is None


# Cross-links ----------------------------------------------------------------------------


def feed() -> list[NewsItem]:
    """0 lists itself, 1 (by AMP), 2 (http + utm), an outside story twice, 1 again; 3 lists 0."""
    one = make(1, ampWebUrl="https://amp.example.org/one")
    two = make(2, webUrl="https://www.example.org/two")
    zero = make(
        0,
        ampWebUrl="https://amp.example.org/zero",
        related=[
            entry("https://example-org.cdn.ampproject.org/c/s/amp.example.org/zero"),
            entry("https://amp.example.org/one"),
            entry("http://example.org/two/?utm_source=feed"),
            entry("https://outside.example/story"),
            entry("https://news.example.com/stories/1"),
            entry("https://unpublished.example/u"),
        ],
    )
    three = make(3, related=[entry("https://news.example.com/stories/0")])
    return [zero, one, two, three]


def test_cross_links_resolve_every_case() -> None:
    items = feed()
    order = date_order(items)
    links = cross_links(items, story_index(items, order))
    assert links.listed == [[1, 2], [], [], [0]]
    assert [[e.url for e in out] for out in links.outside] == [
        ["https://outside.example/story", "https://unpublished.example/u"],
        [],
        [],
        [],
    ]
    assert links.self_dropped == 1 and links.duplicates_dropped == 1


def test_duplicate_outside_spellings_are_dropped() -> None:
    item = make(
        0,
        related=[
            entry("https://outside.example/x"),
            entry("https://other.example/y", ampWebUrl="https://amp.example/y"),
            entry("https://amp.example/y"),
        ],
    )
    links = cross_links([item], story_index([item], [0]))
    assert [e.url for e in links.outside[0]] == ["https://outside.example/x", "https://other.example/y"]


def test_earliest_item_owns_a_shared_key() -> None:
    late = make(5, webUrl="https://dup.example/x", publishedDateTime="2024-03-09T00:00:00Z")
    early = make(6, webUrl="https://dup.example/x", publishedDateTime="2024-03-01T00:00:00Z")
    items = [late, early]
    assert story_index(items, date_order(items))["dup.example/x"] == 1


def test_backlinks_skip_mutual_links() -> None:
    a = make(0, related=[entry("https://news.example.com/stories/1")])
    b = make(1, related=[entry("https://news.example.com/stories/0")])
    c = make(2, related=[entry("https://news.example.com/stories/1")])
    items = [a, b, c]
    order = date_order(items)
    links = cross_links(items, story_index(items, order))
    assert backlinks(links, order) == [[], [2], []]


# Clusters -------------------------------------------------------------------------------


def test_union_find() -> None:
    sets = UnionFind(5)
    sets.union(0, 1)
    sets.union(3, 4)
    sets.union(1, 4)
    assert len({sets.find(x) for x in range(5)}) == 2
    assert sets.find(2) == 2 and sets.find(0) == sets.find(3)
    node = sets.add()
    assert sets.find(node) == node


def test_clusters_join_through_outside_stories_and_shared_urls() -> None:
    a = make(0, related=[entry("https://outside.example/x")])
    b = make(1, related=[entry("https://www.outside.example/x/?utm_source=z")])
    c = make(2)
    d = make(3, webUrl="https://news.example.com/stories/2", publishedDateTime="2024-03-28T00:00:00Z")
    e = make(4)
    items = [a, b, c, d, e]
    index = story_index(items, date_order(items))
    groups = clusters(items, cross_links(items, index), index, date_order(items))
    root = groups.root
    assert root[0] == root[1] == root[5]  # node 5: the outside story, one node for both spellings
    assert root[2] == root[3] != root[0]
    assert root[4] not in groups.members
    assert groups.members[root[0]][-1] == 5  # outside stories after ours


def test_relate_pages() -> None:
    items = feed()
    urls = [f"page/{i}/" for i in range(len(items))]
    result = relate(items, urls, replace(SETTINGS, min_related=0))
    zero = result[0]
    assert [(link.url, link.internal) for link in zero.related] == [
        ("page/1/", True),
        ("page/2/", True),
        ("https://outside.example/story", False),
        ("https://unpublished.example/u", False),
    ]
    assert [link.url for link in zero.backlinks] == ["page/3/"]  # 3 lists 0; 0 does not list 3
    assert [link.url for link in zero.more_coverage] == []  # the whole story is already shown
    assert [link.url for link in result[3].related] == ["page/0/"]
    assert [link.url for link in result[1].backlinks] == ["page/0/"]
    assert [link.url for link in result[1].more_coverage] == [
        "page/3/",
        "page/2/",
        "https://outside.example/story",
        "https://unpublished.example/u",
    ]
    assert result[1].cluster_size == 6 and result[1].more_coverage_total == 4


def test_items_listing_the_same_outside_story_share_one_link() -> None:
    shared = entry("https://outside.example/story", images=[{"url": "https://img.outside.example/s.jpg"}])
    other = entry("https://outside.example/story", title="Another title for it")
    items = [make(0, related=[shared]), make(1, related=[dict(shared)]), make(2, related=[other])]
    result = relate(items, [f"p/{i}/" for i in range(len(items))], replace(SETTINGS, min_related=0))
    first, second, third = (r.related[0] for r in result)
    assert first == second and first is second  # equal links: one object, digested once a build
    assert third.title == "Another title for it" and third is not first
    assert first.image is not None and first.image.url == "https://img.outside.example/s.jpg"


def test_more_coverage_is_capped_and_counted() -> None:
    hub = make(0, related=[entry(f"https://outside.example/{n}") for n in range(30)])
    spokes = [make(n, related=[entry(f"https://outside.example/{n}")]) for n in range(1, 30)]
    items = [hub, *spokes]
    result = relate(items, [f"p/{i}/" for i in range(len(items))], replace(SETTINGS, min_related=0))
    first = result[1]
    assert len(first.more_coverage) == SETTINGS.cluster_max
    # 60 stories, 30 ours and 30 outside, joined through the outside stories; shown already:
    # this one and the outside story it lists
    assert first.cluster_size == 60 and first.more_coverage_total == 60 - 2
    assert all(link.internal for link in first.more_coverage)


# Computed related -------------------------------------------------------------------------


def scored_feed() -> list[NewsItem]:
    return [
        make(
            0,
            title="Solar farm opens in Kent",
            topics=["Energy", "Solar"],
            publishedDateTime="2024-03-10T00:00:00Z",
        ),
        make(
            1,
            title="Kent solar farm doubles output",
            topics=["Solar"],
            publishedDateTime="2024-03-09T00:00:00Z",
        ),
        make(
            2,
            title="Wind farm opens offshore",
            topics=["Energy", "Wind"],
            publishedDateTime="2024-02-09T00:00:00Z",
        ),
        make(3, title="Cheese prices fall", topics=["Energy"], publishedDateTime="2024-03-10T00:00:00Z"),
        make(4, title="Bread prices rise", topics=["Food"], publishedDateTime="2024-03-10T00:00:00Z"),
        make(5, title="Coal plant closes", topics=["Energy"], publishedDateTime="2023-03-10T00:00:00Z"),
    ]


def expected_score(items: list[NewsItem], a: int, b: int, settings: RelatedSettings) -> float:
    """The README's formula, computed the slow way."""
    n = len(items)
    topics = [{t.casefold() for t in item.topics} for item in items]
    words = [set(title_words(item.title)) for item in items]

    def part(terms: list[set[str]]) -> float:
        def idf(t: str) -> float:
            return math.log(n / sum(1 for s in terms if t in s))

        total = sum(idf(t) for t in terms[a])
        return sum(idf(t) for t in terms[a] & terms[b]) / total if total else 0.0

    days = abs((items[a].published_at - items[b].published_at).total_seconds()) / 86400
    return (
        settings.topic_weight * part(topics)
        + settings.title_weight * part(words)
        + settings.date_weight * 2 ** (-days / settings.date_half_life_days)
    )


def test_score_matches_the_documented_formula() -> None:
    items = scored_feed()
    scorer = RelatedScorer(items, SETTINGS, date_order(items))
    scores = scorer.scores(0)
    assert set(scores) == {1, 2, 3, 5}  # 4 shares no topic and no word with 0
    for b, value in scores.items():
        assert value == pytest.approx(expected_score(items, 0, b, SETTINGS))
    assert scores[1] > scores[2] > scores[3] > SETTINGS.threshold > scores[5]


def test_best_applies_threshold_exclusions_and_count() -> None:
    items = scored_feed()
    scorer = RelatedScorer(items, SETTINGS, date_order(items))
    assert scorer.best(0, 5, {0}) == [1, 2, 3]  # 5: a common topic, a year apart: under the threshold
    assert scorer.best(0, 1, {0}) == [1]
    assert scorer.best(0, 5, {0, 1}) == [2, 3]
    assert scorer.best(5, 5, {5}) == [2, 0, 3]  # topic only: the closest in time, then the smaller key
    assert scorer.best(4, 5, {4}) == []
    strict = RelatedScorer(items, replace(SETTINGS, threshold=10.0), date_order(items))
    assert strict.best(0, 5, {0}) == []


def test_a_topic_on_every_item_counts_for_nothing() -> None:
    items = [make(n, title=f"Headline {n} alone", topics=["Everywhere"]) for n in range(6)]
    scorer = RelatedScorer(items, SETTINGS, date_order(items))
    assert scorer.idf["#everywhere"] == 0
    assert scorer.scores(0) == {}


def test_title_words() -> None:
    assert title_words("The AI of the Year: C# and Power Apps!") == ["ai", "apps", "power", "year"]


def test_candidates_are_bounded_per_term() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    items = [
        make(
            n,
            title=f"common words story {n}",
            topics=["Common"],
            publishedDateTime=(start + dt.timedelta(minutes=rng.randrange(10**6))).isoformat(),
        )
        for n in range(400)
    ]
    items.append(make(400, title="unique", topics=["Everywhere"]))
    settings = replace(SETTINGS, candidates=6)
    scorer = RelatedScorer(items, settings, date_order(items))
    for i in range(0, 400, 37):
        assert 0 < len(scorer.scores(i)) <= 4 * 6  # 4 terms (common, words, story, topic) x K


def test_relate_is_deterministic_whatever_the_input_order() -> None:
    items = mixed_feed(60)
    rng = random.Random(11)  # noqa: S311 - reproducible test data

    def run(seq: list[NewsItem]) -> dict[str, tuple]:
        result = relate(seq, [f"p/{item.key}/" for item in seq], SETTINGS)
        return {
            item.key: (
                [link.url for link in r.related],
                [link.url for link in r.backlinks],
                [link.url for link in r.more_coverage],
                r.cluster_size,
            )
            for item, r in zip(seq, result, strict=True)
        }

    first = run(items)
    assert any(len(v[0]) >= SETTINGS.min_related for v in first.values())
    shuffled = items[:]
    rng.shuffle(shuffled)
    assert run(shuffled) == first


def test_keys_are_the_keys_of_the_links_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the site model records of each item (its links' story keys) is made without making
    a link; the links of an item are made when that item is asked for, and only then."""
    items = mixed_feed()
    made = count_links_made(monkeypatch)
    result = relate(items, [f"p/{i}/" for i in range(len(items))], replace(SETTINGS, cluster_max=3))
    keys = [result.keys(i) for i in range(len(items))]
    assert made == []
    assert result[5] is result[5]
    assert 0 < len(made) <= len(result[5].related) + len(result[5].backlinks) + len(result[5].more_coverage)
    shapes = Counter()
    for found, relations in zip(keys, result, strict=True):
        assert found.related == tuple(link.key for link in relations.related)
        assert found.backlinks == tuple(link.key for link in relations.backlinks)
        assert found.more_coverage == tuple(link.key for link in relations.more_coverage)
        assert found[3:] == (relations.more_coverage_total, relations.cluster, relations.cluster_size)
        shapes.update(
            computed=any(link.computed for link in relations.related),
            outside=any(not link.internal for link in relations.related + relations.more_coverage),
            backlinks=bool(relations.backlinks),
            capped=relations.more_coverage_total > len(relations.more_coverage),
        )
    assert all(shapes[kind] for kind in ("computed", "outside", "backlinks", "capped")), shapes
    assert list(result) == [result[i] for i in range(len(items))] and result[-1] is result[len(items) - 1]
    with pytest.raises(IndexError):
        result[len(items)]


def test_computed_related_fill_up_to_min_only() -> None:
    items = scored_feed()
    result = relate(items, [f"p/{i}/" for i in range(len(items))], replace(SETTINGS, min_related=1))
    assert [(link.url, link.computed) for link in result[0].related] == [("p/1/", True)]


# Home ranking ---------------------------------------------------------------------------


def test_percentiles() -> None:
    assert percentiles([10, None, 30, 20, 30]) == [0.25, 0.5, 1.0, 0.5, 1.0]
    assert percentiles([None, None]) == [0.5, 0.5]


def test_rank_blend() -> None:
    items = [
        make(0, heat=100, quality=100, publishedDateTime="2024-03-10T00:00:00Z"),
        make(1, heat=0, quality=0, publishedDateTime="2024-03-10T12:00:00Z"),
        make(2, heat=None, quality=None, publishedDateTime="2024-03-09T12:00:00Z"),
    ]
    scores = rank_scores(
        [i.heat for i in items],
        [i.quality for i in items],
        [i.published_at.timestamp() for i in items],
        SETTINGS.rank,
    )
    assert scores[0] == pytest.approx((1 + 1.0 + 0.5 * 1.0) * 2 ** (-12 / 24))
    assert scores[1] == pytest.approx(1 + 0.5 + 0.5 * 0.5)
    assert scores[2] == pytest.approx((1 + 0.5 + 0.5 * 0.5) * 2 ** (-24 / 24))
    assert top_stories(items, SETTINGS.rank, [0, 1, 2]) == [0, 1, 2]
    assert top_stories(items, SETTINGS.rank, [0, 0, 2]) == [0, 2]  # one per cluster
    assert top_stories(items, replace(SETTINGS.rank, top_stories=1), [0, 1, 2]) == [0]


# Settings -------------------------------------------------------------------------------


def test_bad_settings_are_refused_with_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^settings: RELATED_MIN: expected an integer >= 0, got -1$"):
        read_settings({"RELATED_MIN": -1})
    with pytest.raises(SettingsError, match=r"^settings: RELATED_WEIGHTS: expected a mapping of topics"):
        read_settings({"RELATED_WEIGHTS": {"topics": 2, "colour": 1}})


def test_partial_weights_keep_the_other_defaults() -> None:
    settings = read_settings({"RELATED_WEIGHTS": {"topics": 2}})
    assert settings.topic_weight == 2.0
    assert settings.date_weight == DEFAULTS["RELATED_WEIGHTS"]["date"]
    assert settings.title_weight == DEFAULTS["RELATED_WEIGHTS"]["title"]


def test_only_the_rarest_title_words_count() -> None:
    common = [make(n, title=f"Apps platform update number{n}", topics=["X"]) for n in range(8)]
    target = make(50, title="Apps platform update quasar", topics=["Y"])
    twin = make(51, title="Quasar apps platform update", topics=["Z"])
    items = [*common, target, twin]
    settings = replace(SETTINGS, title_words=1)
    scorer = RelatedScorer(items, settings, date_order(items))
    assert scorer._words[scorer.rank[8]][0] == ["quasar"]  # the one word only it and its twin have
    assert scorer.scores(8)[9] == pytest.approx(
        settings.title_weight * 1.0 + settings.date_weight * 2 ** (-1 / settings.date_half_life_days)
    )
    assert set(scorer.scores(8)) == {9}  # the common words are not among its terms
