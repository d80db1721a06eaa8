"""Every story card on every list page of the corpus, checked against the story's own API document.

The cards are one macro (``story`` in ``_macros.html``) that lists print hundreds of times; it
once was five nested macros. These tests hold what each card shows to the data it comes from:
title and link, excerpt, badges, the source's name and page, the time, and the picture, first on
a tile (top stories) and last on a row (every other list).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from support.build import Build

#: Heading level of a card, by the list it is in.
LEVELS = {"home": 4, "topic": 2, "source": 2, "month": 3, "not found": 3, "top stories": 3}


def _kind(relative: str) -> str:
    if relative == "404.html":
        return "not found"
    if relative == "index.html" or relative.startswith("page/"):
        return "home"
    if relative.startswith("topics/"):
        return "topic"
    if relative.startswith("sources/"):
        return "source"
    if relative.startswith("archives/"):
        return "month"
    raise AssertionError(f"a story card on an unexpected page: {relative}")


def _cards(build: Build) -> list[tuple[str, str, Tag]]:
    """(page, list kind, card) for every story card of the site."""
    found = []
    for path in sorted(build.output.rglob("*.html")):
        relative = path.relative_to(build.output).as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for card in soup.select("article.card"):
            if card.find_parent("section", class_="top-stories"):
                kind = "top stories"
            else:
                kind = _kind(relative)
            found.append((relative, kind, card))
    return found


@pytest.fixture(scope="module")
def cards(corpus_site: Build) -> list[tuple[str, str, Tag]]:
    return _cards(corpus_site)


def _document(build: Build, href: str) -> dict[str, Any]:
    path = build.output / "api" / "news" / href.strip("/") / "index.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _elements(tag: Tag) -> list[Tag]:
    return [child for child in tag.children if isinstance(child, Tag)]


def test_every_list_kind_has_cards(cards: list[tuple[str, str, Tag]]) -> None:
    kinds = {kind for _, kind, _ in cards}
    assert kinds == set(LEVELS), kinds
    assert len(cards) > 1500  # the corpus's 428 stories, each in several lists


def test_each_card_shows_its_story(corpus_site: Build, cards: list[tuple[str, str, Tag]]) -> None:
    for page, kind, card in cards:
        where = f"{page} ({kind})"
        assert card["class"] == ["card", "tile" if kind == "top stories" else "row"], where
        heading = card.find(class_="card-title")
        assert heading.name == f"h{LEVELS[kind]}", where
        href = heading.a["href"]
        assert (corpus_site.output / href.strip("/") / "index.html").is_file(), where
        story = _document(corpus_site, href)
        assert story["url"] == href, where
        assert heading.a.get_text() == story["title"], where
        excerpt = card.find("p", class_="excerpt")
        assert (excerpt.get_text() if excerpt else "") == story["excerpt"], where

        meta = card.find("p", class_="meta")
        badges = [badge.get_text() for badge in meta.find_all(class_="badge")]
        assert badges == (["Video"] if story["type"] == "video" else []), where
        provider = meta.find("span", class_="provider")
        assert provider.get_text() == story["provider"]["name"], where
        source = [c for c in story["collections"] if c["kind"] == "source"]
        if source:
            assert provider.a["href"] == f"/sources/{source[0]['slug']}/", where
            assert (corpus_site.output / "sources" / source[0]["slug"] / "index.html").is_file()
        else:
            assert provider.a is None, where
        time = meta.find("time")
        assert dt.datetime.fromisoformat(time["datetime"]) == dt.datetime.fromisoformat(
            story["publishedDateTime"]
        ), where
        shown = "".join(f"{badge} " for badge in badges) + f"{story['provider']['name']} · {time.get_text()}"
        assert meta.get_text() == shown, where

        parts = _elements(card)
        pictures = card.find_all("img", class_="thumb")
        if story["images"]:
            image = story["images"][0]
            assert len(pictures) == 1, where
            picture = pictures[0]
            assert picture["src"] == image["url"], where
            if image["width"] and image["height"]:
                assert (picture["width"], picture["height"]) == (str(image["width"]), str(image["height"]))
            # on top of a tile, beside (after) the text of a row
            assert picture is (parts[0] if kind == "top stories" else parts[-1]), where
        else:
            assert pictures == [], where
        assert [part.name for part in parts if part.name != "img"] == ["div"], where


def test_a_card_is_printed_the_same_wherever_it_is(cards: list[tuple[str, str, Tag]]) -> None:
    """A story's row is the same markup in every river it is in, but for its heading level."""
    seen: dict[tuple[str, int], str] = {}
    compared = 0
    for page, kind, card in cards:
        if kind == "top stories":
            continue
        href = card.find(class_="card-title").a["href"]
        text = str(card)
        key = (href, LEVELS[kind])
        if key in seen:
            assert seen[key] == text, page
            compared += 1
        seen[key] = text
    assert compared > 500


def test_card_count_matches_each_home_page(corpus_site: Build, cards: list[tuple[str, str, Tag]]) -> None:
    rivers: dict[str, int] = {}
    for page, kind, _ in cards:
        if kind == "home":
            rivers[page] = rivers.get(page, 0) + 1
    per_page = sorted(rivers.values())
    assert per_page[-1] == 20 and per_page.count(20) == len(per_page) - 1, per_page
    published = len(list(Path(corpus_site.output).glob("20*/*/*/*/index.html")))
    assert sum(per_page) == published
