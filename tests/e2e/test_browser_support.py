"""The browser harness catches what it is there to catch, on a tiny hand-made site.

A harness that cannot see a broken stylesheet, a script error or an invalid page would let every
browser test pass for nothing; these tests break each thing on purpose.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest
from support.browser import SiteServer, axe_violations, new_context, open_page

HEAD = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{extra}</head>'
PAGES = {
    "index.html": HEAD.format(title="Good", extra='<link rel="stylesheet" href="/repo/site.css">')
    + "<body><main><h1>Good</h1><p>Fine.</p></main></body></html>",
    "site.css": "body { margin: 0; }",
    "404.html": HEAD.format(title="Not found", extra="")
    + "<body><main><h1>Not here</h1></main></body></html>",
    # A stylesheet missing under the sub-path, one that forgot the sub-path, a console error,
    # an uncaught error, an off-site image (must be aborted, never fetched), an image without alt.
    "broken.html": HEAD.format(
        title="Broken",
        extra='<link rel="stylesheet" href="/repo/missing.css"><link rel="stylesheet" href="/site.css">',
    )
    + "<body><main><h1>Broken</h1>"
    + '<img src="https://images.example.invalid/a.png" width="10" height="10">'
    + '<script>console.error("boom"); document.title = "ran"; throw new Error("kaboom");</script>'
    + "</main></body></html>",
    # A strict CSP: axe must still run; inline script must not.
    "csp.html": HEAD.format(
        title="CSP", extra='<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
    )
    + '<body><main><h1>CSP</h1><img src="/repo/site.css" width="1" height="1">'
    + '<script>document.title = "ran";</script></main></body></html>',
}


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp("tiny-site")
    for name, text in PAGES.items():
        (root / name).write_text(text, encoding="utf-8")
    with SiteServer(root) as server:
        yield server


def _get(server: SiteServer, path: str) -> tuple[int, str, str]:
    """(status, Location, body) of a GET to ``server``; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode()
    finally:
        connection.close()


def test_server_serves_only_under_the_sub_path(tiny_site: SiteServer) -> None:
    assert _get(tiny_site, "/repo/")[0] == 200
    assert _get(tiny_site, "/repo/site.css")[2] == PAGES["site.css"]
    assert _get(tiny_site, "/repo")[:2] == (301, "/repo/")
    assert _get(tiny_site, "/site.css")[0] == 404  # outside the sub-path
    status, _, body = _get(tiny_site, "/repo/no/such/page/")
    assert (status, body) == (404, PAGES["404.html"])  # the site's own 404 page


def test_open_page_reports_every_problem(browser, tiny_site: SiteServer) -> None:
    context = new_context(browser, tiny_site.origin)
    try:
        good = open_page(context, tiny_site.url("/"))
        assert (good.status, good.problems) == (200, [])
        report = open_page(context, tiny_site.url("/broken.html"))
        problems = "\n".join(report.problems)
        assert "boom" in problems and "kaboom" in problems
        assert "/repo/missing.css: HTTP 404" in problems
        assert f"{tiny_site.origin}/site.css: HTTP 404" in problems
        assert report.offsite_requests == [("image", "https://images.example.invalid/a.png")]
        assert "example.invalid" not in problems  # aborted off-site loads are not errors
        missing = open_page(context, tiny_site.url("/nowhere/"))
        assert (missing.status, missing.problems) == (404, [])
    finally:
        context.close()


def test_axe_finds_violations_even_under_a_strict_csp(browser, tiny_site: SiteServer) -> None:
    context = new_context(browser, tiny_site.origin)
    try:
        report = open_page(context, tiny_site.url("/csp.html"))
        assert report.page.title() == "CSP"  # the CSP blocked the inline script
        assert "image-alt" in [v["id"] for v in axe_violations(report.page)]
        assert axe_violations(open_page(context, tiny_site.url("/")).page) == []
    finally:
        context.close()


def test_javascript_off_context_runs_no_script(browser, tiny_site: SiteServer) -> None:
    context = new_context(browser, tiny_site.origin, javascript=False)
    try:
        report = open_page(context, tiny_site.url("/broken.html"))
        assert report.page.title() == "Broken"
        assert report.page_errors == []
        assert not [e for e in report.console_errors if "boom" in e]
    finally:
        context.close()
