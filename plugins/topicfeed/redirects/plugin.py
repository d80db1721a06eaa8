"""Bookmarks keep working: redirect pages at the URLs where moved items used to be.

An item's URL can still change (a file renamed, ``NEWS_URL_FROM_FILENAME`` switched, a title
edited on a title-based URL). The build remembers, in a state file beside the output
(``<output>.urls.json``, written atomically), every URL it has published and the story at it
(the story key, which survives renames and edits). On the next build, each remembered URL that
has no page any more, whose story is still published elsewhere, gets a small page that sends
the reader on, as ``jekyll-redirect-from`` (which the exporter's site uses) does: a
``<meta http-equiv="refresh">``, a ``rel=canonical`` link and a plain link, no script.

- A story that is no longer published gets no redirect (its old URL is a 404, as its page is);
  its URLs stay remembered in case it comes back.
- A URL that another page now uses keeps that page.
- ``Build.redirects`` lists the redirects written (old URL -> new URL) for the build report.

Steps: ``Phase.FILES`` writes the pages; ``Phase.REPORT`` writes the state, once every file of
the build is in place, so a build that fails earlier does not remember URLs it never published.
A rebuild from the site model asks the ``redirects`` derivation whether any redirect page is
there or due (it builds in full if so) and remembers its URLs the same way (planned step).
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed import atomic_files
from topicfeed.build import Build, collect_articles
from topicfeed.items import item_of
from topicfeed.plugin import Phase, register_plugin

from .settings import SETTINGS

logger = logging.getLogger(__name__)
STATE_VERSION = 1

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>Redirecting…</title>
<link rel="canonical" href="{to}">
<meta http-equiv="refresh" content="0; url={to}">
<meta name="robots" content="noindex">
</head>
<body>
<h1>Redirecting…</h1>
<p>This story has moved: <a href="{to}">{to}</a></p>
</body>
</html>
"""


def state_path(settings: dict[str, Any], output: Path) -> Path:
    configured = settings["REDIRECTS_STATE_PATH"]
    return Path(configured) if configured else output.with_name(output.name + ".urls.json")


def load_state(path: Path) -> dict[str, str]:
    """Remembered URL -> story key; empty (with a warning) when the file is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        logger.warning("redirects: %s: unreadable (%s); starting afresh", path, error)
        return {}
    published = data.get("published") if isinstance(data, dict) else None
    if data.get("version") != STATE_VERSION or not isinstance(published, dict):
        logger.warning("redirects: %s: not a version %d state file; starting afresh", path, STATE_VERSION)
        return {}
    return {str(url): str(key) for url, key in published.items()}


def save_state(path: Path, published: dict[str, str]) -> None:
    """Write the state atomically: a reader sees the old file or the new one, never half."""
    data = json.dumps({"version": STATE_VERSION, "published": published}, sort_keys=True, indent=0)
    atomic_files.write(path, data + "\n")


def current_urls(articles: list[Any]) -> dict[str, str]:
    """Story key -> URL of its page now; of two files with one story, the first listed."""
    found: dict[str, str] = {}
    for article in articles:
        found.setdefault(item_of(article).key, str(article.url))  # type: ignore[union-attr]
    return found


def story_urls(stories: Any) -> dict[str, str]:
    """:func:`current_urls` of a site as plain values (``topicfeed.items.PlainSite.stories``, in
    the site's order, as ``Build.articles``)."""
    found: dict[str, str] = {}
    for story in stories:
        found.setdefault(story.item.key, str(story.url))
    return found


def file_for(url: str) -> str:
    """The file a site-relative URL is served from (``a/b/`` -> ``a/b/index.html``)."""
    url = url.split("#")[0].split("?")[0].lstrip("/")
    return url + "index.html" if url.endswith("/") or not url else url


def plan(remembered: dict[str, str], now: dict[str, str], pages: set[str]) -> dict[str, str]:
    """Old URL -> new URL for every remembered URL whose story moved and that no page uses, in
    the old URLs' order (only the moves are sorted: a rebuild from the model asks twice, of
    every URL the site published, and usually finds none)."""
    moves = {}
    for url, key in remembered.items():
        target = now.get(key)
        if target is None or target == url or url in pages:
            continue
        moves[url] = target
    return dict(sorted(moves.items()))


def write_redirects(pelican: Any, build: Build) -> None:
    """The FILES step: the redirect pages, into the folder this run writes."""
    settings = pelican.settings
    if not settings["REDIRECTS"]:
        return
    output = Path(pelican.output_path)
    now = current_urls(build.articles)
    remembered = load_state(state_path(settings, build.output))
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    lang = html.escape(str(settings.get("DEFAULT_LANG") or "en"))
    for old, new in plan(remembered, now, set(now.values())).items():
        destination = output / file_for(old)
        if destination.exists() or not destination.resolve().is_relative_to(output.resolve()):
            continue  # another page is there now (a topic, a page); it wins
        destination.parent.mkdir(parents=True, exist_ok=True)
        to = html.escape(f"{siteurl}/{new}", quote=True)
        destination.write_text(PAGE.format(lang=lang, to=to), encoding="utf-8")
        build.redirects[old] = new
    if build.redirects:
        logger.info("redirects: %d moved stories redirected from their old URLs", len(build.redirects))


def _remember(settings: dict[str, Any], output: Path, urls: dict[str, str]) -> None:
    """Add ``urls`` (story key -> URL) to the state (a reused URL takes its new story); a state
    that holds them all already is left as it is (an edit or an unpublished story adds no URL,
    and at 100,000 items the rewrite was 0.08 s of each such rebuild)."""
    path = state_path(settings, output)
    published = load_state(path)
    if urls and all(published.get(url) == key for key, url in urls.items()):
        return
    published.update({url: key for key, url in urls.items()})
    save_state(path, published)


def remember_urls(pelican: Any, build: Build) -> None:
    """The REPORT step: add this build's URLs to the state."""
    if pelican.settings["REDIRECTS"]:
        _remember(pelican.settings, build.output, current_urls(build.articles))


def derive_redirects(settings: dict[str, Any], output: Path, *sites: dict[str, str]) -> list[dict[str, str]]:
    """The ``redirects`` derivation: for each of ``sites`` (story key -> URL), the redirect pages
    (old URL -> new URL) a build of ``output`` would write if its stories were there, from the
    state as it is, read once. A rebuild from the site model writes none, so it asks, for the
    site before and after."""
    if not settings["REDIRECTS"]:
        return [{} for _ in sites]
    remembered = load_state(state_path(settings, output))
    return [plan(remembered, urls, set(urls.values())) for urls in sites]


def remember_planned_urls(pelican: Any, build: Build) -> None:
    """The REPORT step of a run planned from the site model: its URLs join the state."""
    if pelican.settings["REDIRECTS"] and build.planned is not None:
        _remember(pelican.settings, build.output, story_urls(build.planned.site.stories))


def register() -> None:
    register_plugin(
        __package__,
        settings=SETTINGS,
        provides={"redirects"},
        requires={"news-items"},
        steps=[(Phase.FILES, write_redirects), (Phase.REPORT, remember_urls)],
        derives={"redirects": derive_redirects},
        planned_steps=[(Phase.REPORT, remember_planned_urls)],
    )
    signals.all_generators_finalized.connect(collect_articles)
