"""The preview's banner and badges in a real browser: visible, announced, readable in light and dark.

The seeds (four unpublished items, one published) are built with previewconf.py and served on
loopback; axe-core checks the pages (serious and critical violations, colour contrast included)
and the Nu checker validates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import (
    COLOUR_RULES,
    ServedBuild,
    axe_violations,
    new_context,
    nu_check,
    open_page,
    serve_build,
)
from support.build import ROOT

PREVIEWCONF = ROOT / "previewconf.py"


@pytest.fixture(scope="module")
def served_preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBuild]:
    output = tmp_path_factory.mktemp("served") / "preview"
    served = serve_build(
        ROOT / "content", output, settings_file=PREVIEWCONF, extra={"PREVIEW_OUTPUT": str(output)}
    )
    yield served
    served.server.close()


def preview_urls(served: ServedBuild) -> dict[str, str]:
    """An unpublished item's page, the published one's, the home page and a topic page."""
    build = served.build
    pages = {}
    for page in build.article_pages():
        kind = "unpublished" if "Not published:" in page.read_text(encoding="utf-8") else "published"
        pages.setdefault(kind, "/" + page.parent.relative_to(build.output).as_posix() + "/")
    pages["home"] = "/"
    pages["topic"] = (
        "/"
        + sorted((build.output / "topics").glob("*/index.html"))[0]
        .parent.relative_to(build.output)
        .as_posix()
        + "/"
    )
    assert set(pages) == {"unpublished", "published", "home", "topic"}, pages
    return pages


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_banner_and_badges_are_visible_and_pass_axe(
    browser, served_preview: ServedBuild, scheme: str
) -> None:
    context = new_context(browser, served_preview.server.origin, color_scheme=scheme)
    try:
        for kind, path in preview_urls(served_preview).items():
            report = open_page(context, served_preview.url(path))
            page = report.page
            try:
                assert report.status == 200 and report.problems == [], (kind, report.problems)
                banner = page.get_by_role("note", name="Not published")
                if kind == "unpublished":
                    assert banner.is_visible(), kind
                    assert "Not published: this page exists only in the preview." in banner.inner_text()
                else:
                    assert banner.count() == 0, kind
                if kind in ("home", "topic"):
                    badge = page.locator("main .badge", has_text="Not published").first
                    assert badge.is_visible(), kind
                options = {"runOnly": {"type": "rule", "values": COLOUR_RULES}} if scheme == "dark" else None
                assert axe_violations(page, options=options) == [], (kind, scheme)
            finally:
                page.close()
    finally:
        context.close()


@pytest.mark.browser  # needs the browser tools' Nu checker (tools/install-test-deps.sh)
def test_preview_pages_pass_the_nu_checker(served_preview: ServedBuild) -> None:
    out: Path = served_preview.build.output
    pages = [p for p in sorted(out.rglob("*.html")) if "pagefind" not in p.parts]
    errors = nu_check(pages)
    report = [f"{path.relative_to(out)}: {e}" for path, es in sorted(errors.items()) for e in es[:3]]
    assert report == [], "\n".join(report[:20])
