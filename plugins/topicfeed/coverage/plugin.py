"""Hands the coverage charts and trending topics to the templates (``article_generator_finalized``).

Once Pelican has the published articles grouped by tag, this step counts them per topic and per
source (grouped by the provider's domain slug, as the source pages and feeds are) and puts plain
display data in ``generator.context``; the templates only show it:

- ``coverage_topics`` / ``coverage_sources``: slug -> :class:`Chart` (the topic or source page's
  bar chart, from its first item to the site's newest item, per week or per month);
- ``coverage_sparklines``: topic slug -> sparkline SVG over the whole site's span (topics list);
- ``trending_topics``: tuple of :class:`Trend` for the home page, and ``trending_window``, the
  dates the recent window covers.

Everything is counted from the articles' dates in the site's timezone and ends at the newest
item, never at "today", so the same content always gives the same pages.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from pelican import signals

from topicfeed.items import PlainSite, item_of, topic_tags
from topicfeed.plugin import register_plugin
from topicfeed.site import site_timezone
from topicfeed.text import source_slug
from topicfeed.trending import recent_window, trending

from .counts import Series, count_series, unit_for, window_counts
from .settings import SETTINGS
from .svg import bar_chart, sparkline, stories


class Chart:
    """A page's coverage chart: the counts (for the table) and the drawn SVG, each worked out
    the first time a page shows it. A site has a chart per topic and per source (3,000 at
    100,000 items), and a rebuild from the site model renders the pages of a few: counting and
    drawing them all took it 1.5 s there."""

    __slots__ = ("_count", "_element_id", "_series", "_svg", "title")

    def __init__(self, title: str, count: Callable[[], Series], element_id: str) -> None:
        self.title = title
        self._count = count
        self._element_id = element_id
        self._series: Series | None = None
        self._svg: Markup | None = None

    @property
    def series(self) -> Series:
        if self._series is None:
            self._series = self._count()
        return self._series

    @property
    def svg(self) -> Markup:
        if self._svg is None:
            self._svg = bar_chart(self.series, self.title, self._element_id)
        return self._svg

    def __fingerprint__(self) -> tuple[str, Series, str]:
        """What a page can show of it (the incremental writer's page keys)."""
        return self.title, self.series, str(self.svg)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Chart) and self.__fingerprint__() == other.__fingerprint__()

    def __hash__(self) -> int:
        return hash((self.title, self._element_id))

    def __repr__(self) -> str:
        return f"Chart({self.title!r}, {self.series!r})"


@dataclass(frozen=True, slots=True)
class Trend:
    """A trending topic as the home page shows it."""

    name: str
    url: str
    recent: int
    baseline: int
    recent_percent: int
    baseline_percent: int
    sparkline: Markup


@dataclass(frozen=True, slots=True)
class Window:
    """The recent window of the trending topics: first and last day (inclusive)."""

    first: dt.date
    last: dt.date
    days: int


def _day(article: Any) -> dt.date:
    return article.date.date()


def charts(
    groups: Mapping[str, tuple[str, Iterable[dt.date]]], newest: dt.date, weekly_max_days: int, kind: str
) -> dict[str, Chart]:
    """slug -> chart, for groups given as slug -> (name, dates)."""
    result = {}
    for slug, (name, dates) in groups.items():
        dates = list(dates)
        first = min(dates, default=newest)
        unit = unit_for(first, newest, weekly_max_days)
        title = f"Stories {kind} {name} per {unit}"
        count = functools.partial(count_series, dates, newest, unit, first)
        result[slug] = Chart(title, count, f"coverage-{slug}")
    return result


#: What a sparkline is drawn from: its counts (oldest first) and its label.
LineInputs = tuple[tuple[int, ...], str]


def sparklines(
    groups: Mapping[str, tuple[str, Iterable[dt.date]]],
    first: dt.date,
    newest: dt.date,
    unit: str,
    line: Callable[[tuple[int, ...], str], Any] = sparkline,
) -> dict[str, Any]:
    """slug -> sparkline over the same span and unit for every group, so they compare; ``line``
    draws one from its counts and label (the site model records those instead)."""
    result = {}
    for slug, (name, dates) in groups.items():
        series = count_series(dates, newest, unit, first)
        counts = series.counts
        label = f"{name}: {stories(series.total)} per {unit} from {series.first.label} to {series.last.label}"
        result[slug] = line(counts, label)
    return result


def draw(
    topics: Mapping[str, tuple[str, list[dt.date]]],
    sources: Mapping[str, tuple[str, list[dt.date]]],
    days: list[dt.date],
    weekly_max: int,
    line: Callable[[tuple[int, ...], str], Any] = sparkline,
) -> tuple[dict[str, Chart], dict[str, Chart], dict[str, Any]]:
    """The topics' charts, the sources' charts and the topics' sparklines (each drawn by
    ``line``), for groups given as slug -> (name, dates) and every story's day."""
    newest, oldest = max(days), min(days)
    return (
        charts(topics, newest, weekly_max, "on"),
        charts(sources, newest, weekly_max, "from"),
        sparklines(topics, oldest, newest, unit_for(oldest, newest, weekly_max), line),
    )


def derive_coverage(
    stories: Sequence[tuple[float, Sequence[str], str, str]],
    topic_names: Mapping[str, str],
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """Every chart and sparkline a build of these stories draws, by what it is drawn from (a
    chart's :data:`ChartInputs`, a sparkline's counts and label), keyed ``chart:topic:<slug>``,
    ``chart:source:<slug>`` and ``sparkline:<slug>``: the derivation of ``coverage`` for the site
    model. The drawing is a function of those and of the slug (the chart's id), so equal values
    are equal drawings. Drawing them all here took 1.1 s of the products' 11 s at 100,000 items,
    for the few a rebuild shows, and each series' full text (every bucket's date, label and
    tick) was a fifth of the model (23.6 of 109 MB). ``stories``: each published story's date (a
    POSIX timestamp), topic slugs, source slug and provider name, in the site's order;
    ``topic_names``: the name each topic's page shows."""
    if not stories:
        return {}
    zone = site_timezone(settings)
    days = [dt.datetime.fromtimestamp(date, zone).date() for date, *_ in stories]
    topics: dict[str, tuple[str, list[dt.date]]] = {}
    source_days: dict[str, list[dt.date]] = {}
    source_names: dict[str, Counter[str]] = {}
    for day, (_, slugs, source, provider) in zip(days, stories, strict=True):
        for slug in slugs:
            topics.setdefault(slug, (topic_names[slug], []))[1].append(day)
        source_days.setdefault(source, []).append(day)
        source_names.setdefault(source, Counter())[provider] += 1
    sources = {slug: (_most_used(source_names[slug]), found) for slug, found in source_days.items()}
    weekly_max = settings["COVERAGE_WEEKLY_MAX_DAYS"]
    topic_charts, source_charts, lines = draw(
        dict(sorted(topics.items())), sources, days, weekly_max, line=_line_inputs
    )
    found: dict[str, Any] = {f"chart:topic:{slug}": _inputs(chart) for slug, chart in topic_charts.items()}
    found.update({f"chart:source:{slug}": _inputs(chart) for slug, chart in source_charts.items()})
    found.update({f"sparkline:{slug}": inputs for slug, inputs in lines.items()})
    return found


#: What a chart is drawn from, besides its id (from its slug): its title, its unit, the start
#: of its first and last buckets (ISO dates) and its counts (:func:`.counts.series_of`).
ChartInputs = tuple[str, str, str, str, tuple[int, ...]]


def _inputs(chart: Chart) -> ChartInputs:
    series = chart.series
    starts = series.starts
    return chart.title, series.unit, starts[0].isoformat(), starts[-1].isoformat(), series.counts


def _line_inputs(counts: tuple[int, ...], label: str) -> LineInputs:
    return counts, label


def _most_used(names: Counter[str]) -> str:
    """The name a source's page shows: the one its stories use most (ties: alphabetical)."""
    return min(names, key=lambda name: (-names[name], name))


def attach(generator: Any) -> None:
    generator.context.update(coverage_values(generator.articles, generator.tags, generator.settings))


def coverage_values(
    all_articles: Sequence[Any], tags: Mapping[Any, Sequence[Any]], settings: Mapping[str, Any]
) -> dict[str, Any]:
    """What the templates get: the charts, the sparklines and the trending topics, from the
    published articles and Pelican's grouping of them by tag."""
    articles = [a for a in all_articles if item_of(a) is not None]
    days = [_day(a) for a in articles]
    topics: dict[str, tuple[str, list[dt.date]]] = {}
    urls: dict[str, str] = {}
    for tag, tagged in sorted(dict(tags).items(), key=lambda pair: pair[0].slug):
        dates = [_day(a) for a in tagged if item_of(a) is not None]
        if dates:
            topics[tag.slug] = (tag.name, dates)
            urls[tag.slug] = tag.url
    providers = [item_of(article).provider for article in articles]  # type: ignore[union-attr]
    return _values(days, topics, urls, providers, settings)


def _values(
    days: Sequence[dt.date],
    topics: Mapping[str, tuple[str, list[dt.date]]],
    urls: Mapping[str, str],
    providers: Sequence[Any],
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """:func:`coverage_values` from plain values: each published story's day and provider (in
    the site's order), and each topic's name and days (by slug, in slug order) and page URL."""
    if not days:
        return dict(
            coverage_topics={},
            coverage_sources={},
            coverage_sparklines={},
            trending_topics=(),
            trending_window=None,
        )
    newest = max(days)
    weekly_max = settings["COVERAGE_WEEKLY_MAX_DAYS"]
    source_days: dict[str, list[dt.date]] = {}
    source_names: dict[str, Counter[str]] = {}
    for day, provider in zip(days, providers, strict=True):
        slug = source_slug(provider.domain)
        source_days.setdefault(slug, []).append(day)
        source_names.setdefault(slug, Counter())[provider.name] += 1
    sources = {slug: (_most_used(source_names[slug]), found) for slug, found in source_days.items()}
    values: dict[str, Any] = {}
    values["coverage_topics"], values["coverage_sources"], values["coverage_sparklines"] = draw(
        topics, sources, days, weekly_max
    )
    recent, baseline = settings["TRENDING_RECENT_DAYS"], settings["TRENDING_BASELINE_DAYS"]
    windows = 1 + -(-baseline // recent)
    shown = trending(
        {slug: dates for slug, (_, dates) in topics.items()},
        days,
        newest,
        recent,
        baseline,
        settings["TRENDING_TOPICS"],
        settings["TRENDING_MIN_ITEMS"],
    )
    trends = []
    for share in shown:
        name, dates = topics[share.key]
        counts = window_counts(dates, newest, recent, windows)
        label = f"{name}: stories per {recent} days, oldest first: {', '.join(map(str, counts))}"
        trends.append(
            Trend(
                name=name,
                url=urls[share.key],
                recent=share.recent,
                baseline=share.baseline,
                recent_percent=share.recent_percent,
                baseline_percent=share.baseline_percent,
                sparkline=sparkline(counts, label),
            )
        )
    values["trending_topics"] = tuple(trends)
    values["trending_window"] = Window(*recent_window(newest, recent), recent)
    return values


def page_values(site: PlainSite, articles: Any) -> Mapping[str, Any]:
    """:func:`coverage_values` of the site's stories, from their plain values: each topic named
    and placed as Pelican's grouping by tag names it (the first story's spelling), without
    making an article of every story (about 1.8 s of a one-item rebuild at 100,000 items)."""
    zone = site_timezone(site.settings)
    days = [dt.datetime.fromtimestamp(story.timestamp, zone).date() for story in site.stories]
    dates: dict[str, list[dt.date]] = {}
    names: dict[str, str] = {}
    for day, story in zip(days, site.stories, strict=True):
        for slug, name in zip(story.topics, story.topic_names, strict=True):
            names.setdefault(slug, name)
            dates.setdefault(slug, []).append(day)
    (tags,) = topic_tags([list(names.items())], site.settings, by_spelling=False)
    topics = {tag.slug: (tag.name, dates[tag.slug]) for tag in sorted(tags, key=lambda tag: tag.slug)}
    urls = {tag.slug: tag.url for tag in tags}
    providers = [story.item.provider for story in site.stories]
    return _values(days, topics, urls, providers, site.settings)


def register() -> None:
    register_plugin(
        __name__.rpartition(".")[0],
        settings=SETTINGS,
        provides={"coverage"},
        requires={"news-items"},
        derives={"coverage": derive_coverage},
        page_values={"coverage": page_values},
    )
    signals.article_generator_finalized.connect(attach)
