"""Hostile input: items whose every text and URL field carries a script payload.

The site is built and opened in Chromium; each payload, if it ever ran, would set a global
(``window.__pwned``) or open a dialog. Nothing may run. The output is also checked statically:
every URL attribute is http(s) or our own, every outbound link is ``noopener noreferrer``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.browser import ServedBuild, new_context, open_page, serve_build
from support.items import item_fields, write_item

MARK = "window.__pwned"


def payloads(n: int) -> list[str]:
    """Text payloads, each of which sets ``window.__pwned`` to ``n`` if it ever executes."""
    js = f"{MARK}={n}"
    return [
        f"<script>{js}</script>",
        f'"><img src=x onerror="{js}">',
        f"'><svg onload={js}>",
        f"</title><script>{js}</script>",
        f'<iframe srcdoc="<script>parent.__pwned={n}</script>"></iframe>',
        f"{{{{ {js} }}}} {{% raw %}}",
        f"javascript:{js}",
    ]


URL_PAYLOADS = [
    f"javascript:{MARK}=101",
    f"JaVaScRiPt:{MARK}=102",
    f"data:text/html,<script>{MARK}=103</script>",
    f'https://evil.example.com/x" onmouseover="{MARK}=104',
    f"https://evil.example.com/x'><script>{MARK}=105</script>",
    f"vbscript:{MARK}=106",
    f"  javascript:{MARK}=107",
    f"&#106;avascript:{MARK}=108",
]


def hostile_item(n: int) -> dict:
    texts = payloads(n)
    text = " ".join(texts)
    url = URL_PAYLOADS[n % len(URL_PAYLOADS)]
    return item_fields(
        n,
        title=f"Hostile {n} {texts[n % len(texts)]}",
        excerpt=text,
        webUrl=f"https://safe.example.com/story/{n}",
        sourceUrl=url,
        ampWebUrl=url,
        cdnAmpWebUrl=url,
        category=texts[1],
        type="video" if n % 2 else "article",
        featuredContent=(
            f'<iframe src="javascript:{MARK}={n}"></iframe><script>{MARK}={n}</script>'
            f'<iframe src="https://www.youtube.com/embed/x" onload="{MARK}={n}"></iframe>'
        ),
        provider={
            "name": texts[0],
            "domain": f'evil{n}.example.com"><script>{MARK}={n}</script>',
            "images": [{"url": url, "width": 50, "height": 50}],
        },
        topics=[texts[0], texts[2], f"{{{{ {MARK} }}}}"],
        images=[{"url": url, "width": '1" onload="x', "height": 10, "title": texts[3]}],
        related=[
            {
                "title": texts[4],
                "excerpt": texts[0],
                "publishedDateTime": "2024-03-01T10:00:00Z",
                "webUrl": f"https://outside.example.org/{n}",
                "provider": {"name": texts[1], "domain": "outside.example.org"},
                "images": [{"url": url}],
            },
            {
                "title": "Self listed through a payload URL",
                "publishedDateTime": "2024-03-01T10:00:00Z",
                "webUrl": url,
            },
        ],
    )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    content = tmp_path_factory.mktemp("hostile-content")
    for n in range(8):
        write_item(content, f"hostile-{n}.txt", hostile_item(n))
    served = serve_build(content, tmp_path_factory.mktemp("hostile-site") / "out")
    yield served
    served.server.close()


def html_pages(served: ServedBuild) -> list[Path]:
    return sorted(served.build.output.rglob("*.html"))


def test_every_hostile_item_is_published(hostile_site: ServedBuild) -> None:
    assert len(hostile_site.build.article_pages()) == 8


#: Dispatches to every element of the page the events an injected handler would wait for.
TRIGGER_EVERY_HANDLER = """() => {
  const types = ["pointerover", "mouseover", "mouseenter", "mousemove", "focus", "focusin", "animationstart"];
  for (const element of document.querySelectorAll("body *")) {
    for (const type of types) {
      element.dispatchEvent(new Event(type, { bubbles: type !== "mouseenter" && type !== "focus" }));
    }
  }
}"""


def test_nothing_runs_in_the_browser(browser, hostile_site: ServedBuild) -> None:
    origin = hostile_site.server.origin
    context = new_context(browser, origin)
    dialogs: list[str] = []
    try:
        for path in html_pages(hostile_site):
            url = hostile_site.url("/" + path.relative_to(hostile_site.build.output).as_posix())
            report = open_page(context, url)
            page = report.page
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            # Event-handler payloads need a trigger: every element gets the pointer and focus
            # events, hidden ones too (hovering the first 20 links for real took 2 s a page).
            page.evaluate(TRIGGER_EVERY_HANDLER)
            assert page.evaluate("() => window.__pwned") is None, url
            assert not [e for e in report.page_errors if "__pwned" in e], url
            page.close()
    finally:
        context.close()
    assert not dialogs


def test_url_attributes_are_http_or_ours(hostile_site: ServedBuild) -> None:
    base = hostile_site.server.base_url
    for path in html_pages(hostile_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            for attribute in ("href", "src", "srcset", "action", "formaction", "poster", "data"):
                value = tag.get(attribute)
                if value is None:
                    continue
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("http", "https", ""), (path, tag.name, attribute, value)
                assert not value.strip().lower().startswith(("javascript", "data", "vbscript")), value
            for attribute in tag.attrs:
                assert not attribute.lower().startswith("on"), (path, tag.name, attribute)
            if (
                tag.name == "a"
                and tag.get("href", "").startswith("http")
                and not tag["href"].startswith(base)
            ):
                rel = set(tag.get("rel") or [])
                assert {"noopener", "noreferrer"} <= rel, (path, tag)


def test_no_script_element_but_the_themes_own(hostile_site: ServedBuild) -> None:
    for path in html_pages(hostile_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":
                # Data, never run: the item's text is in it, but no markup character is, so no
                # payload can close the element; and it parses back to the exact text.
                text = script.get_text()
                assert not set("<>&") & set(text), path
                assert json.loads(text)["headline"] == soup.find("h1").get_text(), path
                continue
            assert "__pwned" not in script.get_text(), path
            assert script.get("src", "").startswith(hostile_site.server.base_url)
        assert not soup.find_all(["object", "embed", "base"]), path
        for frame in soup.find_all("iframe"):
            assert frame["src"].startswith("https://www.youtube-nocookie.com/embed/"), frame


def test_csp_meta_forbids_inline_script(hostile_site: ServedBuild) -> None:
    for path in html_pages(hostile_site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None, path
        policy = meta["content"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy


def active_content(fragment: str) -> list[str]:
    """What in an HTML fragment could run: script-ish elements, handlers, script URLs."""
    found = []
    for tag in BeautifulSoup(fragment, "html.parser").find_all(True):
        if tag.name in ("script", "iframe", "object", "embed", "base", "form"):
            found.append(tag.name)
        for attribute, value in tag.attrs.items():
            if attribute.lower().startswith("on"):
                found.append(attribute)
            if attribute in ("href", "src") and not str(value).startswith(("http://", "https://")):
                found.append(f"{attribute}={value}")
    return found


def test_feeds_carry_no_active_content(hostile_site: ServedBuild) -> None:
    feeds = [p for p in sorted(hostile_site.build.output.glob("feeds/**/*")) if p.suffix == ".xml"]
    assert len(feeds) > 4
    for path in feeds:
        parsed = feedparser.parse(str(path), sanitize_html=False, resolve_relative_uris=False)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            details = [*entry.get("content", []), entry.get("summary_detail") or {}]
            html = [
                d["value"] for d in details if d and d.get("type") in ("text/html", "application/xhtml+xml")
            ]
            assert html or "rss" in path.name, (path, "no HTML content to check")
            for fragment in html:
                assert not active_content(fragment), (path, entry.get("id"))
            for link in entry.get("links", []):
                assert link["href"].startswith(("http://", "https://")), (path, link)
