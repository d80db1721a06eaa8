"""URL cleaning and story keys.

Every URL that comes from an item passes through :func:`clean_url` before it can reach a page,
so an attribute can only ever hold an absolute http(s) URL. :func:`story_key` maps the many
spellings of one story (AMP, Google's AMP cache, ``www.``, tracking parameters, ...) to one key,
so that the same story is recognised wherever it appears.
"""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?/"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEFAULT_PORTS = {"http": "80", "https": "443"}

#: Query parameters that only track the reader; they never tell two stories apart.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "ncid",
        "cmpid",
        "ocid",
        "sr_share",
        "mkt_tok",
        "s_cid",
        "smid",
        "wt.mc_id",
    }
)
TRACKING_PREFIXES = ("utm_", "__twitter", "_hs")


# An absolute http(s) URL that clean_url would return unchanged: lower-case host, a path, and
# only characters that need no escaping. Most URLs are like this; they skip the slow path.
_ALREADY_CLEAN = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?/[A-Za-z0-9/:@!$&'()*+,;=\-._~%?]*"
    r"(?:#[A-Za-z0-9/:@!$&'()*+,;=\-._~%?]*)?"
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_EMPTY_PART = re.compile(r"^[^?#]*\?(?:#|$)|#$")


# Entities the exporter leaves in URLs (`&#038;`): numeric ones and the XML five, with their `;`.
# (html.unescape alone would also turn a query's `&not=1` or `&copy=2` into `¬=1`, `©=2`.)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|amp|quot|apos|lt|gt);")
# An `&` that would read as such an entity is written %26, so cleaning a clean URL changes nothing.
_ENTITY_START = re.compile(r"&(?=(?:#[0-9]+|#[xX][0-9a-fA-F]+|amp|quot|apos|lt|gt);)")


@functools.lru_cache(maxsize=65_536)
def _clean_absolute(text: str) -> str | None:
    # (urlunsplit drops an empty query or fragment: such URLs take the slow path)
    if _ALREADY_CLEAN.fullmatch(text) and not _BAD_ESCAPE.search(text) and not _EMPTY_PART.search(text):
        result: str | None = text
    else:
        result = _clean_slow(text)
    return _ENTITY_START.sub("%26", result) if result and "&" in result else result


def clean_url(value: object, base: str | None = None) -> str | None:
    """Return ``value`` as an absolute http(s) URL safe to put in an attribute, or None.

    Exporter files carry HTML entities (``&#038;``), non-ASCII characters, spaces and
    protocol-relative or site-relative paths; anything that is not http(s) after that
    (``javascript:``, ``data:``, ``ftp:``) is refused rather than repaired.
    """
    if not isinstance(value, str):
        return None
    text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), value).strip()
    if not text or _CONTROL.search(text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif text.startswith("/") and base:
        text = base.rstrip("/") + text
    return _clean_absolute(text)


def _clean_slow(text: str) -> str | None:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not re.fullmatch(r"[a-z0-9.\-]+|\[[0-9a-f:.]+\]", host.lower()):
        return None
    netloc = host.lower()
    if port is not None:
        netloc += f":{port}"
    path = quote(parts.path, safe=_SAFE_PATH) or "/"
    query = quote(parts.query, safe=_SAFE_QUERY)
    fragment = quote(parts.fragment, safe=_SAFE_QUERY)
    return urlunsplit((scheme, netloc, path, query, fragment))


def _unwrap_amp_cache(host: str, path: str) -> tuple[str, str] | None:
    """Turn ``x.cdn.ampproject.org/c/s/host/path`` back into ``host/path``."""
    if not host.endswith(".cdn.ampproject.org"):
        return None
    match = re.match(r"/(?:c|v|i)/(?:s/)?([^/]+)(/.*)?$", path)
    if not match:
        return None
    return match.group(1).lower(), match.group(2) or "/"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


# A clean URL whose key is just its host (without www.) and path: no query, fragment, port,
# escapes or AMP cache host. Most story URLs are like this; they skip the general rules.
_PLAIN_STORY = re.compile(r"https?://(?:www\.)?([a-z0-9.\-]+)(/[A-Za-z0-9/\-._~]*)")


@functools.lru_cache(maxsize=65_536)
def story_key(value: object) -> str | None:
    """Return the key under which every spelling of one story URL is filed, or None.

    Rules (documented in the README): scheme dropped; host lower-cased, a trailing dot, ``www.``
    and default ports removed; Google AMP cache URLs unwrapped to the publisher URL; fragment dropped;
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...) removed and the rest sorted;
    percent-encoding normalised; trailing slash removed.
    """
    url = clean_url(value)
    if url is None:
        return None
    plain = _PLAIN_STORY.fullmatch(url)
    if plain and not plain.group(1).endswith(".cdn.ampproject.org") and not plain.group(1).startswith("www."):
        return plain.group(1) + plain.group(2).rstrip("/")
    return _story_key_slow(url)


def _story_key_slow(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = parts.path
    unwrapped = _unwrap_amp_cache(host, path)
    if unwrapped:
        host, path = unwrapped
        port = None
    else:
        port = parts.port
    host = host.rstrip(".").removeprefix("www.")
    if port is not None and str(port) != _DEFAULT_PORTS.get(parts.scheme):
        host += f":{port}"
    path = quote(unquote(path), safe=_SAFE_PATH.replace("%", "")).rstrip("/")
    params = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    query = urlencode(params)
    return host + path + ("?" + query if query else "")


def host_of(url: str) -> str:
    """The host of an already cleaned URL, without ``www.``, for display."""
    return (urlsplit(url).hostname or "").removeprefix("www.")
