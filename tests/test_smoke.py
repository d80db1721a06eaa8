"""The seeds build: exactly one article page (seed 004 is the only published item)."""

from conftest import Build


def test_seeds_build_one_article(seeds_site: Build) -> None:
    pages = seeds_site.article_pages()
    assert [p.parent.name for p in pages] == ["met-police-rolls-out-live-facial-recognition-in-london"]
