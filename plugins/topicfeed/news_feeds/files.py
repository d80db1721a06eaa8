"""The feed files of a build as plain values: what each one shows, for the site model.

A feed file shows its channel (kind, slug, name: its title, description and link follow from
these and the settings) and its newest ``FEED_MAX_ITEMS`` stories, each with its entry id; the
OPML file shows every channel. :func:`plain_feeds` says so for a build's plan (handed on as
``Build.feed_files``); :func:`derive_feeds` makes the same plan from plain items and says the
same, without Pelican's articles (the derivation of ``feed-format`` that the site model's
prediction calls). Both go through :func:`.plan.build_plan`, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from topicfeed.items import item_of, stand_in, topic_tags
from topicfeed.model import NewsItem
from topicfeed.site import site_timezone

from .plan import FeedPlan, build_plan

#: One feed file: ``(path, kind, slug, channel name, shown items' files, their entry ids)``.
FeedFile = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]


def plain_feeds(plan: FeedPlan, max_items: int | None) -> tuple[FeedFile, ...]:
    """Every feed file of ``plan`` and what it shows, the OPML file last (its "ids": each channel)."""
    files: list[FeedFile] = []
    for channel in plan.channels():
        shown = [article for article in channel.articles[: max_items or None] if item_of(article) is not None]
        sources = tuple([item_of(article).source_path for article in shown])  # type: ignore[union-attr]
        ids = tuple([plan.ids[article.relative_source_path] for article in shown])
        for fmt in sorted(channel.paths):
            files.append((channel.paths[fmt], channel.kind, channel.slug, channel.name, sources, ids))
    if plan.opml_path:  # every channel, and the newest story's date
        every = [f"{c.kind} {c.slug} {c.name} {sorted(c.paths.items())}" for c in plan.channels()]
        newest = plan.newest()
        files.append(
            (plan.opml_path, "opml", "", "", (), (*every, f"newest {newest and newest.isoformat()}"))
        )
    return tuple(files)


def derive_feeds(
    items: Sequence[NewsItem],
    urls: Sequence[str],
    timestamps: Sequence[float],
    topics: Sequence[Sequence[str]],
    topic_names: Mapping[str, str],
    settings: dict[str, Any],
) -> tuple[FeedFile, ...]:
    """:func:`plain_feeds` of the plan a build of ``items`` would make (in the site's order, with
    their URLs, dates and topic slugs; ``topic_names``: slug -> the name the site shows)."""
    plan = plan_of(items, urls, timestamps, topics, topic_names, settings)
    return plain_feeds(plan, settings["FEED_MAX_ITEMS"])


def plan_of(
    items: Sequence[NewsItem],
    urls: Sequence[str],
    timestamps: Sequence[float],
    topics: Sequence[Sequence[str]],
    topic_names: Mapping[str, str],
    settings: Mapping[str, Any],
) -> FeedPlan:
    """The feed plan a build of ``items`` would make, on stand-ins of its articles."""
    zone = site_timezone(settings)
    tags: dict[Any, list[Any]] = {}
    named = topic_tags(
        ([(slug, topic_names[slug]) for slug in slugs] for slugs in topics), settings, by_spelling=False
    )
    articles = []
    for item, url, timestamp, item_tags in zip(items, urls, timestamps, named, strict=True):
        article = stand_in(item)
        article.url, article.relative_source_path, article.tags = url, item.source_path, item_tags
        article.date = dt.datetime.fromtimestamp(timestamp, zone)
        for tag in item_tags:
            tags.setdefault(tag, []).append(article)
        articles.append(article)
    generator = SimpleNamespace(settings=settings, articles=articles, tags=tags)
    return build_plan(generator)
