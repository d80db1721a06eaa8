"""Pages rendered from the site model, without Pelican's article step (step 3 of
docs/rebuild-plan.md): article pages, for now.

A rebuild that a change reaches only a few pages of should not make a Pelican ``Article`` for
every item and run every plugin's step over all of them. Here the site comes as plain values
(:class:`topicfeed.items.PlainSite`, what the prediction made of the content folder); only the
items the pages show become Pelican articles (the ``news-articles`` derivation: through
Pelican's own readers, with the URL and topic slugs the site gives them); each plugin then puts
its product on them and on the pages' context through its dresser
(:func:`topicfeed.plugin.dressers`: the same code as its build step, fed from the site's
plain values), and each page is rendered with the theme's template in Pelican's own Jinja
environment, with the values Pelican's writer gives an article page. This module names data,
never a plugin.

The full build stays the reference: ``tests/site_model/test_render.py`` holds every page
rendered here to the page a full build of the same folder writes, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from topicfeed.items import PlainSite
from topicfeed.plugin import PluginSetupError, Underivable, derivation, dressers


def dressed_articles(site: PlainSite, save_as: Iterable[str]) -> tuple[list[Any], dict[str, Any]]:
    """The articles whose pages are ``save_as`` (each a file of an article page of the site),
    dressed by every plugin, and the values the plugins add to every page's context."""
    settings = dict(site.settings)
    position = {story.save_as: index for index, story in enumerate(site.stories)}
    wanted = []
    for name in save_as:
        if name not in position:
            raise Underivable(f"{name}: not the page of a published story")
        wanted.append(position[name])
    articles = derivation(settings, "news-articles")(settings, [site.stories[i] for i in wanted])
    shown = list(zip(wanted, articles, strict=True))
    shared: dict[str, Any] = {}
    given_by: dict[str, str] = {}
    for product, dress in dressers(settings):
        values: Mapping[str, Any] = dress(site, shown)
        for name in values:
            if name in given_by:
                raise PluginSetupError(f"plugins: {given_by[name]} and {product} both give pages {name}")
            given_by[name] = product
        shared.update(values)
    return articles, shared


def page_generator(settings: Mapping[str, Any], folder: Path) -> Generator:
    """Pelican's own generator for the theme's templates: the Jinja environment, filters and
    globals a build renders with (the plugins' hooks on new generators included)."""
    return Generator(
        context={},
        settings=dict(settings),
        path=settings["PATH"],
        theme=settings["THEME"],
        output_path=str(folder),
    )


def render_articles(site: PlainSite, save_as: Iterable[str], folder: Path) -> list[Path]:
    """Render the article pages ``save_as`` (files relative to the site) into ``folder``, as a
    full build of the same content writes them; returns the files written."""
    settings = site.settings
    articles, shared = dressed_articles(site, save_as)
    # Pelican's context starts as a copy of the settings (``Pelican.run``), the plugins' values on top.
    context: dict[str, Any] = dict(settings)
    context["localsiteurl"] = settings["SITEURL"]
    context.update(shared)
    generator = page_generator(settings, folder)
    written = []
    for article in articles:
        template = generator.get_template(article.template)
        # What ``ArticlesGenerator.generate_articles`` hands Pelican's writer for an article page.
        page = {
            **context,
            "output_file": article.save_as,
            "article": article,
            "category": getattr(article, "category", None),
            "blog": True,
        }
        written.append(_write(folder / article.save_as, template.render(page)))
    return written


def _write(path: Path, text: str) -> Path:
    """As Pelican's writer writes a page: UTF-8, text-mode newlines."""
    if os.linesep != "\n":
        text = text.replace("\n", os.linesep)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path
