"""schema.org ``NewsArticle`` JSON-LD for an article page, safe inside a ``<script>`` element.

The data block is built here, in Python, never by a template: every value from an item is a
JSON string, and the serialised text has ``<``, ``>`` and ``&`` written as ``\\u003c``,
``\\u003e`` and ``\\u0026``. So no headline can close the element (``</script>``) or open a
comment, whatever it holds, and the JSON still parses to exactly the item's text.
``<script type="application/ld+json">`` is data, never run, so the CSP allows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from topicfeed.model import NewsItem

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(data: Any) -> Markup:
    """``data`` as JSON text that can sit between ``<script>`` tags as it is."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # U+2028/2029 are valid in JSON but not in older script parsers: escape them too.
    text = text.translate(_ESCAPES).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - every markup character was escaped just above


def _organisation(item: NewsItem) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": item.provider.name}
    if item.provider.domain:
        org["url"] = f"https://{item.provider.domain}/"
    if item.provider.logo:
        org["logo"] = {"@type": "ImageObject", "url": item.provider.logo.url}
    return org


def news_article(item: NewsItem, page_url: str, site_name: str, site_url: str) -> dict[str, Any]:
    """The ``NewsArticle`` describing ``item`` on our page at ``page_url`` (absolute if we can).

    The story belongs to its provider (author and publisher); our page is where it is
    described (``url``, ``mainEntityOfPage``), part of our site, and based on the original.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "url": page_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page_url},
        "datePublished": item.published_at.isoformat(),
        "author": _organisation(item),
        "publisher": _organisation(item),
        "isBasedOn": item.url,
    }
    if item.excerpt:
        data["description"] = item.excerpt
    if item.images:
        data["image"] = [image.url for image in item.images]
    if item.topics:
        data["articleSection"] = item.topics[0]
        data["keywords"] = list(item.topics)
    if item.embed:
        video: dict[str, Any] = {
            "@type": "VideoObject",
            "name": item.title,
            "description": item.excerpt or item.title,
            "embedUrl": item.embed.src,
            "uploadDate": item.published_at.isoformat(),
        }
        if item.image:
            video["thumbnailUrl"] = [item.image.url]
        data["video"] = video
    data["isPartOf"] = {"@type": "WebSite", "name": site_name, "url": site_url + "/"}
    return data


@dataclass(frozen=True, slots=True)
class JsonLd:
    """An article's ``NewsArticle`` block, serialised only when a page shows it.

    Building it costs ~0.15 ms an item: done here, at render time, it runs in the render
    workers and only for pages that are rendered, not for every item before writing starts.
    Jinja's autoescape takes ``__html__`` as it is (its text is escaped by ``script_json``).
    """

    item: NewsItem
    page_url: str
    site_name: str
    site_url: str

    def __html__(self) -> str:
        return script_json(news_article(self.item, self.page_url, self.site_name, self.site_url))

    def __str__(self) -> str:
        return self.__html__()
