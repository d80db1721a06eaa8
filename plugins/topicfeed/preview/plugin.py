"""The editors' preview: unpublished items built into a folder of their own, never published.

``previewconf.py`` (``make preview``) turns ``PREVIEW`` on; the news reader then makes every item
that is not rejected an article (an unpublished one marked by its item, ``published=False``), and
the theme puts a noindex meta on every page and a banner on unpublished items. This plugin keeps
the preview and the published site apart by construction:

- ``start``: a preview builds only into ``PREVIEW_OUTPUT``, and only into a folder that is empty,
  new or a previous preview (it holds :data:`MARKER`), so it can never overwrite ``output/``. A
  normal build refuses a folder that holds the marker, so a preview never turns into a site by
  half. A preview whose settings would tell search engines about it (``robots.txt`` naming the
  sitemaps, a news sitemap) stops too, and so does one whose output holds any sitemap
  (``refuse_sitemaps``, checked on the files): ``previewconf.py`` turns those off.
- ``files``: the preview writes :data:`MARKER` (``make github``/``make publish`` refuse a folder
  that holds it) and a ``robots.txt`` that disallows everything.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from topicfeed.build import Build
from topicfeed.plugin import Phase, register_plugin

from .settings import SETTINGS

logger = logging.getLogger(__name__)

#: Written at the top of every preview build; the Makefile's publishing targets look for it.
MARKER = ".topicfeed-preview"
MARKER_TEXT = (
    "This folder is a Topicfeed preview build: it holds unpublished items.\n"
    "Never publish it (make github and make publish refuse a folder holding this file).\n"
)
#: The preview's robots.txt: no crawler may read any of it.
ROBOTS_TXT = "User-agent: *\nDisallow: /\n"


class PreviewError(RuntimeError):
    """The build would mix the preview and the published site; the message is one line."""


def _output(settings: dict[str, Any]) -> Path:
    """The folder this build ends up in (not the staging folder ``atomic_output`` may use)."""
    return Path(settings["OUTPUT_PATH"]).resolve()


def _is_preview_output(output: Path, preview_output: str) -> bool:
    """Whether ``output`` is ``PREVIEW_OUTPUT`` (a relative one names the last folders of it)."""
    wanted = Path(preview_output)
    if wanted.is_absolute():
        return output == wanted.resolve()
    parts = Path(*[part for part in wanted.parts if part != "."]).parts
    return bool(parts) and output.parts[-len(parts) :] == parts


def _publishes_crawl_hints(settings: dict[str, Any]) -> list[str]:
    """The settings that would tell search engines about the preview.

    ``ROBOTS_SAVE_AS`` and ``NEWS_SITEMAP_SAVE_AS`` may be undeclared (their plugin is off): then
    they write nothing, hence ``get``. A sitemap written by any other plugin is caught on the
    output itself, by :func:`refuse_sitemaps`, whatever plugin wrote it.
    """
    return [name for name in ("ROBOTS_SAVE_AS", "NEWS_SITEMAP_SAVE_AS") if settings.get(name)]


#: What a preview must not hold, whoever wrote it: sitemaps tell crawlers where pages are.
SITEMAP_GLOBS = ("sitemap*.xml", "sitemap*.txt", "sitemap*.html", "news-sitemap*.xml")


def check_output(settings: dict[str, Any]) -> None:
    """Raise :class:`PreviewError` when this build would write where it must not."""
    output = _output(settings)
    marked = (output / MARKER).exists()
    if not settings["PREVIEW"]:
        if marked:
            raise PreviewError(
                f"output: {output} holds a preview build ({MARKER}); a published build never goes "
                "there: remove the folder or choose another OUTPUTDIR"
            )
        return
    if not _is_preview_output(output, settings["PREVIEW_OUTPUT"]):
        raise PreviewError(
            f"preview: builds only into PREVIEW_OUTPUT ({settings['PREVIEW_OUTPUT']}), not {output}"
        )
    if output.is_dir() and not marked and any(output.iterdir()):
        raise PreviewError(
            f"preview: {output} holds files but no {MARKER}: it is not a preview folder, "
            "and the preview never writes over a site"
        )
    hints = _publishes_crawl_hints(settings)
    if hints:
        raise PreviewError(
            f"preview: {', '.join(hints)} would publish sitemaps or robots.txt for it; "
            "build the preview with previewconf.py (make preview)"
        )


def start(pelican: Any, build: Build) -> None:
    """Refuse a wrong folder before anything is read or written (``atomic_output`` included)."""
    try:
        check_output(pelican.settings)
    except PreviewError as error:
        # SystemExit, not an exception: Pelican would print a traceback for a configuration slip.
        logger.critical("%s", error)
        raise SystemExit(1) from None


def write_files(pelican: Any, build: Build) -> None:
    """The marker and robots.txt, beside the pages (before ``atomic_output`` swaps them in)."""
    if not pelican.settings["PREVIEW"]:
        return
    # pelican.output_path is where this run's pages are: atomic_output's staging folder.
    target = Path(pelican.output_path)
    (target / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    (target / "robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")


def refuse_sitemaps(pelican: Any, build: Build) -> None:
    """A preview with a sitemap stops before it replaces the previous preview (phase REPORT,
    after every file is written; COMMIT never runs)."""
    if not pelican.settings["PREVIEW"]:
        return
    target = Path(pelican.output_path)
    found = sorted(path.name for pattern in SITEMAP_GLOBS for path in target.glob(pattern))
    if found:
        logger.critical(
            "preview: the build wrote %s; a preview has no sitemap: build it with previewconf.py "
            "(make preview), which turns the sitemaps off",
            ", ".join(found),
        )
        raise SystemExit(1)


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        steps=[(Phase.START, start), (Phase.FILES, write_files), (Phase.REPORT, refuse_sitemaps)],
    )
