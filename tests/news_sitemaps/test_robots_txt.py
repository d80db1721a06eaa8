"""robots.txt names the sitemaps the build writes, decided from settings, never from plugin names."""

from __future__ import annotations

from typing import Any

from topicfeed.news_sitemaps.plugin import robots_txt


def settings(**values: Any) -> dict[str, Any]:
    return {"SITEURL": "https://example.org", "NEWS_SITEMAP_SAVE_AS": "news-sitemap.xml", **values}


def test_names_both_sitemaps_when_both_are_written() -> None:
    text = robots_txt(settings(SITEMAP={"format": "xml"}))
    assert text == (
        "User-agent: *\nAllow: /\n\n"
        "Sitemap: https://example.org/sitemap.xml\n"
        "Sitemap: https://example.org/news-sitemap.xml\n"
    )


def test_sitemap_format_and_absence_follow_the_sitemap_setting() -> None:
    assert "Sitemap: https://example.org/sitemap.txt\n" in robots_txt(settings(SITEMAP={"format": "txt"}))
    assert "/sitemap." not in robots_txt(settings())
    assert "/sitemap." not in robots_txt(settings(SITEMAP=None))
    assert "Sitemap: https://example.org/sitemap.xml\n" in robots_txt(settings(SITEMAP={"exclude": []}))


def test_no_news_sitemap_line_when_it_is_off() -> None:
    assert "news-sitemap" not in robots_txt(settings(NEWS_SITEMAP_SAVE_AS=""))
