"""The real corpus: one page per published item (428), none for the 246 unpublished."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from support.build import CORPUS, SEEDS, Build

from topicfeed.model import build_item
from topicfeed.news_reader.source import (
    NewsLoader,
    _parse_with_pyyaml,
    load_front_matter,
    parse_yaml,
    split_front_matter,
)

TOKEN = re.compile(r"[A-Za-z0-9+/=]{16,}")


@cache
def corpus_items():
    items = []
    for path in sorted(CORPUS.iterdir()):
        raw, _, _ = load_front_matter(path.read_text(encoding="utf-8"))
        item, _ = build_item(raw, path.name)
        items.append((path, raw, item))
    return items


def output_texts(build: Build):
    for path in sorted(build.output.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt", ".css", ".js", ""}:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_corpus_counts() -> None:
    published = [i for _, _, i in corpus_items() if i.published]
    assert len(corpus_items()) == 674 and len(published) == 428


def test_one_page_per_published_item(corpus_site: Build) -> None:
    pages = corpus_site.article_pages()
    assert len(pages) == 428
    links: dict[str, list[Path]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        match = re.search(r'<a class="button" href="([^"]+)"', text)
        assert match, page
        links.setdefault(match.group(1).replace("&amp;", "&"), []).append(page)
    expected: dict[str, int] = {}
    for _, _, item in corpus_items():
        if item.published:
            expected[item.url] = expected.get(item.url, 0) + 1
    # Two published files can carry the same story URL: each still gets its own page.
    assert {url: len(found) for url, found in links.items()} == expected


def test_no_page_for_unpublished(corpus_site: Build) -> None:
    """An unpublished story never gets a page of ours; a link to it can only leave the site."""
    published_urls = {i.url for _, _, i in corpus_items() if i.published}
    hidden = {i.url for _, _, i in corpus_items() if not i.published} - published_urls
    assert len(hidden) > 200
    for path, text in output_texts(corpus_site):
        if path.suffix != ".html":
            continue
        soup = BeautifulSoup(text, "html.parser")
        for link in soup.find_all("a", href=True):
            if link["href"] in hidden:
                assert "external" in (link.get("class") or []), (path, link)
                assert {"noopener", "noreferrer"} <= set(link.get("rel") or []), (path, link)
        if path.name == "index.html" and soup.find("a", class_="button"):
            assert soup.find("a", class_="button")["href"] not in hidden, path


def test_no_secured_value_anywhere(corpus_site: Build) -> None:
    secrets: set[str] = set()
    for _, raw, _ in corpus_items():
        for part in str(raw["secured"]).split(";"):
            secrets.add(part)
            secrets.update(part[i : i + 16] for i in range(0, max(len(part) - 16, 1), 16))
    assert len(secrets) > 674
    for path, text in output_texts(corpus_site):
        tokens = set(TOKEN.findall(text))
        tokens |= {t[i : i + 16] for t in tokens for i in range(len(t) - 15)}
        assert not tokens & secrets, path


def test_video_items_have_sanitised_embeds(corpus_site: Build) -> None:
    videos = [i for _, _, i in corpus_items() if i.published and i.is_video and i.embed]
    assert videos
    for item in videos:
        page = next(
            p for p in corpus_site.article_pages() if f'href="{item.url}"' in p.read_text(encoding="utf-8")
        )
        text = page.read_text(encoding="utf-8")
        assert f'<iframe src="{item.embed.src}"' in text
        assert item.embed.src.startswith("https://www.youtube-nocookie.com/embed/")
        assert "frameborder" not in text and "autoplay" not in text


def test_fast_loader_matches_libyaml_on_every_real_item() -> None:
    assert issubclass(NewsLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    files = sorted(CORPUS.iterdir()) + sorted(SEEDS.iterdir())
    for path in files:
        front = split_front_matter(path.read_text(encoding="utf-8")).front
        assert parse_yaml(front)[0] == _parse_with_pyyaml(front), path
