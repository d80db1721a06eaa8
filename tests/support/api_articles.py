"""Stand-in articles for the JSON API's tests: the corpus's published items, shaped as the
related step leaves Pelican's articles (URLs, category, topics, related links shared per story)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from topicfeed.model import NewsItem, build_item
from topicfeed.news_reader.source import decode, load_front_matter
from topicfeed.related_stories.links import story_link
from topicfeed.text import slugify

from .build import CORPUS


def corpus_items() -> list[NewsItem]:
    found = []
    for path in sorted(CORPUS.iterdir()):
        raw, _, _ = load_front_matter(decode(path.read_bytes(), 1_000_000))
        item, _ = build_item(raw, path.name)
        if item is not None and item.published:
            found.append(item)
    return found


def articles(items: list[NewsItem]) -> list[Any]:
    """Stand-in articles, newest first, with links shared between articles as the related step
    shares them (one link object per story), some ours, some outside, some computed."""
    items = sorted(items, key=lambda item: item.published_at, reverse=True)
    made = [
        SimpleNamespace(
            url=f"{item.published_at:%Y/%m/%d}/story-{n}/",
            category=SimpleNamespace(slug="news"),
            metadata={"news": item},
            tags=[SimpleNamespace(slug=slugify(t), name=t) for t in item.topics],
        )
        for n, item in enumerate(items)
    ]
    zone = dt.timezone(dt.timedelta(hours=-5))
    links = [
        story_link(a.metadata["news"], a.url if n % 3 else None, zone)._replace(computed=n % 4 == 0)
        for n, a in enumerate(made)
    ]
    for n, article in enumerate(made):
        if n % 5 == 4:
            continue  # no related data at all, as without the related step
        article.related_links = [links[(n + k) % len(links)] for k in (1, 2, 3)][: n % 4]
        article.backlinks = [links[(n + 7) % len(links)]] if n % 2 else []
        article.more_coverage = [links[(n + k) % len(links)] for k in (11, 13)][: n % 3]
        article.cluster_size = n % 3 + 1
    return made
