"""The theme's settings: what the home page shows, and the Content-Security-Policy of every page.

``CSP_DIRECTIVES`` is derived: its ``frame-src`` allows exactly the hosts a kept video embed can
point at, computed from ``NEWS_EMBED_HOSTS`` (:func:`topicfeed.embed.frame_hosts`), so the list
of video hosts is written in one place. A site that sets ``CSP_DIRECTIVES`` itself sets the
whole policy, ``frame-src`` included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topicfeed import site
from topicfeed.embed import frame_hosts
from topicfeed.settings import Setting, is_int, is_str_list

#: Every directive of the default policy but ``frame-src``, in the order the meta tag lists them.
STRICT_POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' https: http: data:"),
    ("frame-src", ""),  # derived from NEWS_EMBED_HOSTS
    ("connect-src", "'self'"),
    ("font-src", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
)


def frame_src(embed_hosts: Any) -> str:
    """The ``frame-src`` that lets the kept video embeds play, and nothing else."""
    hosts = frame_hosts(embed_hosts)
    return " ".join(f"https://{host}" for host in hosts) if hosts else "'none'"


def csp_directives(settings: Mapping[str, Any]) -> dict[str, str]:
    """The default policy, with ``frame-src`` from the video hosts.

    Without the news reader in ``PLUGINS`` nothing declares ``NEWS_EMBED_HOSTS``: there are no
    video embeds then, and no frame is allowed.
    """
    embed_hosts = settings["NEWS_EMBED_HOSTS"] if "NEWS_EMBED_HOSTS" in settings else ()
    frames = frame_src(embed_hosts)
    return {name: frames if name == "frame-src" else value for name, value in STRICT_POLICY}


def _is_directives(value: Any) -> str | None:
    ok = isinstance(value, Mapping) and all(
        isinstance(name, str) and isinstance(sources, str) for name, sources in value.items()
    )
    return None if ok else "a mapping of directive names to source lists (strings)"


SETTINGS: tuple[Setting, ...] = (
    *site.SETTINGS,
    Setting(
        "THEME_POPULAR_TOPICS",
        12,
        "Topics with the most stories in the home page's side column.",
        is_int(minimum=0),
    ),
    Setting(
        "CSP_DIRECTIVES",
        None,
        "The Content-Security-Policy of every page; frame-src follows NEWS_EMBED_HOSTS by default.",
        _is_directives,
        derive=csp_directives,
    ),
    Setting(
        "CSP_SCRIPT_HASHES",
        [],
        "Hashes ('sha256-...') of inline scripts a theme adds, allowed in script-src.",
        is_str_list,
    ),
)
