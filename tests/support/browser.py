"""Browser test support: serve a build under a sub-path, drive Chromium, run axe and the Nu checker.

Loaded as a pytest plugin by ``tests/conftest.py``. The tools come from ``tools/install-test-deps.sh``
(``make testdeps``): Debian's ``chromium`` (Playwright drives it through ``executable_path``;
``playwright install`` is never used, it downloads a browser), ``node_modules/axe-core`` and
``node_modules/vnu-jar`` (pinned in ``package-lock.json``) and the machine's ``java``.

Everything stays on loopback: the site is served on 127.0.0.1, and every request the browser makes
to another origin (the stories' images, publishers' logos) is aborted and recorded, never sent.
So a test never depends on the network, and it can still see what the page tried to load.

Tests that use the ``browser`` fixture (directly or through another fixture) are marked
``browser`` automatically; ``pytest -m "not browser"`` skips them, ``make test`` runs them.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .build import CORPUS, ROOT, Build, run_pelican

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SUBPATH = "/repo"  # as GitHub Pages serves a project site: https://user.github.io/repo/
SERIOUS = ("serious", "critical")
COLOUR_RULES = ["color-contrast", "link-in-text-block"]  # axe rules that depend on the colour scheme
INSTALL_HINT = "run `bash tools/install-test-deps.sh` (make testdeps)"


# Static server ---------------------------------------------------------------------------------


@dataclass
class Gate:
    """Requests for paths under ``prefixes`` wait until ``opened`` is set; ``held`` lists them."""

    prefixes: tuple[str, ...]
    opened: threading.Event = field(default_factory=threading.Event)
    held: list[str] = field(default_factory=list)


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` only, like GitHub Pages serves a project site.

    Anything outside the prefix is a 404, so a root-relative URL that forgot ``SITEURL`` breaks
    here as it would on the real host. Missing files get the site's own ``404.html`` if it has one.
    """

    prefix = SUBPATH
    gate: Gate | None = None
    served: list[tuple[str, int]]

    def __init__(self, *args, served: list[tuple[str, int]], **kwargs) -> None:
        self.served = served
        super().__init__(*args, **kwargs)

    def _inside(self) -> bool:
        path = urlsplit(self.path).path
        return path.startswith(self.prefix + "/")

    def do_GET(self) -> None:
        if urlsplit(self.path).path == self.prefix:
            self.send_response(301)
            self.send_header("Location", self.prefix + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self._inside():
            gate = self.gate
            if gate and urlsplit(self.path).path.startswith(gate.prefixes):
                gate.held.append(self.path)
                gate.opened.wait(timeout=60)
            super().do_GET()
        else:
            self.send_error(404)

    def do_HEAD(self) -> None:
        if self._inside():
            super().do_HEAD()
        else:
            self.send_error(404)

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        return super().translate_path(path[len(self.prefix) :] if self._inside() else "/")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_response(self, code: int, message: str | None = None) -> None:
        self.served.append((self.path, code))
        super().send_response(code, message)

    def end_headers(self) -> None:
        # LinkChecker throttles itself to ~3 requests a second per host unless the server sends
        # this header (its documented opt-in); this server is ours, on loopback.
        self.send_header("LinkChecker", "loopback test server")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests assert instead
        pass


class SiteServer:
    """A threaded static server on 127.0.0.1 (a free port) for ``root`` under ``/repo/``.

    The socket is bound at construction, before anything is built, so a build can bake the
    real port into ``SITEURL`` with no race for the port.
    """

    def __init__(self, root: Path, prefix: str = SUBPATH) -> None:
        self.root = Path(root)
        self.prefix = prefix
        self.served: list[tuple[str, int]] = []
        self._handler = handler = type("Handler", (_SubPathHandler,), {"prefix": prefix})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=str(self.root), served=self.served)
        )
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base_url = self.origin + prefix  # the SITEURL to build with, no trailing slash
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @contextmanager
    def holding(self, paths: Sequence[str]) -> Iterator[Gate]:
        """Hold every request under the site-relative ``paths`` until ``gate.opened`` is set (at
        the latest when the block ends): a slow network for part of the site, seen by every
        fetch of the page and of its web workers alike."""
        gate = Gate(tuple(self.prefix + "/" + path.lstrip("/") for path in paths))
        self._handler.gate = gate
        try:
            yield gate
        finally:
            self._handler.gate = None
            gate.opened.set()

    def url(self, path: str = "/") -> str:
        """The full URL of a site-relative path (``/topics/`` -> ``http://127.0.0.1:P/repo/topics/``)."""
        return self.base_url + "/" + path.lstrip("/")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class ServedBuild:
    """A real build with its absolute ``SITEURL`` on a loopback server that serves it."""

    build: Build
    server: SiteServer

    def url(self, path: str = "/") -> str:
        return self.server.url(path)

    def site_path(self, url: str) -> str:
        """The site-relative path of one of our absolute URLs (``.../repo/a/`` -> ``/a/``)."""
        assert url.startswith(self.server.base_url + "/"), url
        return url[len(self.server.base_url) :]


def serve_build(
    input_dir: Path,
    output_dir: Path,
    *,
    extra: dict[str, object] | None = None,
    options: tuple[str, ...] = (),
    settings_file: Path = ROOT / "pelicanconf.py",
) -> ServedBuild:
    """Bind a server, build ``input_dir`` with ``SITEURL`` = that server's sub-path URL, serve it.

    The caller closes ``result.server``. The build must succeed (its log is in the failure).
    """
    server = SiteServer(output_dir)
    settings = {"SITEURL": server.base_url, "FEED_DOMAIN": server.base_url, **(extra or {})}
    build = run_pelican(input_dir, output_dir, settings_file=settings_file, extra=settings, options=options)
    if build.returncode != 0:
        server.close()
        pytest.fail(f"build of {input_dir} failed:\n{build.log}")
    return ServedBuild(build, server)


#: Settings that split the corpus's search index (428 pages) into four bundles.
SHARDED_SEARCH: dict[str, object] = {"SEARCH_SHARD_MIN_PAGES": 100}


# Browser -----------------------------------------------------------------------------------------


@dataclass
class PageReport:
    """What happened while a page loaded: the page itself and everything that went wrong."""

    page: object  # playwright.sync_api.Page
    status: int | None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)  # to our origin: network error or >= 400
    offsite_requests: list[tuple[str, str]] = field(default_factory=list)  # (resource type, URL), aborted

    @property
    def problems(self) -> list[str]:
        """Every console error, page error and failed request to our origin, for one assertion."""
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"request: {m}" for m in self.failed_requests]
        )


def _browser_cancelled_favicon(request) -> bool:
    """Chromium fetches the tab icon itself and cancels that fetch when history moves on (seen
    once in CI during ``go_back``); the page asked for nothing. A missing icon still fails: it is
    an HTTP 404 response, which ``on_response`` reports."""
    path = request.url.split("?")[0]
    return request.failure == "net::ERR_ABORTED" and path.endswith(("/favicon.svg", "/favicon.ico"))


def _is_origin(url: str, origin: str) -> bool:
    return url == origin or url.startswith(origin + "/")


def block_offsite(context, origin: str, log: list[tuple[str, str]] | None = None) -> None:
    """Abort every request of ``context`` that is not to ``origin`` (nor a data:/blob: URL).

    The tests never touch the network; aborted requests are appended to ``log`` if given.
    """

    def offsite(url: str) -> bool:
        return not _is_origin(url, origin) and urlsplit(url).scheme in ("http", "https", "ws", "wss")

    def abort(route) -> None:
        if log is not None:
            log.append((route.request.resource_type, route.request.url))
        route.abort("blockedbyclient")

    context.route(offsite, abort)


def new_context(browser, origin: str, *, javascript: bool = True, color_scheme: str = "light", **options):
    """A browser context that only reaches ``origin``; JavaScript off with ``javascript=False``."""
    context = browser.new_context(java_script_enabled=javascript, color_scheme=color_scheme, **options)
    context.set_default_timeout(20_000)
    block_offsite(context, origin)
    return context


def open_page(context, url: str, *, wait_until: str = "load") -> PageReport:
    """Open ``url`` in a new page of ``context`` and collect console errors, page errors and
    failed requests to the URL's origin (a network failure or an HTTP status >= 400).

    Requests to other origins are aborted by the context (see ``block_offsite``): they are listed
    in ``offsite_requests`` and their "Failed to load resource" console lines are not errors.
    The caller closes ``report.page``.
    """
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    page = context.new_page()
    report = PageReport(page=page, status=None)

    def on_console(message) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and (
            source == url or (source and not _is_origin(source, origin))
        ):
            return  # the page's own status (in report.status) or an aborted off-site request
        report.console_errors.append(f"{message.text} ({source or 'inline'})")

    def on_request_failed(request) -> None:
        if _browser_cancelled_favicon(request):
            return
        if _is_origin(request.url, origin):
            report.failed_requests.append(f"{request.url}: {request.failure}")
        else:
            report.offsite_requests.append((request.resource_type, request.url))

    def on_response(response) -> None:
        if _is_origin(response.url, origin) and response.status >= 400 and response.url != url:
            report.failed_requests.append(f"{response.url}: HTTP {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    response = page.goto(url, wait_until=wait_until)
    report.status = response.status if response else None
    return report


def wait_for_status(page, text: str) -> str:
    """The search page's status line once it shows ``text``. It is written when every bundle of
    the index has answered (results show before, bundle by bundle), so the search is done."""
    page.locator("#search-status", has_text=text).wait_for(timeout=15_000)
    return page.locator("#search-status").inner_text()


# axe-core --------------------------------------------------------------------------------------


def axe_violations(page, impacts: Sequence[str] = SERIOUS, options: dict | None = None) -> list[dict]:
    """Run axe-core on ``page`` and return the violations of the given impacts (serious, critical).

    axe is evaluated through the DevTools protocol, not added as a ``<script>``, so a page's
    Content-Security-Policy cannot block it. Each violation keeps axe's ``id``, ``impact``,
    ``help`` and the failing ``targets`` (selectors) for a readable assertion message.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate(
        "options => axe.run(document, options)", {"resultTypes": ["violations"], **(options or {})}
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in impacts
    ]


# Nu HTML checker ---------------------------------------------------------------------------------


def nu_check(files: Sequence[Path], *, css: bool = False) -> dict[Path, list[str]]:
    """Validate many files in one ``vnu.jar`` run (one JVM start) and return errors per file.

    Only files with at least one error are keys. Each error reads ``line N: message``. With
    ``css=True`` the ``.css`` files among ``files`` are checked as CSS too.
    """
    java = shutil.which("java")
    assert java, f"java not found: {INSTALL_HINT}"
    assert VNU_JAR.is_file(), f"{VNU_JAR} missing: {INSTALL_HINT}"
    if not files:
        return {}
    # -Xss: the checker needs a deep stack; C1 only (TieredStopAtLevel=1) halves its CPU time.
    command = [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR)]
    command += ["--errors-only", "--format", "json", "--stdout"]
    if css:
        command.append("--also-check-css")
    result = subprocess.run(
        command + [str(f) for f in files], capture_output=True, text=True, timeout=600, check=False
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(
            f"vnu gave no JSON ({error}): {result.stdout[:500]} {result.stderr[:500]}"
        ) from None
    errors: dict[Path, list[str]] = {}
    for message in messages:
        if message.get("type") == "info":
            continue
        url = message.get("url", "")
        path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else Path(url)
        line = message.get("lastLine", "?")
        errors.setdefault(path, []).append(f"line {line}: {message.get('message', message)}")
    if result.returncode != 0 and not errors:
        raise AssertionError(f"vnu failed (exit {result.returncode}): {result.stderr[:1000]}")
    return errors


# Fixtures ------------------------------------------------------------------------------------------

BROWSER_FIXTURES = {"browser", "served_corpus", "page_context", "nojs_context", "dark_context"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the browser tools ``browser`` (``-m "not browser"`` skips them)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, headless, for the whole session."""
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: {INSTALL_HINT}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def served_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBuild]:
    """The real corpus built with ``SITEURL=http://127.0.0.1:PORT/repo`` and served there.

    Its search index is split into four bundles (bundles of at least 100 pages instead of
    1,000), so the browser tests search across bundles as a large site's readers do.
    """
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    served = serve_build(CORPUS, tmp_path_factory.mktemp("served-corpus"), extra=SHARDED_SEARCH)
    yield served
    served.server.close()


@pytest.fixture(scope="session")
def page_context(browser, served_corpus: ServedBuild) -> Iterator[object]:
    """A JavaScript-enabled, light-scheme context that only reaches the served corpus."""
    context = new_context(browser, served_corpus.server.origin)
    yield context
    context.close()


@pytest.fixture(scope="session")
def dark_context(browser, served_corpus: ServedBuild) -> Iterator[object]:
    """Like ``page_context`` with ``prefers-color-scheme: dark``."""
    context = new_context(browser, served_corpus.server.origin, color_scheme="dark")
    yield context
    context.close()


@pytest.fixture(scope="session")
def nojs_context(browser, served_corpus: ServedBuild) -> Iterator[object]:
    """Like ``page_context`` with JavaScript disabled."""
    context = new_context(browser, served_corpus.server.origin, javascript=False)
    yield context
    context.close()
