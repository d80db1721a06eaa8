"""Screenshots of the home and an article page, desktop (1280 px) and phone (390 px), for the README.

Builds the content (the real corpus by default) with the real ``pelican`` command, serves it on
127.0.0.1, and photographs it with Playwright driving Debian's Chromium (``/usr/bin/chromium``;
``playwright install`` is never used). Every request to another host is aborted, as in the
browser tests: the stories' images do not load, so the pictures show the placeholders a reader
sees while images load or when they are blocked.

    .venv/bin/python tools/screenshots.py                      # corpus -> docs/screenshots/
    .venv/bin/python tools/screenshots.py --content content --out /tmp/shots
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TOPICFEED_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "powerapps-news"
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that drops a connection (a page closed mid-request) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def build(content: Path, output: Path, site_url: str) -> None:
    """Build ``content`` into ``output`` with absolute URLs on ``site_url``."""
    settings = {"SITEURL": site_url, "FEED_DOMAIN": site_url, "BUILD_PROGRESS": False}
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output)]
    command += ["-s", str(ROOT / "pelicanconf.py"), "-q"]
    command += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
    subprocess.run(command, cwd=ROOT, check=True)


def newest_article(output: Path) -> str:
    """The site path of the newest article page (URLs are dated, so the last in order)."""
    pages = sorted(output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    if not pages:
        raise SystemExit(f"no article page in {output}")
    return "/" + pages[-1].parent.relative_to(output).as_posix() + "/"


def shoot(base_url: str, pages: dict[str, str], out: Path, scheme: str, full: bool = False) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(
                viewport=viewport, is_mobile=device == "phone", color_scheme=scheme, device_scale_factor=1
            )
            context.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
            for name, path in pages.items():
                page = context.new_page()
                page.goto(base_url + path, wait_until="load")
                suffix = "" if scheme == "light" else f"-{scheme}"
                target = out / f"{name}-{device}{suffix}.png"
                page.screenshot(path=str(target), full_page=full)
                written.append(target)
                page.close()
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--content", type=Path, default=CORPUS, help="folder of news items to build")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    parser.add_argument("--article", help="site path of the article to show (default: the newest)")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light", help="colour scheme")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "site"
        output.mkdir()
        handler = functools.partial(_Quiet, directory=str(output))
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            build(args.content, output, base_url)
            pages = {"home": "/", "article": args.article or newest_article(output)}
            for path in shoot(base_url, pages, args.out, args.scheme, args.full_page):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{shown}: {path.stat().st_size} bytes")
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
