"""The shipped seeds: exactly one article page (seed 004 is the only published item)."""

from __future__ import annotations

from support.build import ROOT, SEEDS, Build


def test_content_ships_the_seeds_unchanged() -> None:
    shipped = sorted(p.name for p in (ROOT / "content").iterdir())
    assert shipped == sorted(p.name for p in SEEDS.iterdir())
    for name in shipped:
        assert (ROOT / "content" / name).read_bytes() == (SEEDS / name).read_bytes()


def test_seeds_build_one_article(seeds_site: Build) -> None:
    pages = seeds_site.article_pages()
    assert [p.relative_to(seeds_site.output).as_posix() for p in pages] == [
        "2020/02/12/met-police-rolls-out-live-facial-recognition-in-london/index.html"
    ]
    assert not (seeds_site.output / "drafts").exists()


def test_seed_004_page(seeds_site: Build) -> None:
    soup = seeds_site.soup("/2020/02/12/met-police-rolls-out-live-facial-recognition-in-london/")
    assert [h.get_text() for h in soup.find_all("h1")] == [
        "Met Police rolls out live facial recognition in London"
    ]
    assert soup.find(class_="provider").get_text() == "The Financial Times"
    assert soup.find("article").find("time")["datetime"] == "2020-02-12T04:00:00+00:00"
    img = soup.select_one("figure img")
    assert (img["width"], img["height"]) == ("500", "281")
    read = soup.find("a", class_="button")
    assert read["href"] == "https://www.ft.com/content/db8bfc3c-4cf4-11ea-95a0-43d18ec715f5"
    chips = {a.get_text(): a["href"] for a in soup.select(".topics a")}
    assert chips == {"AI": "/topics/ai/", "Computer Vision": "/topics/computer-vision/"}
    for href in chips.values():
        assert seeds_site.path(href).is_file()
    assert soup.find(class_="excerpt").get_text().startswith("This is the Met Police")


def test_home_lists_only_the_published_seed(seeds_site: Build) -> None:
    titles = [a.get_text() for a in seeds_site.soup("/").select("main section.latest .card-title a")]
    assert titles == ["Met Police rolls out live facial recognition in London"]
