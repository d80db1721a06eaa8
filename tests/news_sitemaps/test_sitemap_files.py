"""The sitemaps as the site model records them: the news sitemap's window and what the main
sitemap's record is digested from, whatever the stories' dates (``news_sitemaps.files``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from types import SimpleNamespace

import pytest

from topicfeed.news_sitemaps.files import derive_sitemaps, recent

NEWEST = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC).timestamp()


def settings(days: float) -> dict:
    return {
        "SITEMAP": {"format": "xml"},
        "SITEMAP_MAX_URLS": 50_000,
        "NEWS_SITEMAP_SAVE_AS": "news-sitemap.xml",
        "NEWS_SITEMAP_DAYS": days,
    }


def window_of_every_story(stories: list[tuple[str, str, float]], days: float) -> tuple[str, ...]:
    """The window as :func:`recent` picks it from a stand-in for every story."""
    stand_ins = [SimpleNamespace(date=dt.datetime.fromtimestamp(d, dt.UTC), file=f) for f, _u, d in stories]
    return tuple(story.file for story in recent(stand_ins, days))


def digest_one_by_one(pages: list[str], stories: list[tuple[str, str, float]]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for page in sorted(pages):
        digest.update(page.encode() + b"\0")
    for _file, url, date in stories:
        digest.update(f"{url}\0{date!r}\0".encode())
    digest.update(repr(max((d for _f, _u, d in stories), default=None)).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("days", [0, 0.5, 2, 7.25, 10_000])
def test_the_window_is_the_one_a_stand_in_for_every_story_gives(days: float) -> None:
    """Stories on both sides of the window's edge, to the microsecond and between microseconds
    (the dates are POSIX timestamps, and a stand-in's date is rounded to the microsecond), some
    on the same second, in no order: only those near the window are made into stand-ins, and the
    window must still be every story in it, newest first, ties in the site's order."""
    rng = random.Random(days)  # noqa: S311 - reproducible test data
    edge = NEWEST - days * 86400
    dates = [NEWEST, edge, edge - 1e-6, edge + 1e-6, edge - 4e-7, edge + 4e-7, edge - 0.5, edge - 1]
    dates += [edge - 1.0000004, edge - 0.9999996, NEWEST - 1, NEWEST - 1]
    dates += [NEWEST - rng.uniform(0, 3 * days * 86400 + 5) for _ in range(300)]
    rng.shuffle(dates)
    stories = [(f"item-{n}.md", f"{2026}/story-{n}/", date) for n, date in enumerate(dates)]
    (news,) = [entry for entry in derive_sitemaps([], stories, settings(days)) if entry[1] == "news"]
    assert news[2] == window_of_every_story(stories, days)
    assert news[2], "the newest story is always in its own window"


def test_the_sitemaps_record_digests_every_page_and_story_as_before() -> None:
    pages = [f"2026/11/{n:02d}/story/index.html" for n in range(30, 0, -1)] + ["index.html", "tags.html"]
    stories = [(f"item-{n}.md", f"2026/11/{n:02d}/story/", NEWEST - n * 3600.25) for n in range(1, 31)]
    (main,) = [entry for entry in derive_sitemaps(pages, stories, settings(2)) if entry[1] == "sitemap"]
    assert main[3] == (digest_one_by_one(pages, stories),)
    assert derive_sitemaps([], [], settings(2))[-1] == ("news-sitemap.xml", "news", (), ())
