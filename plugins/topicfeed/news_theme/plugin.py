"""Wiring of the theme's data into Pelican's signals.

- ``initialized``: the ``page_path`` Jinja filter (the site path of the page being written, for
  canonical and Open Graph URLs) and a ``strftime`` that formats each date once
  (:mod:`.dates`) join the site's ``JINJA_FILTERS``; when the theme has a
  ``404.html`` template, ``404`` joins ``DIRECT_TEMPLATES``, so ``404.html`` is written at the
  output root (GitHub Pages serves it for any missing path). A theme without one (Pelican's
  ``simple``) builds as before.
- ``article_generator_finalized``: once Pelican has grouped the published articles by tag, each
  article gets ``day`` (the date it is listed under on the home page), ``topic_neighbours``
  (older and newer story in its main topic) and, for news items, ``json_ld`` (its schema.org
  ``NewsArticle`` for a data ``<script>``, built when shown); the context gets
  ``popular_topics``, the ``THEME_POPULAR_TOPICS`` topics with the most stories as
  ``(tag, count)`` pairs (ties by name), for the home page.

Templates only display these; nothing here writes a page. The theme's settings (the home page's
popular topics, the Content-Security-Policy) are declared in :mod:`.settings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.urlwrappers import Tag

from topicfeed.items import PlainSite, item_of
from topicfeed.plugin import register_plugin

from . import dates
from .jsonld import JsonLd
from .neighbours import StoryRef, TopicNeighbours, neighbour_urls, topic_neighbours
from .settings import SETTINGS

NOT_FOUND = "404"  # the direct template; Pelican writes it to 404_SAVE_AS, default 404.html


def page_path(output_file: str) -> str:
    """The site path a page is served at: ``topics/ai/index.html`` -> ``topics/ai/``."""
    if output_file == "index.html" or output_file.endswith("/index.html"):
        return output_file.removesuffix("index.html")
    return output_file


def configure(pelican: Any) -> None:
    settings = pelican.settings
    filters = dict(settings["JINJA_FILTERS"])
    filters.setdefault("page_path", page_path)
    filters.setdefault("strftime", dates.strftime)  # Pelican's, each date formatted once
    settings["JINJA_FILTERS"] = filters
    direct = list(settings["DIRECT_TEMPLATES"])
    theme_404 = Path(settings["THEME"], "templates", f"{NOT_FOUND}.html")
    if NOT_FOUND not in direct and theme_404.is_file():
        settings["DIRECT_TEMPLATES"] = [*direct, NOT_FOUND]


def popular_topics(tags: Any, limit: int) -> list[tuple[Any, int]]:
    """The ``limit`` topics with the most stories, most first, ties in name order."""
    counted = [(tag, len(articles)) for tag, articles in dict(tags).items()]
    counted.sort(key=lambda pair: (-pair[1], str(pair[0].name).casefold(), pair[0].slug))
    return counted[: max(limit, 0)]


def _dress(article: Any, neighbours: TopicNeighbours | None, site_url: str, site_name: str) -> None:
    """What the theme hangs on one article, in a build and on a page rendered from the model."""
    article.day = article.date.date()
    article.topic_neighbours = neighbours
    item = item_of(article)
    page_url = f"{site_url}/{article.url}"
    article.json_ld = JsonLd(item, page_url, site_name, site_url) if item is not None else None


def attach(generator: Any) -> None:
    settings = generator.settings
    site_url = str(settings["SITEURL"])
    site_name = str(settings["SITENAME"])
    neighbours = topic_neighbours(generator.articles, generator.tags)
    generator.context["popular_topics"] = popular_topics(generator.tags, settings["THEME_POPULAR_TOPICS"])
    for article in generator.articles:
        _dress(article, neighbours.get(id(article)), site_url, site_name)


#: The stories' titles by URL, for the site whose stories they are: a site's pages are dressed
#: a page at a time, and a lookup made for each would go through every story each time.
_TITLES: list[tuple[Sequence[Any], dict[str, str]]] = []


def _titles(site: PlainSite) -> dict[str, str]:
    if not _TITLES or _TITLES[0][0] is not site.stories:
        _TITLES[:] = [(site.stories, {story.url: story.item.title for story in site.stories})]
    return _TITLES[0][1]


def dress_articles(site: PlainSite, shown: Sequence[tuple[int, Any]]) -> None:
    """Each shown article's neighbours, day and JSON-LD, as :func:`attach` hangs them; the
    neighbours from the site's ``theme-data`` (their URLs, by position), named by the
    stories' titles as a build names them."""
    settings = site.settings
    urls: Sequence[tuple[str, str]] = site.products["theme-data"]
    titles = _titles(site)

    def ref(url: str) -> StoryRef | None:
        return StoryRef(str(titles[url]), url) if url else None

    for position, article in shown:
        older, newer = urls[position]
        topics = getattr(article, "tags", None) or ()
        neighbours = TopicNeighbours(topics[0], ref(older), ref(newer)) if topics else None
        _dress(article, neighbours, str(settings["SITEURL"]), str(settings["SITENAME"]))


def page_values(site: PlainSite, articles: Any) -> Mapping[str, Any]:
    """The home page's ``popular_topics``, as :func:`attach` counts them, from the stories."""
    tags: dict[str, Any] = {}
    counts: dict[str, list[None]] = {}
    for story in site.stories:
        for slug, name in zip(story.topics, story.topic_names, strict=True):
            if slug not in tags:
                tags[slug] = Tag(name, site.settings)
                tags[slug].slug = slug
                counts[slug] = []
            counts[slug].append(None)
    grouped = {tags[slug]: members for slug, members in counts.items()}
    return {"popular_topics": popular_topics(grouped, site.settings["THEME_POPULAR_TOPICS"])}


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"theme-data"},
        derives={"theme-data": neighbour_urls},
        dresses={"theme-data": dress_articles},
        page_values={"theme-data": page_values},
    )
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(attach)
