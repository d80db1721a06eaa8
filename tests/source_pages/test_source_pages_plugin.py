"""The source pages plugin: sources for the templates, and its need for news items."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from topicfeed.items import ITEM_KEY
from topicfeed.model import build_item
from topicfeed.settings import apply
from topicfeed.source_pages.plugin import attach_sources
from topicfeed.source_pages.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def article(n: int, domain: str | None) -> SimpleNamespace:
    if domain is None:
        return SimpleNamespace(metadata={"title": "Markdown"})
    item, _ = build_item(
        {"title": f"S{n}", "publishedDateTime": "2024-01-01T00:00:00Z", "webUrl": f"https://{domain}/{n}"},
        f"{n}.txt",
    )
    return SimpleNamespace(metadata={ITEM_KEY: item})


def test_each_article_gets_its_source_and_the_context_every_source() -> None:
    settings: dict = {}
    apply(settings, SETTINGS)
    articles = [article(1, "a.example"), article(2, None), article(3, "a.example"), article(4, "b.example")]
    generator = SimpleNamespace(articles=articles, settings=settings, context={})
    attach_sources(generator)
    sources = generator.context["sources"]
    assert [(s.slug, s.count) for s in sources] == [("a-example", 2), ("b-example", 1)]
    assert articles[0].source is articles[2].source is sources[0]
    assert articles[1].source is None
    assert articles[3].source.url == "sources/b-example/"


def test_without_news_items_the_build_stops_at_start_up(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-o", str(tmp_path / "out")]
    command += ["-s", str(ROOT / "pelicanconf.py"), "-e", 'PLUGINS=["topicfeed.source_pages"]']
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    assert "plugins: topicfeed.source_pages needs news-items" in log
