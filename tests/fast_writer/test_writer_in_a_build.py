"""The writer in real builds: pages announced only once complete, and the fast digest path taken."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pelican import signals
from pelican.settings import read_settings
from support.build import ROOT, build_in_process, run_pelican
from support.items import item_fields, write_item

from topicfeed import forked
from topicfeed.build import Build
from topicfeed.fast_writer.fingerprint import Fingerprinter
from topicfeed.fast_writer.manifest import Manifest, manifest_path
from topicfeed.fast_writer.plugin import PREDIGEST, predigest_articles


def three_items(folder: Path) -> Path:
    folder.mkdir()
    logo = {"url": "https://img.example.com/logo.png", "width": 64, "height": 64}
    provider = {"name": "Example News", "domain": "example.com", "images": [logo]}
    for n in (1, 2, 3):
        write_item(folder, f"item{n}.txt", item_fields(n, provider=provider))
    return folder


def test_content_written_is_sent_once_the_page_is_complete(tmp_path: Path) -> None:
    """A receiver that reads the file when the signal comes finds the finished page, every time."""
    content = three_items(tmp_path / "content")
    seen: dict[str, list[str]] = {}

    def receiver(path: str, context: dict[str, Any]) -> None:
        seen.setdefault(context["output_file"], []).append(Path(path).read_text(encoding="utf-8"))

    signals.content_written.connect(receiver)
    try:
        out = tmp_path / "site"
        build_in_process(content, out)
        first = dict(seen)
        seen.clear()
        build_in_process(content, out)  # every page reused from the first build
    finally:
        signals.content_written.disconnect(receiver)
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert len(pages) > 5
    for announced in (first, seen):
        assert set(announced) == pages
        for name, texts in announced.items():
            assert len(texts) == 1, name  # once per page
            assert texts[0] == (out / name).read_text(encoding="utf-8"), name
            assert texts[0].rstrip().endswith("</html>"), name


def test_fast_digest_path_is_taken_in_a_real_build(tmp_path: Path) -> None:
    """In a ``pelican`` run the model's classes are pure types and the fast digests are used.

    (``PURE_TYPES`` once came out empty in real builds because of the order of imports; only the
    log of a real run shows which path the digests took.)
    """
    content = three_items(tmp_path / "content")
    build = run_pelican(content, tmp_path / "site", options=("--verbose",))
    assert build.returncode == 0, build.log
    log = re.sub(r"\s+", " ", build.log)
    found = re.search(r"fast_writer: pure types ([^;]*); fast digests: (.*?) [\w.]+:\d+", log)
    assert found, build.log
    assert {"NewsItem", "Image", "Provider"} <= set(found.group(1).split(", "))
    assert "Image (repr)" in found.group(2)
    assert "NewsItem (custom)" in found.group(2)


def test_a_page_collector_before_the_writer_stops_the_build(tmp_path: Path) -> None:
    """pelican-sitemap collects pages from ``content_written``: it must not finish before they exist."""
    content = three_items(tmp_path / "content")
    plugins = list(read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"])
    plugins.remove("pelican.plugins.sitemap")
    build = run_pelican(content, tmp_path / "site", extra={"PLUGINS": ["pelican.plugins.sitemap", *plugins]})
    assert build.returncode != 0
    message = "pelican.plugins.sitemap.sitemap handles 'finalized' before Topicfeed writes its pages"
    assert message in re.sub(r"\s+", " ", build.log)
    fine = run_pelican(content, tmp_path / "fine", extra={"PLUGINS": [*plugins, "pelican.plugins.sitemap"]})
    assert fine.returncode == 0, fine.log
    assert "/2024/03/" in (tmp_path / "fine" / "sitemap.xml").read_text(encoding="utf-8")


def test_the_digests_are_forgotten_before_the_manifest_is_saved(tmp_path: Path, monkeypatch) -> None:
    """The page writer's digests hold a reference to every value any page read (a tenth of the
    build's memory); saving the manifest is late in the build, so they must be gone by then."""
    events: list[str] = []
    original_forget, original_save = Fingerprinter.forget, Manifest.save

    def forget(self: Fingerprinter) -> None:
        events.append("forget")
        original_forget(self)

    def save(self: Manifest) -> None:
        events.append("save")
        original_save(self)

    monkeypatch.setattr(Fingerprinter, "forget", forget)
    monkeypatch.setattr(Manifest, "save", save)
    build_in_process(three_items(tmp_path / "content"), tmp_path / "site")
    assert "save" in events and "forget" in events
    assert events.index("forget") < events.index("save"), events


def test_only_a_build_that_can_reuse_pages_digests_its_articles_ahead(tmp_path: Path) -> None:
    """A cold build renders every page: digesting ahead would only add work and memory. An
    output deleted by hand leaves its render manifest behind; that build is cold too."""
    settings = {
        "RENDER_DEFERRED": True,
        "RENDER_INCREMENTAL": True,
        "RENDER_PREDIGEST_MIN_ITEMS": 2,
        "MEMORY_BUDGET_MB": 0,
    }
    output, staging = tmp_path / "site", tmp_path / ".site.building"
    pelican = SimpleNamespace(settings=settings)

    def predigests(target: Path = staging, articles: int = 3) -> bool:
        build = Build(settings=settings, output=output, target=target)
        build.articles = [object() for _ in range(articles)]
        predigest_articles(pelican, build)
        return forked.beside(build.private).labels == [PREDIGEST]

    manifest_path(output).write_text("{}", encoding="utf-8")
    assert not predigests()  # no previous site: cold, whatever the manifest says
    output.mkdir()
    assert predigests()
    assert not predigests(articles=1)  # below RENDER_PREDIGEST_MIN_ITEMS
    assert not predigests(target=output)  # writing into the site itself: nothing is reused
    manifest_path(output).unlink()
    assert not predigests()
