"""Video embeds: untrusted ``featuredContent`` HTML reduced to a known-safe iframe.

The exporter's HTML is never written out as is. It goes through nh3 (the Ammonia sanitiser)
with only ``<iframe src width height>`` allowed, then the ``src`` must be https on an
allow-listed video host; the theme renders its own iframe from the three values kept.
YouTube embeds are moved to youtube-nocookie.com, YouTube's privacy-enhanced mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

import nh3

#: The video hosts allowed by default (``NEWS_EMBED_HOSTS``); the CSP ``frame-src`` follows them.
DEFAULT_EMBED_HOSTS = (
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "youtube-nocookie.com",
    "player.vimeo.com",
)
_NOCOOKIE = {"www.youtube.com", "youtube.com", "youtube-nocookie.com"}
_NOCOOKIE_HOST = "www.youtube-nocookie.com"


@dataclass(frozen=True, slots=True)
class Embed:
    src: str
    width: int | None
    height: int | None


class _IframeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.frames.append(dict(attrs))


def _dimension(value: str | None) -> int | None:
    if value and value.isdigit() and 0 < int(value) <= 10_000:
        return int(value)
    return None


def sanitize_embed(html_text: str, allowed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS) -> Embed | None:
    """Return the first iframe of ``html_text`` on an allowed host, or None if there is none."""
    cleaned = nh3.clean(
        html_text,
        tags={"iframe"},
        attributes={"iframe": {"src", "width", "height"}},
        url_schemes={"https"},
        clean_content_tags={"script", "style", "object", "embed"},
        link_rel=None,
    )
    finder = _IframeFinder()
    finder.feed(cleaned)
    for attrs in finder.frames:
        src = attrs.get("src") or ""
        parts = urlsplit(src)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or host not in allowed_hosts or parts.username or parts.port:
            continue
        if host in _NOCOOKIE:
            parts = parts._replace(netloc=_NOCOOKIE_HOST)
        return Embed(
            src=urlunsplit(parts._replace(fragment="")),
            width=_dimension(attrs.get("width")),
            height=_dimension(attrs.get("height")),
        )
    return None


def frame_hosts(allowed_hosts: Iterable[str]) -> tuple[str, ...]:
    """The hosts a kept embed's iframe can point at, given the allowed hosts (in their order).

    Every YouTube spelling ends up on ``www.youtube-nocookie.com``, so that one host stands for
    them all: this is what the Content-Security-Policy's ``frame-src`` must allow.
    """
    hosts = (_NOCOOKIE_HOST if host.lower() in _NOCOOKIE else host.lower() for host in allowed_hosts)
    return tuple(dict.fromkeys(hosts))
