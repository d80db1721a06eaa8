"""Coverage charts as inline SVG, drawn at build time: a bar chart and a sparkline.

Why a small module of our own and not a charting library: the site's Content-Security-Policy
(``style-src 'self'``, no inline script) forbids ``<style>`` elements, ``style`` attributes and
scripts, which pygal and leather-style libraries emit for their colours and tooltips, and their
fixed colours cannot follow the theme's light and dark palettes. Generic SVG writers (svgwrite,
drawsvg) would only replace the string building below; the part that matters (scales, ticks,
the accessible name and description) would still be ours. So: plain strings, escaped.

Colours are ``currentColor`` plus a class per part, so ``site.css`` (``.chart`` rules using the
theme's custom properties) colours them in light and dark mode; presentation attributes such as
``fill`` and ``font-size`` are not styles and are allowed by the policy. Every number is
rounded to one decimal so the output is stable from one build to the next.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from .counts import Series

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 26, 28
FONT_SIZE = 13
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (stable, short)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least ``value`` (the y axis top)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def tick_step(top: int) -> int:
    """The y grid step for a ``nice_ceiling`` top: 2 to 5 steps of 1, 2 or 5 times a power of ten."""
    if top <= 5:
        return 1
    for step in (top // 5, top // 4, top // 2):
        if step and top % step == 0 and str(step).strip("0") in ("1", "2", "5"):
            return step
    return top


def stories(count: int) -> str:
    return "1 story" if count == 1 else f"{count} stories"


def describe(series: Series) -> str:
    """One sentence for ``<desc>``: the span, the total and the peak."""
    if not series.counts:
        return "No stories."
    first, last, peak = series.first, series.last, series.peak_bucket
    text = f"From {first.label} to {last.label}, {stories(series.total)}"
    if peak is not None:
        text += f"; the most in {peak.label} ({peak.count})"
    return text + "."


def _markup(svg: str) -> Markup:
    """Mark a drawing safe for templates: every text and attribute value in it went through
    ``escape`` and every number through ``_n``, so nothing from an item can inject markup."""
    return Markup(svg)  # noqa: S704 - built here from escaped values only


def bar_chart(series: Series, title: str, chart_id: str) -> Markup:
    """Items per bucket as bars, with a labelled y axis, bucket ticks, ``<title>`` and ``<desc>``.

    ``chart_id`` must be unique on the page (it prefixes the ids that name the chart).
    """
    count = len(series.counts)
    top = nice_ceiling(max(series.peak, 1))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    band = plot_w / max(count, 1)
    bar = max(band * 0.8, 1.0)
    cid = escape(chart_id)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(describe(series))}</desc>',
    ]
    step = tick_step(top)
    levels = list(range(0, top + 1, step))
    parts.append('<g class="chart-grid" stroke="currentColor" stroke-width="1">')
    for level in levels:
        y = base - plot_h * level / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}"/>')
    parts.append("</g>")
    parts.append(f'<g class="chart-text" fill="currentColor" font-size="{FONT_SIZE}">')
    for level in levels:
        y = base - plot_h * level / top
        parts.append(f'<text x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end">{level}</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 10}">stories per {escape(series.unit)}</text>')
    for index, tick in enumerate(series.ticks):
        if tick:
            x = LEFT + band * index
            parts.append(f'<text x="{_n(x)}" y="{HEIGHT - 8}">{escape(tick)}</text>')
    parts.append("</g>")
    parts.append('<g class="chart-bars" fill="currentColor">')
    for index, (bucket_count, label) in enumerate(zip(series.counts, series.labels, strict=True)):
        if not bucket_count:
            continue
        height = plot_h * bucket_count / top
        x = LEFT + band * index + (band - bar) / 2
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(base - height)}" width="{_n(bar)}" height="{_n(height)}">'
            f"<title>{escape(label)}: {stories(bucket_count)}</title></rect>"
        )
    parts.append("</g></svg>")
    return _markup("".join(parts))


def sparkline(counts: tuple[int, ...] | list[int], label: str) -> Markup:
    """A small line of counts (oldest first), named by ``label`` for screen readers."""
    values = list(counts) or [0]
    top = max(max(values), 1)
    pad = 2
    inner_w, inner_h = SPARK_WIDTH - 2 * pad, SPARK_HEIGHT - 2 * pad
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0.0
    points = [(pad + step * i, pad + inner_h * (1 - v / top)) for i, v in enumerate(values)]
    if len(points) == 1:
        points.append((pad + inner_w, points[0][1]))
    line = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    last_x, last_y = points[-1]
    return _markup(
        f'<svg class="sparkline" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" focusable="false">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" '
        f'points="{line}"/><circle cx="{_n(last_x)}" cy="{_n(last_y)}" r="2" fill="currentColor"/>'
        "</svg>"
    )
