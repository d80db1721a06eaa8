"""A sitemap may list at most 50,000 URLs: a larger site gets sitemap.xml as an index of parts.

pelican-sitemap writes one file whatever the site's size (96,886 pages for the benchmark's 100,000 items),
which search engines refuse. The parts are pelican-sitemap's own format, cut in its order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican.plugins.sitemap import sitemap
from support.build import ROOT, Build, run_pelican
from support.feeds import xml_root

from topicfeed.news_sitemaps.settings import PROTOCOL_MAX_URLS, SETTINGS
from topicfeed.news_sitemaps.writing import split_sitemap
from topicfeed.pelican_adapter import sitemap_xml, sitemap_xml_entries
from topicfeed.settings import SettingsError, apply

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://example.org"


def entry(n: int) -> str:
    return sitemap.XML_URL.format(
        SITE, f"story-{n}/", "2024-01-01T00:00:00+00:00", "monthly", 0.5, translations=""
    )


def locs(path: Path, kind: str = "url") -> list[str]:
    """The ``loc`` of every ``url`` (a sitemap) or ``sitemap`` (an index) element, in order."""
    root = xml_root(path)
    return [element.findtext("s:loc", namespaces=NS) for element in root.findall(f"s:{kind}", NS)]


def settings(limit: int, **more: object) -> dict[str, object]:
    return {"SITEURL": SITE, "SITEMAP": {"format": "xml"}, "SITEMAP_MAX_URLS": limit, **more}


def test_the_adapter_cuts_pelican_sitemaps_file_into_its_pages_and_back() -> None:
    entries = [entry(n) for n in range(4)]
    text = sitemap_xml(entries)
    assert sitemap_xml_entries(text) == entries
    assert sitemap_xml_entries(sitemap_xml([])) == []
    assert sitemap_xml_entries("<urlset/>") is None


def test_pelican_sitemaps_xml_is_the_shape_the_adapter_cuts() -> None:
    """``sitemap_xml_entries`` relies on these three texts of pelican-sitemap (1.2.2)."""
    assert sitemap.XML_HEADER.startswith('<?xml version="1.0" encoding="utf-8"?>\n<urlset ')
    assert sitemap.XML_HEADER.endswith('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    assert sitemap.XML_URL.startswith("\n<url>\n<loc>{0}/{1}</loc>\n")
    assert sitemap.XML_URL.endswith("{translations}</url>\n")
    assert sitemap.XML_FOOTER == "\n</urlset>\n"


def test_more_pages_than_the_limit_become_parts_named_by_an_index(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(sitemap_xml([entry(n) for n in range(7)]), encoding="utf-8")
    (tmp_path / "sitemap-4.xml").write_text("a part of an earlier, larger site", encoding="utf-8")
    assert split_sitemap(tmp_path, settings(3), 7) == 3
    assert locs(tmp_path / "sitemap.xml", "sitemap") == [f"{SITE}/sitemap-{n}.xml" for n in (1, 2, 3)]
    parts = [locs(tmp_path / f"sitemap-{n}.xml") for n in (1, 2, 3)]
    assert [len(part) for part in parts] == [3, 3, 1]
    assert [loc for part in parts for loc in part] == [f"{SITE}/story-{n}/" for n in range(7)]
    assert not (tmp_path / "sitemap-4.xml").exists()


def test_a_site_within_the_limit_keeps_one_sitemap(tmp_path: Path) -> None:
    text = sitemap_xml([entry(n) for n in range(3)])
    (tmp_path / "sitemap.xml").write_text(text, encoding="utf-8")
    (tmp_path / "sitemap-1.xml").write_text("a part of an earlier, larger site", encoding="utf-8")
    assert split_sitemap(tmp_path, settings(3), 3) == 0
    assert (tmp_path / "sitemap.xml").read_text(encoding="utf-8") == text
    assert not (tmp_path / "sitemap-1.xml").exists()


def test_the_limit_is_the_protocols_at_most() -> None:
    values = {"SITEMAP_MAX_URLS": PROTOCOL_MAX_URLS}
    apply(values, SETTINGS)
    for wrong in (0, PROTOCOL_MAX_URLS + 1, "100", True):
        with pytest.raises(SettingsError, match="SITEMAP_MAX_URLS"):
            apply({"SITEMAP_MAX_URLS": wrong}, SETTINGS)


def test_a_built_site_over_the_limit_lists_every_page_once(tmp_path: Path, seeds_site: Build) -> None:
    build = run_pelican(ROOT / "content", tmp_path / "out", extra={"SITEMAP_MAX_URLS": 2, "SITEURL": SITE})
    assert build.returncode == 0, build.log
    whole = locs(seeds_site.output / "sitemap.xml")
    names = locs(build.output / "sitemap.xml", "sitemap")
    assert len(names) == -(-len(whole) // 2) >= 2
    parts = [locs(build.output / name.removeprefix(SITE + "/")) for name in names]
    assert all(1 <= len(part) <= 2 for part in parts)
    assert [loc.removeprefix(SITE) for part in parts for loc in part] == whole
    assert f"Sitemap: {SITE}/sitemap.xml\n" in (build.output / "robots.txt").read_text(encoding="utf-8")
