"""Time the theme's story cards and related blocks alone: Jinja, no Pelican, no writing.

A list page prints 20 story cards and an article page up to three blocks of related stories; a
rebuild after one new item renders every page of the home page's pagination again (4,212 at
100,000 items), so what one card costs is much of what that rebuild costs. This renders a page
of 20 cards (``story``, or ``story_row`` in a theme from before it) and an article's related
blocks (``_related.html``) with the theme's own templates, the project's Jinja options (read
from ``pelicanconf.JINJA_ENVIRONMENT``) and made-up stories of every shape (with and without a
picture, a source page, an excerpt; videos, unpublished ones, outside links).

Prints the best of ``--repeat`` runs in microseconds a page. ``--theme DIR`` times another
theme's templates (e.g. an older checkout's ``theme/templates``), for a comparison in one run.

Usage, from the repository root: ``python -m bench.template_cards`` (``--theme DIR``,
``--repeat 5``, ``--pages 300``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import DictLoader, Environment, Template

import pelicanconf

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "theme" / "templates"


def _strftime(date: dt.datetime, date_format: str) -> str:
    return date.strftime(date_format)


def _story(i: int) -> SimpleNamespace:
    when = dt.datetime(2024, 1, 1 + i % 28, 9, i % 60, tzinfo=dt.UTC)
    picture = SimpleNamespace(url=f"https://img.example/{i}.jpg", width=640 if i % 3 else None, height=480)
    item = SimpleNamespace(
        excerpt=f"What happened in story {i}, & why it matters" if i % 4 else "",
        published=bool(i % 7),
        is_video=i % 6 == 0,
        provider=SimpleNamespace(name=f"Publisher {i % 5}"),
        published_at=when,
        image=picture if i % 2 else None,
    )
    return SimpleNamespace(
        news=item if i % 11 else None,
        url=f"2024/01/{1 + i % 28:02d}/story-{i}/",
        title=f"Story <{i}> of the day",
        source=SimpleNamespace(url=f"sources/publisher-{i % 5}/") if i % 3 else None,
        date=when,
        locale_date=when.strftime("%d %B %Y"),
    )


def _link(i: int) -> SimpleNamespace:
    picture = SimpleNamespace(url=f"https://img.example/l{i}.jpg", width=640 if i % 4 else None, height=480)
    internal = i % 3 != 0
    return SimpleNamespace(
        internal=internal,
        computed=i % 2 == 0,
        image=picture if i % 5 else None,
        url=f"2024/01/02/story-{i}/" if internal else f"https://news.example/{i}?a=1&b=2",
        title=f"Related <{i}> & more",
        provider=f"Publisher {i}",
        date=dt.datetime(2024, 1, 1 + i % 28, tzinfo=dt.UTC),
    )


def pages(templates: Path) -> dict[str, tuple[Template, dict[str, Any]]]:
    """The two pages to time, each a template and its context, from ``templates``."""
    macros = (templates / "_macros.html").read_text(encoding="utf-8")
    card = "story(article, 4)" if "macro story(" in macros else "story_row(article, 4)"
    name = card.partition("(")[0]
    river = (
        f'{{% from "_macros.html" import {name} with context %}}\n<div class="river">\n'
        f"  {{% for article in articles %}}\n  {{{{ {card} }}}}\n  {{% endfor %}}\n</div>\n"
    )
    loader = DictLoader(
        {
            "_macros.html": macros,
            "_related.html": (templates / "_related.html").read_text(encoding="utf-8"),
            "river.html": river,
            "related.html": '<main>\n{% include "_related.html" %}\n</main>\n',
        }
    )
    env = Environment(loader=loader, **pelicanconf.JINJA_ENVIRONMENT)  # noqa: S701 (it sets autoescape)
    env.filters["strftime"] = _strftime
    article = SimpleNamespace(
        related_links=[_link(i) for i in range(8)],
        backlinks=[_link(i) for i in range(8, 11)],
        more_coverage=[_link(i) for i in range(11, 15)],
        more_coverage_total=7,
        cluster_size=8,
    )
    base = {"SITEURL": "https://example.org", "DEFAULT_DATE_FORMAT": "%d %B %Y"}
    return {
        "a list page of 20 cards": (
            env.get_template("river.html"),
            {**base, "articles": [_story(i) for i in range(20)]},
        ),
        "an article's related blocks (15 stories)": (
            env.get_template("related.html"),
            {**base, "article": article},
        ),
    }


def best(template: Template, context: dict[str, Any], count: int, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``count`` renders, in microseconds a render."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(count):
            template.render(context)
        times.append((time.process_time() - started) / count * 1e6)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theme", type=Path, action="append", help="templates folder (repeatable)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=300, help="renders per run")
    args = parser.parse_args()
    themes = {theme: pages(theme) for theme in args.theme or [TEMPLATES]}
    for label in next(iter(themes.values())):
        for theme, timed in themes.items():
            template, context = timed[label]
            micros = best(template, context, args.pages, args.repeat)
            print(f"{label}: {micros:,.0f} us a page (CPU, best of {args.repeat}; {theme})")


if __name__ == "__main__":
    main()
