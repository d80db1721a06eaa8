"""The spliced bytes of the encoder are ``dumps`` of the reference documents, byte for byte.

The articles are light stand-ins carrying what the API reads (URL, category, item, tags, the
related step's links), made from the real corpus plus items whose strings need escaping.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from support.api_articles import articles, corpus_items
from support.build import CORPUS

from topicfeed.json_api import documents as docs
from topicfeed.json_api.encoding import Encoder, runs, splice
from topicfeed.model import NewsItem, build_item
from topicfeed.news_reader.source import decode, load_front_matter

#: Strings JSON must escape or keep as UTF-8: quotes, backslashes, controls, separators, astral.
AWKWARD = 'Quote " back\\slash \x01\t\n \u2028\u2029 é ß 漢字 😀 </script> \ud7ff'


def awkward_items(template: Path) -> list[NewsItem]:
    raw, _, _ = load_front_matter(decode(template.read_bytes(), 1_000_000))
    made = []
    for n in range(3):
        changed = dict(raw, title=f"{AWKWARD} {n}", excerpt=AWKWARD * (n + 1))
        item, _ = build_item(changed, f"2024-01-0{n + 1}-awkward-{n}.md")
        assert item is not None
        made.append(item)
    return made


@pytest.fixture(scope="module")
def corpus_articles() -> list[Any]:
    items = corpus_items()
    return articles(items + awkward_items(CORPUS / items[0].source_path))


@pytest.mark.parametrize("page_size", [1, 7, 20])
@pytest.mark.parametrize("siteurl", ["", "https://user.github.io/repo"])
def test_spliced_documents_are_the_reference_bytes(
    corpus_articles: list[Any], page_size: int, siteurl: str
) -> None:
    ctx = docs.Context(siteurl=siteurl, page_size=page_size, locale="en-us", site_name="News ✓")
    found = docs.collections(corpus_articles)
    encoder = Encoder(ctx, corpus_articles, found)
    for article in corpus_articles:
        path, data = encoder.item(article)
        assert path == docs.item_path(article)
        assert data == docs.dumps(docs.item_document(article, ctx, encoder.api_paths, found)), path
    pages = 0
    for collection in found.values():
        spliced = list(encoder.pages(collection))
        assert spliced == [(path, docs.dumps(doc)) for path, doc in docs.pages(collection, ctx)]
        pages += len(spliced)
    assert pages >= len(found)
    assert b"\\u2028" not in data and "😀".encode() in data  # UTF-8, as json.dumps without escapes


def test_the_entries_kept_for_the_pages_hold_about_their_own_size(corpus_articles: list[Any]) -> None:
    """Each entry is kept to the end of the step: as orjson's working buffer it held 16 KB for
    1.5 KB of text, about 600 MB at 100,000 items (one story added: every page of all news)."""
    ctx = docs.Context(siteurl="", page_size=20, locale="en", site_name="")
    found = docs.collections(corpus_articles)
    encoder = Encoder(ctx, corpus_articles, found)
    tracemalloc.start()
    try:
        for _ in encoder.pages(found["news"]):
            pass
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = sum(len(encoder._entry(article)) for article in corpus_articles)
    assert text > 400_000  # every entry of the corpus was made by the pages
    assert held < 1.5 * text, f"{held} bytes held for {text} bytes of entries"


def test_a_page_of_no_items_is_the_reference_bytes() -> None:
    ctx = docs.Context(siteurl="", page_size=20, locale="en", site_name="")
    found = docs.collections([])
    (path, data), *_ = Encoder(ctx, [], found).pages(found["news"])
    assert [(path, data)] == [(p, docs.dumps(d)) for p, d in docs.pages(found["news"], ctx)]
    assert json.loads(data)["value"] == []


@pytest.mark.parametrize(
    "value",
    [{}, {"a": 1}, {"z": [1, {"b": None}]}, {"a": "x", "m": 2.5, "q": "é", "zz": True}],
)
def test_runs_and_splice_make_what_the_encoder_makes(value: dict[str, Any]) -> None:
    cuts = ["b", "n", "r"]
    spliced = {cut: [cut] for cut in cuts}
    members = [docs.ENCODER.encode(cut) + ":" + docs.ENCODER.encode(spliced[cut]) for cut in cuts]
    assert splice(runs(value, cuts), members) == docs.ENCODER.encode({**value, **spliced})
    assert "{" + ",".join(r for r in runs(value, cuts) if r) + "}" == docs.ENCODER.encode(value)
