"""Wiring of the theme's data into Pelican's signals.

- ``initialized``: the ``page_path`` Jinja filter (the site path of the page being written, for
  canonical and Open Graph URLs) joins the site's ``JINJA_FILTERS``.
- ``article_generator_finalized``: once Pelican has grouped the published articles by tag, each
  article gets ``topic_neighbours`` (older and newer story in its main topic) and, for news
  items, ``json_ld`` (its schema.org ``NewsArticle``, ready for a data ``<script>``).

Templates only display these; nothing here writes a page.
"""

from __future__ import annotations

from typing import Any

from news_reader.model import NewsItem
from pelican import signals

from .jsonld import news_article, script_json
from .neighbours import topic_neighbours


def page_path(output_file: str) -> str:
    """The site path a page is served at: ``topics/ai/index.html`` -> ``topics/ai/``."""
    if output_file == "index.html" or output_file.endswith("/index.html"):
        return output_file.removesuffix("index.html")
    return output_file


def add_filters(pelican: Any) -> None:
    filters = dict(pelican.settings.get("JINJA_FILTERS") or {})
    filters.setdefault("page_path", page_path)
    pelican.settings["JINJA_FILTERS"] = filters


def attach(generator: Any) -> None:
    settings = generator.settings
    site_url = str(settings.get("SITEURL") or "")
    site_name = str(settings.get("SITENAME") or "")
    neighbours = topic_neighbours(generator.articles, generator.tags)
    for article in generator.articles:
        article.topic_neighbours = neighbours.get(id(article))
        item = article.metadata.get("news")
        article.json_ld = (
            script_json(news_article(item, f"{site_url}/{article.url}", site_name, site_url))
            if isinstance(item, NewsItem)
            else None
        )


def register() -> None:
    signals.initialized.connect(add_filters)
    signals.article_generator_finalized.connect(attach)
