"""Every kind of page of the real corpus build, in Chromium under a GitHub Pages style sub-path.

Each page kind loads with no console error, no script error and no failed request to the site;
reads with JavaScript off; has no serious or critical axe-core violation in light and dark; and
every HTML page of the build (plus the stylesheet) passes the Nu HTML checker.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import COLOUR_RULES, ServedBuild, axe_violations, new_context, nu_check, open_page

# (kind, required): optional kinds are tested as soon as a build has them (sources, 404 page).
PAGE_KINDS = [
    ("home", True),
    ("home-page-2", True),
    ("article", True),
    ("topic-list", True),
    ("topic", True),
    ("topic-page-2", True),
    ("archives", True),
    ("monthly-archive", True),
    ("video-article", True),
    ("related-article", True),
    ("source-list", True),
    ("source", True),
    ("search", False),
    ("not-found", True),
]
VIDEO_FRAME = "https://www.youtube-nocookie.com/embed/"  # the one non-image request, on video pages
KIND_IDS = [kind for kind, _ in PAGE_KINDS]


def _first(paths: list[Path], output: Path) -> str | None:
    """The site path (``/a/b/``) of the first ``.../index.html`` in ``paths``."""
    return "/" + paths[0].parent.relative_to(output).as_posix() + "/" if paths else None


def page_url(served: ServedBuild, kind: str) -> str | None:
    """The site path of one page of ``kind`` in the build, or None when the build has none."""
    out = served.build.output
    if kind == "home":
        return "/"
    if kind == "home-page-2":
        return "/page/2/" if (out / "page" / "2" / "index.html").is_file() else None
    if kind == "article":  # the newest story: in the corpus it has a logo, an image and a topic
        return _first(served.build.article_pages()[-1:], out)
    if kind == "topic-list":
        return "/topics/" if (out / "topics" / "index.html").is_file() else None
    if kind == "topic":  # a topic with several pages
        second = _first(sorted(out.glob("topics/*/page/2/index.html")), out)
        return second.removesuffix("page/2/") if second else None
    if kind == "topic-page-2":
        return _first(sorted(out.glob("topics/*/page/2/index.html")), out)
    if kind == "archives":
        return "/archives/" if (out / "archives" / "index.html").is_file() else None
    if kind == "monthly-archive":  # the newest month
        return _first(sorted(out.glob("archives/[0-9]*/[0-9]*/index.html"))[-1:], out)
    if kind == "related-article":  # the newest story with "more coverage", else with related stories
        for mark in ('<section class="coverage ', '<section class="related '):
            pages = [p for p in served.build.article_pages() if mark in p.read_text(encoding="utf-8")]
            if pages:
                return _first(pages[-1:], out)
        return None
    if kind == "video-article":  # the newest story with a video embed
        videos = [p for p in served.build.article_pages() if VIDEO_FRAME in p.read_text(encoding="utf-8")]
        return _first(videos[-1:], out)
    if kind == "source-list":
        return "/sources/" if (out / "sources" / "index.html").is_file() else None
    if kind == "source":
        return _first(sorted(out.glob("sources/*/index.html")), out)
    if kind == "search":
        return "/search/" if (out / "search" / "index.html").is_file() else None
    if kind == "not-found":
        return "/no/such/page/" if (out / "404.html").is_file() else None
    raise AssertionError(kind)


@pytest.fixture(params=PAGE_KINDS, ids=KIND_IDS)
def kind_url(request: pytest.FixtureRequest, served_corpus: ServedBuild) -> tuple[str, str, int]:
    """(kind, full URL, expected HTTP status) for each page kind the build has."""
    kind, required = request.param
    path = page_url(served_corpus, kind)
    if path is None:
        assert not required, f"the build has no {kind} page"
        pytest.skip(f"this build has no {kind} page yet")
    return kind, served_corpus.url(path), 404 if kind == "not-found" else 200


def test_page_loads_clean(page_context, kind_url: tuple[str, str, int]) -> None:
    kind, url, status = kind_url
    report = open_page(page_context, url)
    try:
        assert report.status == status, url
        assert report.problems == [], f"{kind} {url}"
        # Nothing but the stories' own images is fetched from anywhere else (and on a video
        # page the story's own privacy-enhanced player frame).
        offsite = [r for r in report.offsite_requests if r[0] != "image"]
        if kind == "video-article":  # a lazy frame may start after the load event
            for _ in range(50):
                if any(r[1].startswith(VIDEO_FRAME) for r in report.offsite_requests):
                    break
                report.page.wait_for_timeout(100)
            offsite = [r for r in report.offsite_requests if r[0] != "image"]
            assert [r for r in offsite if r[1].startswith(VIDEO_FRAME)], f"{kind} {url}: no video frame"
            offsite = [r for r in offsite if not (r[0] == "document" and r[1].startswith(VIDEO_FRAME))]
        assert offsite == [], f"{kind} {url}"
        assert report.page.locator("h1").count() == 1, f"{kind} {url}: one <h1>"
        # The stylesheet came from under the sub-path and applies.
        sheets = report.page.evaluate("() => [...document.styleSheets].map(s => s.href)")
        assert sheets and all(s and s.startswith(url.split("/repo/")[0] + "/repo/") for s in sheets), sheets
    finally:
        report.page.close()


def test_page_reads_without_javascript(nojs_context, kind_url: tuple[str, str, int]) -> None:
    kind, url, status = kind_url
    report = open_page(nojs_context, url)
    page = report.page
    try:
        assert report.status == status, url
        assert report.failed_requests == [], f"{kind} {url}"
        main = page.locator("main")
        assert main.count() == 1 and main.is_visible(), f"{kind} {url}: <main> visible"
        heading = page.locator("main h1")
        assert heading.is_visible() and heading.inner_text().strip(), f"{kind} {url}: a visible <h1>"
        links = page.locator("main a[href]")
        assert links.count() >= 1 and links.first.is_visible(), f"{kind} {url}: visible links in <main>"
        assert len(main.inner_text().split()) >= 5, f"{kind} {url}: readable text in <main>"
    finally:
        page.close()


def test_page_passes_axe(page_context, kind_url: tuple[str, str, int]) -> None:
    kind, url, _ = kind_url
    report = open_page(page_context, url)
    try:
        assert axe_violations(report.page) == [], f"{kind} {url}"
    finally:
        report.page.close()


def test_page_passes_axe_colour_rules_in_dark_mode(dark_context, kind_url: tuple[str, str, int]) -> None:
    """Only the colours change with ``prefers-color-scheme``: rerun axe's colour rules in dark."""
    kind, url, _ = kind_url
    report = open_page(dark_context, url)
    try:
        assert report.page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
        violations = axe_violations(
            report.page, options={"runOnly": {"type": "rule", "values": COLOUR_RULES}}
        )
        assert violations == [], f"{kind} {url} (dark)"
    finally:
        report.page.close()


def test_no_sideways_scrolling_on_a_phone(browser, served_corpus: ServedBuild) -> None:
    context = new_context(
        browser, served_corpus.server.origin, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        for kind, _ in PAGE_KINDS:
            path = page_url(served_corpus, kind)
            if path is None:
                continue
            report = open_page(context, served_corpus.url(path))
            width = report.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            report.page.close()
            assert width[0] <= width[1], f"{kind} {path}: page is {width[0]} px wide at {width[1]} px"
    finally:
        context.close()


FOCUS = """() => {
  const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return {href: e.getAttribute("href"), inMain: !!e.closest("main"), top: r.top, height: r.height,
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
}"""


@pytest.mark.parametrize("kind", ["home", "article"])
def test_skip_link_and_keyboard_focus_are_visible(
    page_context, served_corpus: ServedBuild, kind: str
) -> None:
    """The first Tab shows the skip link; following it, the next Tab lands in <main>; focus is outlined."""
    report = open_page(page_context, served_corpus.url(page_url(served_corpus, kind)))
    page = report.page
    try:
        page.keyboard.press("Tab")
        skip = page.evaluate(FOCUS)
        assert skip["href"] == "#main" and skip["top"] >= 0 and skip["height"] > 0, skip
        assert skip["outline"] != "none" and skip["width"] >= 2, skip
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        inside = page.evaluate(FOCUS)
        assert inside["inMain"] and inside["outline"] != "none" and inside["width"] >= 2, inside
    finally:
        page.close()


CANARY = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Canary</title></head>'
    '<body><h1 id="x">A</h1><p id="x">B</div></body></html>'
)


def test_every_page_passes_the_nu_checker(served_corpus: ServedBuild, tmp_path: Path) -> None:
    out = served_corpus.build.output
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > len(served_corpus.build.article_pages()) > 400
    canary = tmp_path / "canary.html"  # an invalid page in the same run: the checker does report
    canary.write_text(CANARY, encoding="utf-8")
    errors = nu_check([canary, *pages, *sorted(out.rglob("*.css"))], css=True)
    assert any("Duplicate ID" in e for e in errors.pop(canary, [])), "the checker missed the canary"
    report = [f"{path.relative_to(out)}: {e}" for path, es in sorted(errors.items()) for e in es[:3]]
    assert report == [], f"{len(errors)} files with errors:\n" + "\n".join(report[:40])
