"""Built pages for every field variant, read back from the real output with BeautifulSoup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.build import Build, run_pelican
from support.items import item_fields, write_item, write_raw

UNQUOTED = """---
category: news
title: Unquoted URLs & entities
excerpt: Plain text with <em>markup</em> that stays literal ...
publishedDateTime: 2024-05-01T23:30:00-07:00
sourceUrl: https://www.example.org/news/caf\u00e9-\u00ae?x=1&#038;y=2
ampUrl: https://www.example.org/amp/news/1
type: video
quality: 10
heat: -1
featuredContent: "<iframe width=\\"800\\" height=\\"500\\" frameborder=\\"0\\" onload=\\"alert(1)\\" src=\\"https://www.youtube.com/embed/abc123\\" allowfullscreen></iframe><script>alert(2)</script>"
provider:
  name: Example Org
  domain: example.org
  images:
    - url: /assets/images/organizations/example.org-50x50.jpg
      width: 50
      height: 50
topics:
  - C++
  - C#
  - C
  - " c++ "
images:
  - url: https://img.example.org/a.jpg?w=1&#038;h=2
    width: 1200
    height: 675
secured: "UNQUOTEDSECRET==;SALT=="
---
"""

MARKDOWN_ARTICLE = """Title: An ordinary Markdown article
Date: 2024-04-01 09:00
Tags: Editorial

This is **ordinary** Pelican Markdown.
"""


@pytest.fixture(scope="module")
def variants_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    content = tmp_path_factory.mktemp("variants-content")
    write_raw(content, "2024-05-02-unquoted.md", UNQUOTED)
    write_item(content, "cjk.txt", title="人工知能が変えるニュース", webUrl="https://jp.example.com/ai")
    write_item(content, "punct.txt", title="?!… —", webUrl="https://punct.example.com/1")
    same = {"title": "Same headline", "publishedDateTime": "2024-03-03T08:00:00Z"}
    write_item(content, "same-a.txt", webUrl="https://a.example.com/same", **same)
    write_item(content, "same-b.txt", webUrl="https://b.example.com/same", **same)
    write_item(
        content, "script.txt", title="<script>alert('t')</script> & co", webUrl="https://x.example.com/s"
    )
    write_item(
        content, "unpub.txt", title="Hidden story", webUrl="https://hidden.example.com/1", published=False
    )
    write_item(
        content, "unpub-string.md", title="Hidden too", webUrl="https://hidden.example.com/2", published="no"
    )
    write_item(
        content,
        "absent.txt",
        title="No published field",
        webUrl="https://absent.example.com/1",
        published=None,
    )
    write_raw(content, "ordinary.md", MARKDOWN_ARTICLE)
    build = run_pelican(content, tmp_path_factory.mktemp("variants-site"))
    assert build.returncode == 0, build.log
    return build


def page_for(build: Build, story_url: str):
    """The article page whose 'Read at' link is ``story_url``."""
    found = []
    for path in build.article_pages():
        text = path.read_text(encoding="utf-8")
        if f'href="{story_url}"' in text:
            found.append(path)
    assert len(found) == 1, f"{story_url}: {found}"
    from bs4 import BeautifulSoup

    return found[0], BeautifulSoup(found[0].read_text(encoding="utf-8"), "html.parser")


def not_data_scripts(soup) -> list:
    """Every <script> element but the JSON-LD data block (data, never run)."""
    return [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]


def test_article_page_fields(variants_site: Build) -> None:
    story = "https://www.example.org/news/caf%C3%A9-%C2%AE?x=1&amp;y=2"
    path, soup = page_for(variants_site, story)
    # URL date from the file name (2024-05-02-unquoted.md), not 2024-05-01T23:30-07:00.
    assert path.relative_to(variants_site.output).parts[:3] == ("2024", "05", "02")
    assert [h.get_text() for h in soup.find_all("h1")] == ["Unquoted URLs & entities"]
    time = soup.find("article").find("time")
    assert time["datetime"] == "2024-05-01T23:30:00-07:00"
    assert soup.find(class_="excerpt").get_text() == "Plain text with <em>markup</em> that stays literal ..."
    assert soup.find("em") is None
    video = soup.select_one("figure iframe")
    assert video["src"] == "https://www.youtube-nocookie.com/embed/abc123"
    assert (video["width"], video["height"]) == ("800", "500") and video["loading"] == "lazy"
    assert not {"onload", "frameborder"} & set(video.attrs)
    read = soup.find("a", string=lambda s: s and s.startswith("Read at"))
    assert read.get_text() == "Read at Example Org"
    assert read["href"] == "https://www.example.org/news/caf%C3%A9-%C2%AE?x=1&y=2"
    assert soup.find(class_="provider").get_text() == "Example Org"
    assert "/assets/images" not in path.read_text(encoding="utf-8")
    assert "UNQUOTEDSECRET" not in path.read_text(encoding="utf-8")
    assert "onload" not in path.read_text(encoding="utf-8") and not_data_scripts(soup) == []


def test_lead_image_with_dimensions(variants_site: Build) -> None:
    _, soup = page_for(variants_site, "https://jp.example.com/ai")
    lead = soup.select_one("figure img")
    assert lead["src"] == "https://img.example.com/1.jpg"
    assert (lead["width"], lead["height"]) == ("800", "450") and lead["alt"]
    assert lead["referrerpolicy"] == "no-referrer"


def test_topics_link_to_distinct_topic_pages(variants_site: Build) -> None:
    _, soup = page_for(variants_site, "https://www.example.org/news/caf%C3%A9-%C2%AE?x=1&amp;y=2")
    chips = {a.get_text(): a["href"] for a in soup.select(".topics a")}
    assert set(chips) == {"C++", "C#", "C"}
    assert len(set(chips.values())) == 3
    for name, href in chips.items():
        topic = variants_site.soup(href)
        assert topic.find("h1").get_text() == name


def test_cjk_and_punctuation_titles_get_working_urls(variants_site: Build) -> None:
    for url in ("https://jp.example.com/ai", "https://punct.example.com/1"):
        path, _ = page_for(variants_site, url)
        slug = path.parent.name
        assert slug and slug.isascii() and slug.strip("-")
    path, _ = page_for(variants_site, "https://punct.example.com/1")
    assert path.parent.name.startswith("story-")


def test_same_headline_same_day_two_pages(variants_site: Build) -> None:
    a, _ = page_for(variants_site, "https://a.example.com/same")
    b, _ = page_for(variants_site, "https://b.example.com/same")
    assert a != b and a.parent.parent == b.parent.parent
    names = sorted([a.parent.name, b.parent.name])
    assert names[0] == "same-headline"
    assert re.fullmatch(r"same-headline-[0-9a-f]{6}", names[1])


def test_same_headline_urls_are_deterministic(variants_site: Build, tmp_path: Path) -> None:
    again = run_pelican(variants_site.input, tmp_path / "again")
    first = sorted(p.relative_to(variants_site.output) for p in variants_site.article_pages())
    second = sorted(p.relative_to(again.output) for p in again.article_pages())
    assert first == second


def test_markup_in_title_is_escaped(variants_site: Build) -> None:
    _, soup = page_for(variants_site, "https://x.example.com/s")
    assert soup.find("h1").get_text() == "<script>alert('t')</script> & co"
    assert not_data_scripts(soup) == []
    # The JSON-LD data block holds the title as data, its markup escaped inside the element.
    (data,) = soup.find_all("script", type="application/ld+json")
    assert (
        "<" not in data.string and json.loads(data.string)["headline"] == "<script>alert('t')</script> & co"
    )


def test_unpublished_written_nowhere(variants_site: Build) -> None:
    out = variants_site.output
    assert not (out / "drafts").exists()
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "hidden.example.com" not in text and "Hidden story" not in text, path
            assert "SECRETBLOB" not in text, path
    page_for(variants_site, "https://absent.example.com/1")  # no field: published


def test_ordinary_markdown_article_still_works(variants_site: Build) -> None:
    pages = [p for p in variants_site.article_pages() if p.parent.name == "an-ordinary-markdown-article"]
    assert len(pages) == 1
    soup = variants_site.soup("/" + str(pages[0].relative_to(variants_site.output).parent) + "/")
    assert soup.find("strong").get_text() == "ordinary"


def test_home_lists_published_newest_first(variants_site: Build) -> None:
    soup = variants_site.soup("/")
    times = [t["datetime"] for t in soup.select("main section.latest article time")]
    assert len(times) == 8
    from datetime import datetime

    instants = [datetime.fromisoformat(t) for t in times]
    assert instants == sorted(instants, reverse=True)


def test_item_fields_helper_is_complete() -> None:
    assert {"title", "publishedDateTime", "webUrl", "secured"} <= set(item_fields())
