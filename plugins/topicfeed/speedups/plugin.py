"""Makes Pelican's per-tag, per-category and per-author page loops linear.

``ArticlesGenerator.generate_tags`` (and its category and author twins) build each page's
``dates`` with ``[a for a in self.dates if a in articles]``, where ``articles`` is a list: one
full scan per article per tag, O(N^2) when a tag, the one category or the one author holds most
of the feed (measured: ~6 s of a 10,000-item build). The adapter
(:func:`topicfeed.pelican_adapter.make_taxonomy_scans_linear`) makes those lists answer ``in``
with a set lookup; the order, contents and therefore the output are unchanged. The monthly
archives are grouped the same way (:func:`topicfeed.pelican_adapter.make_period_archives_linear`):
Pelican scans every article once per month against a list (~65 s at 100,000 items). A content's
relative source path and its URL settings are worked out without Pelican's detours
(:func:`topicfeed.pelican_adapter.make_relative_source_paths_direct`,
:func:`topicfeed.pelican_adapter.make_url_settings_direct`): the same answers. And each
generator's Jinja environment keeps the templates it compiles, for the next build
(:mod:`.compiled_templates`).
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from topicfeed.pelican_adapter import (
    make_period_archives_linear,
    make_relative_source_paths_direct,
    make_taxonomy_scans_linear,
    make_url_settings_direct,
)
from topicfeed.plugin import register_plugin

from .compiled_templates import keep_compiled_templates


def index_taxonomies(generator: Any) -> None:
    make_taxonomy_scans_linear(generator)


def register() -> None:
    register_plugin(__name__.rpartition(".")[0])
    make_relative_source_paths_direct()
    make_url_settings_direct()
    signals.article_generator_init.connect(make_period_archives_linear)
    signals.article_generator_finalized.connect(index_taxonomies)
    signals.generator_init.connect(keep_compiled_templates)
