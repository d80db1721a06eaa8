"""The benchmark's Hugo site: the generated stories as a minimal Hugo site, the third system.

Hugo is the yardstick issue 12 names (a Go static site generator, Debian's ``hugo`` package,
installed by ``tools/install-bench-deps.sh``). The site is as close as Hugo allows to the plain
Pelican baseline (``bench/baseline_conf.py``), so that the three builds do comparable work:

- content: one Markdown page per *published* story in ``content/posts/`` (an unpublished story
  is rendered nowhere, as in Topicfeed and the baseline), its front matter converted from the
  same story: title, UTC date, slug, the topics as ``tags``, the source as ``categories``, the
  excerpt as ``description`` and as the body;
- taxonomies ``tags``, ``categories`` and ``authors`` (declared; the exporter's stories name no
  author, so there are no author terms, as the other two build no author pages);
- the same article URLs as the other two (``/YYYY/MM/DD/slug/``), pagination 20 on the home
  page and on every term page, RSS for the home page, the posts section and every taxonomy and
  term with at most 100 entries each (Pelican's ``FEED_MAX_ITEMS``), Hugo's own sitemap;
- one minimal template per page kind: ``index.html`` (home, paginated), ``_default/list.html``
  (the posts section: every title, like Pelican's archives), ``_default/single.html``,
  ``_default/taxonomy.html`` (the list of terms) and ``_default/term.html`` (paginated).

Only the content differs between sizes; config and layouts are constant text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

#: Where the stories go inside the site folder.
CONTENT = Path("content") / "posts"

CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Baseline"
paginate = 20
disableKinds = ["404"]
# The generated stories run into the future (to 2032 at 100,000 items); Topicfeed and Pelican
# publish them, so Hugo must too (by default it leaves out posts dated after today).
buildFuture = true

[taxonomies]
  tag = "tags"
  category = "categories"
  author = "authors"

[permalinks]
  posts = "/:year/:month/:day/:slug/"

[services.rss]
  limit = 100

[markup.goldmark.renderer]
  unsafe = false
"""

_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" -}}
<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">
{{- end }}
</head><body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
"""
_PAGER = """<nav>{{ with .Paginator.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
Page {{ .Paginator.PageNumber }} of {{ .Paginator.TotalPages }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
"""
_ENTRIES = """<ul>{{ range $paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time>
<p>{{ .Description }}</p></li>
{{ end }}</ul>
"""
_FOOT = "</main></body></html>\n"

LAYOUTS: dict[str, str] = {
    "index.html": _HEAD
    + """<main><h1>{{ .Site.Title }}</h1>
{{ $paginator := .Paginate (where .Site.RegularPages "Section" "posts") }}
"""
    + _ENTRIES
    + _PAGER
    + _FOOT,
    "_default/list.html": _HEAD
    + """<main><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
"""
    + _FOOT,
    "_default/single.html": _HEAD
    + """<main><article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02 15:04" }}</time>
{{ range .GetTerms "categories" -}}
<p>Source: <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>
{{- end }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>
"""
    + _FOOT,
    "_default/taxonomy.html": _HEAD
    + """<main><h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}</ul>
"""
    + _FOOT,
    "_default/term.html": _HEAD
    + """<main><h1>{{ .Title }}</h1>
{{ $paginator := .Paginate .Pages }}
"""
    + _ENTRIES
    + _PAGER
    + _FOOT,
}


def write_skeleton(site: Path) -> None:
    """The constant part of the site: ``config.toml`` and the layouts; ``content/posts/`` empty.

    ``static/`` is empty, but Hugo's ``--cleanDestinationDir`` (the "one item unpublished" build)
    removes nothing from the output of a site that has no static folder.
    """
    (site / CONTENT).mkdir(parents=True, exist_ok=True)
    (site / "static").mkdir(exist_ok=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def page_text(
    title: str, published_at: dt.datetime, slug: str, tags: Sequence[str], source: str, excerpt: str
) -> str:
    """One story as a Hugo content file: YAML front matter (JSON-quoted strings), then the body.

    The body is the excerpt, as in the baseline's Markdown; the runner's "one item changed"
    build edits both the ``description`` and the body.
    """
    utc = published_at.astimezone(dt.UTC)
    lines = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {utc:%Y-%m-%dT%H:%M:%SZ}",
        f"slug: {json.dumps(slug)}",
        f"tags: {json.dumps(list(tags), ensure_ascii=False)}",
        f"categories: {json.dumps([source], ensure_ascii=False)}",
        f"description: {json.dumps(excerpt, ensure_ascii=False)}",
        "---",
        "",
        excerpt,
        "",
    ]
    return "\n".join(lines)


def edit_page(text: str, mark: str) -> str:
    """``text`` with ``mark`` put before its description and its body (the "one item changed" edit)."""
    return text.replace('description: "', f'description: "{mark}', 1).replace(
        "\n---\n\n", f"\n---\n\n{mark}", 1
    )


def unpublish_page(text: str) -> str:
    """``text`` as a draft (the "one item unpublished" edit): ``CONFIG`` builds no drafts."""
    return text.replace("\n---\n\n", "\ndraft: true\n---\n\n", 1)


def hugo_command(site: Path, output: Path, cache: Path, clean: bool = False) -> list[str]:
    """Build ``site`` into ``output``; Hugo's file cache in ``cache`` (removed for a cold build).

    Hugo writes over an existing output and leaves the pages of removed stories there; with
    ``clean`` it removes every file it did not write (``--cleanDestinationDir``).
    """
    command = [
        "hugo",
        "--source",
        str(site),
        "--destination",
        str(output),
        "--cacheDir",
        str(cache),
        "--noBuildLock",
    ]
    return [*command, "--cleanDestinationDir"] if clean else command
