"""Writes the two files GitHub Pages reads from a published site, after every other page.

- ``.nojekyll`` (``GITHUB_PAGES_NOJEKYLL``, on in ``publishconf.py``): a site pushed to a
  ``gh-pages`` branch is otherwise run through Jekyll, which drops files and folders whose
  names start with ``_`` or ``.`` and slows every deploy down.
- ``CNAME`` (``GITHUB_PAGES_CNAME``, a bare host name such as ``news.example.org``): the custom
  domain of a branch-deployed site. A value that is not a host name is an error, not a file
  that would silently break the domain.

Both are written in the ``files`` step, once the pages are written, into ``build.target``
(where this run writes: a staging folder when the output is swapped in at the end).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from topicfeed.build import Build
from topicfeed.plugin import Phase, register_plugin

from .settings import SETTINGS

logger = logging.getLogger(__name__)

_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def cname_host(value: object) -> str | None:
    """The host name for ``CNAME``, or None when ``value`` is not one (``https://...``, a path)."""
    host = str(value or "").strip().lower().rstrip(".")
    return host if _HOST.match(host) else None


def write_files(pelican: Any, build: Build) -> None:
    settings = pelican.settings
    output = build.target
    if settings["GITHUB_PAGES_NOJEKYLL"]:
        (output / ".nojekyll").write_bytes(b"")
    configured = settings["GITHUB_PAGES_CNAME"]
    if not configured:
        return
    host = cname_host(configured)
    if host is None:
        logger.error(
            "GITHUB_PAGES_CNAME: %r is not a host name (write it as news.example.org); no CNAME written",
            configured,
        )
        return
    (output / "CNAME").write_text(host + "\n", encoding="ascii")
    site_host = (urlsplit(str(settings.get("SITEURL") or "")).hostname or "").lower()
    if site_host != host:
        logger.warning(
            "GITHUB_PAGES_CNAME: the site is served at %s but SITEURL is %r; links will point there",
            host,
            settings.get("SITEURL"),
        )


def register() -> None:
    register_plugin(__package__ or __name__, settings=SETTINGS, steps=[(Phase.FILES, write_files)])
