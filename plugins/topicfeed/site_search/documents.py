"""What the search index reads for each story: a small HTML document made from the article.

Pagefind used to read the written article pages, so it could start only once every page was on
disk, and the build then waited for it (a third of a one-item rebuild at 10,000 items). A story's
search document holds only what the index needs, so it exists as soon as the articles are final
(phase ``LAUNCHED``) and indexing runs beside the page writer. It is still HTML, because that is
what gives Pagefind's ranking its weights (a word of the title counts more than one of the
excerpt) and carries the filters, the sort key and the fields shown beside a result:

- the words: the first topic (with "Video" for a video), the title as the one ``<h1>``, the
  excerpt, the publisher's name and every topic;
- filters ``topic`` (each topic), ``source``, ``year`` and ``kind`` (Article or Video); sort key
  ``published`` (seconds since 1970); meta ``source``, ``date`` (``DEFAULT_DATE_FORMAT``),
  ``datetime`` (ISO 8601) and ``summary`` (the excerpt, cut at about 240 characters).

The source name is the source page's (the name its publisher uses most, set on the article by
``source_pages``), so a link from a source page (``search/?source=...``) matches every story on
it; without source pages, the item's own provider name. An article that is not a news item (a
page of Pelican Markdown) is indexed by its title and content.

The document is also what a bundle's key is made of (``indexer.shard_key``): a bundle is indexed
again exactly when one of its documents changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from topicfeed.dates import strftime
from topicfeed.items import item_of

from .shards import SearchPage

#: Where the summary shown under a result is cut (as Jinja's ``truncate(240)`` did in the theme).
SUMMARY_LENGTH = 240
#: A text at most this much longer than ``SUMMARY_LENGTH`` is kept whole.
SUMMARY_LEEWAY = 5


def summary(text: str) -> str:
    """``text`` cut at a word before ``SUMMARY_LENGTH`` characters, with "..." (Jinja's rule)."""
    if len(text) <= SUMMARY_LENGTH + SUMMARY_LEEWAY:
        return text
    cut = text[: SUMMARY_LENGTH - 3].rsplit(" ", 1)[0]
    return cut + "..."


def search_document(article: Any, date_format: str, lang: str) -> str:
    """The HTML Pagefind indexes for ``article`` (see the module docstring)."""
    title = escape(str(article.title))
    item = item_of(article)
    if item is None:
        return _page(lang, title, f"<h1>{title}</h1>\n{article.content}")
    tags = [str(tag.name) for tag in getattr(article, "tags", None) or ()]
    source = getattr(article, "source", None)
    source_name = source.name if source is not None else item.provider.name
    kicker = escape(tags[0]) if tags else ""
    if item.is_video:
        kicker = f"{kicker} · Video" if kicker else "Video"
    words = [f"<p>{kicker}</p>" if kicker else "", f"<h1>{title}</h1>"]
    if item.excerpt:
        words.append(f"<p>{escape(item.excerpt)}</p>")
    words.append(f"<p>{escape(item.provider.name)}</p>")
    if tags:
        words.append("<ul>" + "".join(f"<li>{escape(tag)}</li>" for tag in tags) + "</ul>")
    fields = [f'<span data-pagefind-filter="topic:{escape(tag)}"></span>' for tag in tags]
    fields += [
        f'<span data-pagefind-filter="source:{escape(source_name)}"></span>',
        f'<span data-pagefind-filter="year:{article.date.year}"></span>',
        f'<span data-pagefind-filter="kind:{"Video" if item.is_video else "Article"}"></span>',
        f'<span data-pagefind-sort="published:{int(item.published_at.timestamp())}"></span>',
        f'<span data-pagefind-meta="source:{escape(source_name)}"></span>',
        f'<span data-pagefind-meta="date:{escape(strftime(article.date, date_format))}"></span>',
        f'<span data-pagefind-meta="datetime:{item.published_at.isoformat()}"></span>',
    ]
    if item.excerpt:
        fields.append(f'<span data-pagefind-meta="summary:{escape(summary(item.excerpt))}"></span>')
    return _page(lang, title, "\n".join([*filter(None, words), *fields]))


def _page(lang: str, title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body><main data-pagefind-body>\n{body}\n</main></body>\n</html>\n"
    )


def search_pages(articles: Sequence[Any], settings: Mapping[str, Any]) -> list[SearchPage]:
    """Each article's page and search document."""
    date_format, lang = settings["DEFAULT_DATE_FORMAT"], settings["DEFAULT_LANG"]
    return [
        SearchPage(f"{a.date:%Y-%m}", a.url, a.save_as, search_document(a, date_format, lang))
        for a in articles
    ]
