"""Sub-path safety: the corpus built for ``http://127.0.0.1:PORT/repo`` and served only there
(as GitHub Pages serves a project site) is crawled with LinkChecker; no link may be broken.

LinkChecker (the ``linkchecker`` pin, run from the virtualenv) starts at the home page plus
every URL of ours named in the files no page links to as a link (sitemaps, robots.txt, feeds,
OPML, the search bundle's entry points), follows every link, stylesheet, script, image,
pagination link and ``<link rel="alternate">`` on our host, checks ``#fragment`` anchors, and
never touches the network: every URL that is not on 127.0.0.1:PORT is only syntax-checked
(``--ignore-url``), and any proxy it might use points at a closed loopback port.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.browser import ServedBuild

LINKCHECKER = Path(sys.executable).parent / "linkchecker"
# Files that carry URLs of ours but are not HTML pages: their URLs become start URLs.
NON_HTML = ("*.xml", "*.json", "*.opml", "*.txt")
SEARCH_ENTRY_POINTS = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
# maxrequestspersecond: LinkChecker honours more than 10 a second only from a server that sends
# a "LinkChecker" header, which the loopback test server does (support.browser). Feeds, sitemaps
# and JSON are fetched but not parsed for links (their URLs are start URLs instead), which
# LinkChecker would report as a warning.
CONFIG = """\
[checking]
threads=4
timeout=30
maxrequestspersecond=1000
[filtering]
checkextern=0
ignorewarnings=url-content-type-unparseable
[AnchorCheck]
"""


def search_entry_points(bundle: Path) -> list[str]:
    """The search bundles' list and each bundle's entry files, relative to the bundle folder."""
    listing = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))
    found = ["shards.json"]
    for shard in listing["shards"]:
        found += [
            shard["path"] + name for name in SEARCH_ENTRY_POINTS if (bundle / shard["path"] / name).is_file()
        ]
    return found


def urls_in_files(served: ServedBuild) -> set[str]:
    """Every URL under the site's base URL written in the sitemaps, feeds, OPML and robots.txt."""
    pattern = re.compile(re.escape(served.server.base_url) + r"/[^\s\"'<>)\\]*")
    found: set[str] = set()
    for glob in NON_HTML:
        for path in served.build.output.rglob(glob):
            if "pagefind" not in path.relative_to(served.build.output).parts:
                found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def crawl(served_corpus: ServedBuild, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run LinkChecker once over the served corpus; its CSV rows and timing."""
    assert LINKCHECKER.is_file(), f"{LINKCHECKER} missing: pip install -r requirements.txt"
    home = tmp_path_factory.mktemp("linkchecker")
    (home / "linkcheckerrc").write_text(CONFIG, encoding="utf-8")
    origin = re.escape(served_corpus.server.origin)
    bundle = served_corpus.build.output / "pagefind"
    starts = [served_corpus.url("/"), served_corpus.url("/robots.txt")]  # robots.txt: by convention
    starts += sorted(urls_in_files(served_corpus))
    starts += [served_corpus.url(f"/pagefind/{name}") for name in search_entry_points(bundle)]
    command = [
        str(LINKCHECKER),
        "--config",
        str(home / "linkcheckerrc"),
        "--no-robots",  # robots.txt is read at a host's root; ours is under /repo/ and allows all
        "--no-status",
        "--verbose",  # every URL, not only errors: the coverage assertions need them
        "--output",
        "csv/utf-8",
        # Only URLs on our loopback host are fetched; everything else is checked for syntax only.
        "--ignore-url",
        f"^(?!{origin}/)",
        # Our host outside /repo/ is fetched (a URL that forgot SITEURL's path must show up as
        # broken) but not crawled further.
        "--no-follow-url",
        f"^{origin}/(?!repo/)",
        "--stdin",
    ]
    dead_proxy = "http://127.0.0.1:9"  # discard port, closed: a proxied request fails loudly
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "http_proxy": dead_proxy,
        "https_proxy": dead_proxy,
        "ftp_proxy": dead_proxy,
        "no_proxy": "127.0.0.1",
    }
    started = time.perf_counter()
    result = subprocess.run(
        command,
        input="\n".join(starts) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))
    assert rows, f"LinkChecker gave no rows (exit {result.returncode}): {result.stderr[-2000:]}"
    print(f"\nLinkChecker: {len(rows)} URLs in {seconds:.1f} s (exit {result.returncode})")
    return {"rows": rows, "returncode": result.returncode, "stderr": result.stderr, "starts": starts}


def _ours(row: dict[str, str], served: ServedBuild) -> bool:
    return row["url"].startswith(served.server.origin + "/")


def _pending(row: dict[str, str], served: ServedBuild) -> bool:
    """A link to a source page while the build has none yet: the feeds (issue 5) link
    ``/sources/{slug}/``, the pages come with the related-stories work. Once the build has
    ``sources/index.html`` every such link is checked like any other."""
    if (served.build.output / "sources" / "index.html").is_file():
        return False
    return row["url"].startswith(served.server.base_url + "/sources/") and row["result"].startswith("404")


def test_no_broken_link_under_the_subpath(crawl: dict[str, object], served_corpus: ServedBuild) -> None:
    rows: list[dict[str, str]] = crawl["rows"]  # type: ignore[assignment]
    broken = [
        f"{row['url']} (from {row['parentname'] or 'start'}): {row['result']} {row['warningstring']}"
        for row in rows
        if (row["valid"] != "True" and not _pending(row, served_corpus))
        or (_ours(row, served_corpus) and row["warningstring"])
    ]
    assert broken == [], f"{len(broken)} broken:\n" + "\n".join(broken[:40])
    if not any(_pending(row, served_corpus) for row in rows):
        assert crawl["returncode"] == 0, crawl["stderr"]


def test_every_url_of_ours_was_fetched_not_filtered(
    crawl: dict[str, object], served_corpus: ServedBuild
) -> None:
    rows: list[dict[str, str]] = crawl["rows"]  # type: ignore[assignment]
    ours = [row for row in rows if _ours(row, served_corpus)]
    assert ours
    assert all(row["url"].startswith(served_corpus.server.base_url + "/") for row in ours), [
        row["url"] for row in ours if not row["url"].startswith(served_corpus.server.base_url + "/")
    ][:10]
    unfetched = [row["url"] for row in ours if "filtered" in row["result"] or "syntax" in row["infostring"]]
    assert unfetched == [], unfetched[:10]
    # The stories' own links were seen and left alone: syntax only, never fetched.
    others = [row for row in rows if not _ours(row, served_corpus)]
    assert others, "the crawl saw no link to a story: did it crawl the articles?"
    assert all("syntax" in row["infostring"] or "ignored" in row["result"].lower() for row in others), others[
        :3
    ]


def test_the_crawl_reached_every_page_feed_and_asset(
    crawl: dict[str, object], served_corpus: ServedBuild
) -> None:
    """Every HTML page (pagination included), stylesheet, script and feed of the build was
    reached, so the zero-broken-links result covers the whole site."""
    rows: list[dict[str, str]] = crawl["rows"]  # type: ignore[assignment]
    fetched = {
        row["url"].split("#")[0] for row in rows if _ours(row, served_corpus) and row["valid"] == "True"
    }
    out = served_corpus.build.output
    expected = set()
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        if not path.is_file() or relative.startswith("pagefind/") or relative == "404.html":
            continue
        if path.suffix in (".html", ".css", ".js", ".xml", ".json", ".opml", ".txt"):
            url = relative.removesuffix("index.html")
            expected.add(served_corpus.url("/" + url))
    missing = sorted(expected - fetched)
    assert missing == [], f"{len(missing)} files never reached:\n" + "\n".join(missing[:30])
    assert any("/page/2/" in url for url in fetched), "no pagination page crawled"
    assert any(url.endswith(".css") for url in fetched) and any(url.endswith("/search.js") for url in fetched)
    entry_points = search_entry_points(out / "pagefind")
    assert len(entry_points) > len(SEARCH_ENTRY_POINTS)  # the list and every bundle's files
    for name in entry_points:
        assert served_corpus.url(f"/pagefind/{name}") in fetched
