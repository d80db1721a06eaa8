"""The SVG drawing: well-formed, named, coloured by the theme, bars proportional to the counts."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from topicfeed.coverage.counts import MONTH, count_series
from topicfeed.coverage.svg import bar_chart, nice_ceiling, sparkline, tick_step

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse as standalone SVG (the inline form has no xmlns; add it to parse)."""
    standalone = str(svg).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(standalone)  # noqa: S314 - our own drawing, not untrusted input


@pytest.mark.parametrize(("peak", "top"), [(0, 1), (1, 1), (3, 5), (6, 10), (20, 20), (21, 50), (101, 200)])
def test_scale_top_is_a_round_number(peak: int, top: int) -> None:
    assert nice_ceiling(max(peak, 1)) == top
    assert top % tick_step(top) == 0 and 2 <= top // tick_step(top) + 1 <= 6


def test_bar_chart_has_a_name_a_description_and_proportional_bars() -> None:
    dates = [dt.date(2024, 1, 3)] * 4 + [dt.date(2024, 3, 9)] * 2 + [dt.date(2024, 4, 1)] * 8
    series = count_series(dates, dt.date(2024, 4, 30), MONTH)
    root = parse(bar_chart(series, "Stories on <AI> per month", "coverage-ai"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "coverage-ai-title coverage-ai-desc"
    assert root.find(f"{SVG_NS}title").text == "Stories on <AI> per month"
    desc = root.find(f"{SVG_NS}desc").text
    assert desc == "From January 2024 to April 2024, 14 stories; the most in April 2024 (8)."
    bars = root.findall(f".//{SVG_NS}rect")
    assert [bar.find(f"{SVG_NS}title").text for bar in bars] == [
        "January 2024: 4 stories",
        "March 2024: 2 stories",
        "April 2024: 8 stories",
    ]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] / heights[2] == pytest.approx(0.5, abs=0.01)
    assert heights[1] / heights[2] == pytest.approx(0.25, abs=0.01)
    labels = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "stories per month" in labels and "2024" in labels and "10" in labels


def test_no_style_and_theme_colours_only() -> None:
    series = count_series([dt.date(2024, 1, 3)], dt.date(2024, 2, 1), MONTH)
    for svg in (bar_chart(series, "t", "c"), sparkline([1, 0, 3], "label")):
        root = parse(svg)
        for element in root.iter():
            assert "style" not in element.attrib, element.tag
            assert element.tag != f"{SVG_NS}style"
            for name in ("fill", "stroke"):
                assert element.get(name) in (None, "none", "currentColor"), (element.tag, name)


def test_sparkline_is_named_and_spans_its_box() -> None:
    root = parse(sparkline([0, 2, 4], "AI: 6 stories"))
    assert root.get("role") == "img" and root.get("aria-label") == "AI: 6 stories"
    points = [tuple(map(float, p.split(","))) for p in root.find(f"{SVG_NS}polyline").get("points").split()]
    assert [x for x, _ in points] == [2, 60, 118]
    assert points[0][1] > points[1][1] > points[2][1]  # higher counts draw higher
    one = parse(sparkline([5], "one"))
    assert len(one.find(f"{SVG_NS}polyline").get("points").split()) == 2
