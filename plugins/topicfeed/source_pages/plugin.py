"""Source (provider) pages: ``/sources/`` and one paginated page per provider domain.

- ``initialized``: ``source.html`` is paginated like ``tag.html`` (``PAGINATED_TEMPLATES``).
- ``article_generator_finalized``: the published news articles are grouped into sources
  (:func:`topicfeed.sources.group_sources`); the context gets ``sources`` and each article its
  ``source`` (None for an ordinary Markdown article), for the templates.
- ``get_generators``: :class:`SourcesGenerator` writes the pages.

Pelican has no taxonomy for providers, so the generator writes the pages through Pelican's own
writer, template lookup and paginator, exactly as ``ArticlesGenerator.generate_tags`` does for
topics: themes get ``articles_page``, ``articles_paginator`` and the same
``PAGINATION_PATTERNS``.

Needs ``news-items``; provides ``source-pages``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator, PelicanTemplateNotFound

from topicfeed.items import PlainSite
from topicfeed.plugin import register_plugin
from topicfeed.sources import Source, group_sources

from .settings import SETTINGS

logger = logging.getLogger(__name__)


def paginate_source_pages(pelican: Any) -> None:
    """``source.html`` is paginated like ``tag.html`` (a site's own entry for it wins)."""
    settings = pelican.settings
    settings["PAGINATED_TEMPLATES"] = {"source": None, **settings["PAGINATED_TEMPLATES"]}


def attach_sources(generator: Any) -> None:
    """Group the published news articles into sources for the templates."""
    sources = group_sources(generator.articles, generator.settings)
    for article in generator.articles:
        article.source = None
    for source in sources:
        for article in source.articles:
            article.source = source
    generator.context["sources"] = sources


def dress_articles(site: PlainSite, shown: Sequence[tuple[int, Any]]) -> None:
    """Each shown article's ``source``, as :func:`attach_sources` gives it, from the site's
    sources (``source-pages``: grouped from its items) by the slug its story carries (a lookup
    by each source's articles went through every story of the site for each batch shown)."""
    by_slug = _by_slug(site.products["source-pages"])
    for position, article in shown:
        article.source = by_slug.get(site.stories[position].source)


#: The last list of sources dressed from and its sources by slug: a rebuild dresses the
#: stories of each list page it renders in turn (4,214 pages at 100,000 items, one story added),
#: and making the mapping for each (2,030 sources) was 0.9 s of each rendering process's time.
_LAST_BY_SLUG: list[tuple[list[Source], dict[str, Source]]] = []


def _by_slug(sources: list[Source]) -> dict[str, Source]:
    if not (_LAST_BY_SLUG and _LAST_BY_SLUG[0][0] is sources):
        _LAST_BY_SLUG[:] = [(sources, {source.slug: source for source in sources})]
    return _LAST_BY_SLUG[0][1]


def page_values(site: PlainSite, articles: Any) -> Mapping[str, Any]:
    """The context's ``sources``, as :func:`attach_sources` gives it."""
    return {"sources": site.products["source-pages"]}


class SourcesGenerator(Generator):
    """Writes ``sources.html`` and one paginated ``source.html`` per provider.

    The sources themselves are grouped once all articles are known (:func:`attach_sources`)
    and are in the shared context as ``sources``.
    """

    def generate_context(self) -> None:
        """Nothing to read: :func:`attach_sources` fills ``context["sources"]`` from the articles."""

    def _template(self, name: str) -> Any:
        """The theme's template, or None (with a line in the log) when the theme has none."""
        try:
            return self.get_template(name)
        except PelicanTemplateNotFound:
            logger.info("source_pages: the theme has no %s.html; those source pages are not written", name)
            return None

    def generate_output(self, writer: Any) -> None:
        sources: list[Source] = self.context.get("sources") or []
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        save_as = self.settings["SOURCES_SAVE_AS"]
        template = self._template("sources") if save_as else None
        if template is not None:
            write(
                save_as,
                template,
                self.context,
                sources=sources,
                template_name="sources",
                page_name=os.path.splitext(save_as)[0],
                url=self.settings["SOURCES_URL"],
            )
        template = self._template("source") if self.settings["SOURCE_SAVE_AS"] and sources else None
        if template is None:
            return
        for source in sources:
            articles = list(source.articles)
            write(
                source.save_as,
                template,
                self.context,
                source=source,
                url=source.url,
                articles=articles,
                dates=articles,
                template_name="source",
                blog=True,
                page_name=source.page_name,
                all_articles=self.context.get("articles", []),
            )


def add_generator(pelican: Any) -> type[SourcesGenerator]:
    return SourcesGenerator


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        requires={"news-items"},
        provides={"source-pages"},
        dresses={"source-pages": dress_articles},
        page_values={"source-pages": page_values},
    )
    signals.initialized.connect(paginate_source_pages)
    signals.article_generator_finalized.connect(attach_sources)
    signals.get_generators.connect(add_generator)
