"""The feed plan: which feeds the site has, what is in each, and where they go.

It is computed once per build from the articles generator (after Pelican has grouped the
articles by tag), stored in the shared context, and read by everything else: the writer (to
title and fill the feeds Pelican writes itself), the plugin (to write the feeds Pelican has no
notion of), the OPML file and the templates' autodiscovery links (``feed_links``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from topicfeed.sources import group_sources

from .entries import entry_ids
from .formats import LABELS, MIME_TYPES

#: Context key of the plan; templates use ``feed_links``, a :class:`FeedLinks` view of it.
PLAN_KEY = "feed_plan"
FORMATS = ("atom", "rss", "json")
#: The feed path settings of each kind of channel, by format.
PATH_SETTINGS = {
    "site": {"atom": "FEED_ALL_ATOM", "rss": "FEED_ALL_RSS", "json": "FEED_ALL_JSON"},
    "topic": {"atom": "TAG_FEED_ATOM", "rss": "TAG_FEED_RSS", "json": "TAG_FEED_JSON"},
    "source": {"atom": "SOURCE_FEED_ATOM", "rss": "SOURCE_FEED_RSS", "json": "SOURCE_FEED_JSON"},
}
#: The feeds Pelican's ArticlesGenerator writes itself (through our writer).
PELICAN_WRITES = {("site", "atom"), ("site", "rss"), ("topic", "atom"), ("topic", "rss")}


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One ``<link rel="alternate">`` (or OPML outline): MIME type, title, absolute href."""

    type: str
    title: str
    href: str
    format: str


@dataclass
class Channel:
    """One feed in every format: the site, a topic or a source."""

    kind: str
    slug: str
    name: str
    title: str
    description: str
    page_url: str
    articles: Sequence[Any]
    paths: dict[str, str] = field(default_factory=dict)


@dataclass
class FeedPlan:
    """Every channel of the build, with the entry id of every published article."""

    site: Channel
    topics: list[Channel]
    sources: list[Channel]
    ids: Mapping[str, str]
    feed_domain: str
    opml_path: str = ""
    #: The newest story's date, for a plan whose site channel does not hold the stories (the
    #: channels a page links to: :func:`plan_from`); otherwise taken from them (:meth:`newest`).
    newest_date: Any = None
    _by_path: dict[str, Channel] = field(default_factory=dict)
    _by_slug: dict[tuple[str, str], Channel] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for channel in self.channels():
            self._by_slug[channel.kind, channel.slug] = channel
            for path in channel.paths.values():
                self._by_path[path] = channel

    def channels(self) -> Iterable[Channel]:
        yield self.site
        yield from self.topics
        yield from self.sources

    def with_ids(self, ids: Mapping[str, str]) -> FeedPlan:
        """The same channels, with these entry ids (by file)."""
        return FeedPlan(
            self.site, self.topics, self.sources, ids, self.feed_domain, self.opml_path, self.newest_date
        )

    def newest(self) -> Any:
        """The newest story's date (a ``datetime``), or None when the site has no story."""
        if self.newest_date is not None:
            return self.newest_date
        return max((article.date for article in self.site.articles), default=None)

    def channel_for(self, path: str | None) -> Channel | None:
        return self._by_path.get(path or "")

    def entry_id(self, article: Any) -> str:
        """The stable id of a published article (computed alone for one outside the plan)."""
        found = self.ids.get(article.relative_source_path)
        return found if found is not None else entry_ids([article])[article.relative_source_path]

    def url(self, path: str) -> str:
        """The public URL of an output file, as Pelican builds feed URLs (FEED_DOMAIN)."""
        return _public_url(self.feed_domain, path)

    def links(self, channel: Channel | None) -> list[FeedLink]:
        if channel is None:
            return []
        return [
            FeedLink(MIME_TYPES[fmt], f"{channel.title} ({LABELS[fmt]})", self.url(path), fmt)
            for fmt, path in channel.paths.items()
        ]

    def channel(self, kind: str, slug: str) -> Channel | None:
        return self._by_slug.get((kind, slug))


@functools.lru_cache(maxsize=65_536)
def _public_url(feed_domain: str, path: str) -> str:
    """Remembered: every page links the site's feeds, and ``urljoin`` was most of drawing a
    page's feed links (about 45,000 calls in a 10,000-item build)."""
    return urljoin(feed_domain if feed_domain.endswith("/") else feed_domain + "/", path)


class FeedLinks:
    """What templates see as ``feed_links``: the feeds of the site, a topic page, a source page.

    ``feed_links.site``, ``feed_links.topic(tag.slug)``, ``feed_links.source(slug)`` are lists
    of :class:`FeedLink` (empty when there is no such feed); ``feed_links.opml`` may be None.
    """

    def __init__(self, plan: FeedPlan) -> None:
        self._plan = plan

    @property
    def plan(self) -> FeedPlan:
        """The plan the links come from."""
        return self._plan

    @property
    def site(self) -> list[FeedLink]:
        return self._plan.links(self._plan.site)

    def topic(self, slug: str) -> list[FeedLink]:
        return self._plan.links(self._plan.channel("topic", slug))

    def source(self, slug: str) -> list[FeedLink]:
        return self._plan.links(self._plan.channel("source", slug))

    def __fingerprint__(self) -> tuple[Any, ...]:
        """Everything a template can get from this object (for the incremental writer's page keys).

        The plan also holds every article; pages only see the links, which change when a
        feed is added or renamed, not when an item is edited.
        """
        plan = self._plan
        return (self.site, self.opml, [(c.kind, c.slug, self._plan.links(c)) for c in plan.channels()])

    @property
    def opml(self) -> FeedLink | None:
        if not self._plan.opml_path:
            return None
        title = f"{self._plan.site.title}: every topic and source feed (OPML)"
        return FeedLink("text/x-opml", title, self._plan.url(self._plan.opml_path), "opml")


def _paths(settings: Mapping[str, Any], kind: str, slug: str) -> dict[str, str]:
    paths = {}
    for fmt in FORMATS:
        pattern = settings.get(PATH_SETTINGS[kind][fmt])
        if pattern:
            paths[fmt] = str(pattern).format(slug=slug)
    return paths


def build_plan(generator: Any) -> FeedPlan:
    """The plan of one build, from Pelican's articles generator (published articles only)."""
    settings = generator.settings
    articles = list(generator.articles)
    return plan_from(
        settings,
        articles,
        sorted(generator.tags.items(), key=lambda pair: pair[0].slug),
        group_sources(articles, settings),
        entry_ids(articles),
    )


def plan_from(
    settings: Mapping[str, Any],
    articles: Sequence[Any],
    tagged: Iterable[tuple[Any, Sequence[Any]]],
    sources: Iterable[Any],
    ids: Mapping[str, str],
    newest: Any = None,
) -> FeedPlan:
    """The plan of a site with these published ``articles``, ``tagged`` (each topic's ``Tag``
    and its articles, by slug) and ``sources`` (:func:`topicfeed.sources.group_sources`), and
    these entry ids (by file). A plan of the channels alone (what a page links to: a rebuild
    from the site model writes each feed from what the model says it shows) is given no
    articles, and the ``newest`` story's date for the OPML list."""
    sitename = str(settings["SITENAME"])
    description = str(settings["SITEDESCRIPTION"] or settings.get("SITESUBTITLE") or sitename)
    site = Channel(
        kind="site",
        slug="",
        name=sitename,
        title=sitename,
        description=description,
        page_url="",
        articles=articles,
        paths={fmt: str(settings[name]) for fmt, name in PATH_SETTINGS["site"].items() if settings.get(name)},
    )
    topics = [
        Channel(
            kind="topic",
            slug=tag.slug,
            name=tag.name,
            title=f"{tag.name} · {sitename}",
            description=f"The latest stories on {tag.name}, from every source.",
            page_url=tag.url,
            articles=shown,
            paths=_paths(settings, "topic", tag.slug),
        )
        for tag, shown in tagged
    ]
    channels = [
        Channel(
            kind="source",
            slug=source.slug,
            name=source.name,
            title=f"{source.name} · {sitename}",
            description=f"The latest stories from {source.name}.",
            page_url=source.url,
            articles=list(source.articles),
            paths=_paths(settings, "source", source.slug),
        )
        for source in sorted(sources, key=lambda source: source.slug)
    ]
    return FeedPlan(
        site=site,
        topics=topics,
        sources=channels,
        ids=ids,
        feed_domain=str(settings.get("FEED_DOMAIN") or ""),
        opml_path=str(settings.get("FEED_OPML") or ""),
        newest_date=newest,
    )
