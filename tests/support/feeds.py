"""Checks shared by the feed tests: parse a feed of any format into one shape, validate each format.

Each ``check_*`` function returns a list of problems (empty when the feed is fine), so a test
can report every problem of every feed at once.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from bs4 import BeautifulSoup

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "atom.rnc"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
FEED_TYPES = {
    "application/atom+xml": "atom",
    "application/rss+xml": "rss",
    "application/feed+json": "json",
}
# RFC 822 (as updated by RFC 1123 and RFC 2822): day, date, time with seconds, numeric zone.
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}"
)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
UNSAFE_TAGS = ("script", "iframe", "object", "embed", "frame", "frameset", "form", "style", "link", "meta")


@dataclass
class Entry:
    """One entry of any format, reduced to what the tests compare."""

    id: str
    title: str
    link: str
    published: str
    html: str = ""
    summary: str = ""
    author: str = ""
    categories: list[str] = field(default_factory=list)
    related: str | None = None
    thumbnail: str | None = None


@dataclass
class Feed:
    path: Path
    format: str
    title: str
    link: str
    self_url: str
    entries: list[Entry]


def xml_root(path: Path) -> ET.Element:
    """The root element of an XML file of our own build output (trusted, so no defusedxml)."""
    return ET.parse(path).getroot()  # noqa: S314


def _text(element: ET.Element | None) -> str:
    return element.text or "" if element is not None else ""


def parse_atom(path: Path) -> Feed:
    root = xml_root(path)
    entries = []
    for node in root.findall(f"{ATOM}entry"):
        links = {link.get("rel", "alternate"): link.get("href", "") for link in node.findall(f"{ATOM}link")}
        thumbnail = node.find(f"{MEDIA}thumbnail")
        entries.append(
            Entry(
                id=_text(node.find(f"{ATOM}id")),
                title=_text(node.find(f"{ATOM}title")),
                link=links.get("alternate", ""),
                published=_text(node.find(f"{ATOM}published")),
                html=_text(node.find(f"{ATOM}content")),
                summary=_text(node.find(f"{ATOM}summary")),
                author=_text(node.find(f"{ATOM}author/{ATOM}name")),
                categories=[c.get("term", "") for c in node.findall(f"{ATOM}category")],
                related=links.get("related"),
                thumbnail=thumbnail.get("url") if thumbnail is not None else None,
            )
        )
    links = {link.get("rel", "alternate"): link.get("href", "") for link in root.findall(f"{ATOM}link")}
    return Feed(
        path,
        "atom",
        _text(root.find(f"{ATOM}title")),
        links.get("alternate", ""),
        links.get("self", ""),
        entries,
    )


def parse_rss(path: Path) -> Feed:
    channel = xml_root(path).find("channel")
    assert channel is not None, path
    entries = []
    for node in channel.findall("item"):
        thumbnail = node.find(f"{MEDIA}thumbnail")
        entries.append(
            Entry(
                id=_text(node.find("guid")),
                title=_text(node.find("title")),
                link=_text(node.find("link")),
                published=_text(node.find("pubDate")),
                html=_text(node.find("description")),
                author=_text(node.find(f"{DC}creator")),
                categories=[_text(c) for c in node.findall("category")],
                thumbnail=thumbnail.get("url") if thumbnail is not None else None,
            )
        )
    self_link = channel.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
    return Feed(
        path,
        "rss",
        _text(channel.find("title")),
        _text(channel.find("link")),
        self_link.get("href", "") if self_link is not None else "",
        entries,
    )


def parse_json(path: Path) -> Feed:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = [
        Entry(
            id=item.get("id", ""),
            title=item.get("title", ""),
            link=item.get("url", ""),
            published=item.get("date_published", ""),
            html=item.get("content_html", ""),
            summary=item.get("summary", ""),
            author=(item.get("authors") or [{}])[0].get("name", ""),
            categories=item.get("tags", []),
            related=item.get("external_url"),
            thumbnail=item.get("image"),
        )
        for item in data.get("items", [])
    ]
    return Feed(
        path, "json", data.get("title", ""), data.get("home_page_url", ""), data.get("feed_url", ""), entries
    )


PARSERS = {"atom": parse_atom, "rss": parse_rss, "json": parse_json}


def feed_format(path: Path) -> str:
    name = path.name
    return "atom" if name.endswith(".atom.xml") else "rss" if name.endswith(".rss.xml") else "json"


def parse(path: Path) -> Feed:
    return PARSERS[feed_format(path)](path)


# -- checks ------------------------------------------------------------------------------------


def jing(paths: list[Path]) -> tuple[int, str]:
    """Validate Atom files against RFC 4287's RELAX NG schema (compact syntax) in one jing run."""
    result = subprocess.run(
        ["jing", "-c", str(SCHEMA), *map(str, paths)], capture_output=True, text=True, timeout=600
    )
    errors = [line for line in result.stdout.splitlines() if line.strip()]
    return result.returncode, "\n".join(errors)


def check_atom_rules(path: Path) -> list[str]:
    """The RFC's two Schematron rules, which jing does not check, and our own Atom rules."""
    root = xml_root(path)
    problems = []
    feed_author = root.find(f"{ATOM}author") is not None
    for index, entry in enumerate(root.findall(f"{ATOM}entry")):
        rels = [link.get("rel", "alternate") for link in entry.findall(f"{ATOM}link")]
        if "alternate" not in rels and entry.find(f"{ATOM}content") is None:
            problems.append(f"{path.name}: entry {index}: no alternate link and no content")
        if not feed_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"{path.name}: entry {index}: no author and the feed has none")
        for name in ("published", "updated"):
            value = _text(entry.find(f"{ATOM}{name}"))
            if not RFC3339.fullmatch(value):
                problems.append(
                    f"{path.name}: entry {index}: {name} {value!r} is not RFC 3339 with an offset"
                )
    return problems


def check_rss(path: Path) -> list[str]:
    """RSS 2.0's required elements, RFC 822 dates, unique non-permalink guids."""
    problems = []
    root = xml_root(path)
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"{path.name}: not an RSS 2.0 document"]
    channel = root.find("channel")
    if channel is None:
        return [f"{path.name}: no channel"]
    for name in ("title", "link", "description"):
        if not _text(channel.find(name)).strip():
            problems.append(f"{path.name}: channel has no {name}")
    last_build = channel.find("lastBuildDate")
    if last_build is not None and not RFC822.fullmatch(_text(last_build)):
        problems.append(f"{path.name}: lastBuildDate {_text(last_build)!r} is not RFC 822")
    for index, item in enumerate(channel.findall("item")):
        if not _text(item.find("title")) and not _text(item.find("description")):
            problems.append(f"{path.name}: item {index}: neither title nor description")
        date = _text(item.find("pubDate"))
        if not RFC822.fullmatch(date):
            problems.append(f"{path.name}: item {index}: pubDate {date!r} is not RFC 822")
        else:
            email.utils.parsedate_to_datetime(date)
        guid = item.find("guid")
        if guid is None or guid.get("isPermaLink") != "false" or not _text(guid):
            problems.append(f"{path.name}: item {index}: guid missing or not isPermaLink=false")
    return problems


def check_json_feed(path: Path) -> list[str]:
    """JSON Feed 1.1: required top-level and item fields, RFC 3339 dates."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if data.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"{path.name}: version is {data.get('version')!r}")
    if not isinstance(data.get("title"), str) or not data["title"]:
        problems.append(f"{path.name}: no title")
    if not isinstance(data.get("items"), list):
        return [*problems, f"{path.name}: items is not a list"]
    for index, item in enumerate(data["items"]):
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{path.name}: item {index}: id missing or not a string")
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"{path.name}: item {index}: neither content_html nor content_text")
        date = item.get("date_published", "")
        if not RFC3339.fullmatch(date):
            problems.append(f"{path.name}: item {index}: date_published {date!r} is not RFC 3339")
    return problems


def check_feedparser(path: Path, expected_entries: int) -> list[str]:
    parsed = feedparser.parse(str(path))
    problems = []
    if parsed.bozo:
        problems.append(f"{path.name}: feedparser: {parsed.bozo_exception!r}")
    if len(parsed.entries) != expected_entries:
        problems.append(f"{path.name}: feedparser read {len(parsed.entries)} of {expected_entries} entries")
    return problems


def check_absolute(feed: Feed, base: str) -> list[str]:
    """Every URL of the feed and its entries is absolute and, for our pages, under ``base``."""
    problems = []
    for name, url in (("link", feed.link), ("self", feed.self_url)):
        if not url.startswith(base):
            problems.append(f"{feed.path.name}: feed {name} {url!r} is not under {base}")
    for entry in feed.entries:
        if not entry.link.startswith(base + "/"):
            problems.append(f"{feed.path.name}: {entry.id}: link {entry.link!r} is not under {base}")
        for url in (entry.related, entry.thumbnail):
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                problems.append(f"{feed.path.name}: {entry.id}: {url!r} is not absolute")
        for tag in BeautifulSoup(entry.html, "html.parser").find_all(True):
            for name in ("href", "src"):
                url = tag.get(name)
                if url is not None and urlsplit(str(url)).scheme not in ("http", "https"):
                    problems.append(
                        f"{feed.path.name}: {entry.id}: {name}={url!r} in the content is not absolute"
                    )
    return problems


def check_safe_html(feed: Feed) -> list[str]:
    """No script, iframe or other active markup, no event handler, no javascript: URL."""
    problems = []
    for entry in feed.entries:
        soup = BeautifulSoup(entry.html, "html.parser")
        for tag in soup.find_all(True):
            if tag.name in UNSAFE_TAGS:
                problems.append(f"{feed.path.name}: {entry.id}: <{tag.name}> in the content")
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on") or text.strip().lower().startswith("javascript:"):
                    problems.append(f"{feed.path.name}: {entry.id}: unsafe attribute {name}={text!r}")
    return problems


def check_unique_ids(feed: Feed) -> list[str]:
    ids = [entry.id for entry in feed.entries]
    return [f"{feed.path.name}: duplicate entry ids"] if len(ids) != len(set(ids)) else []


# -- a real reader -----------------------------------------------------------------------------


@dataclass
class NewsboatItem:
    guid: str
    title: str
    url: str
    author: str
    published: dt.datetime


def newsboat(url: str) -> tuple[str, list[NewsboatItem]]:
    """Load one feed URL into a fresh newsboat cache non-interactively; its output and items."""
    executable = shutil.which("newsboat")
    assert executable, "newsboat is not installed: run `make testdeps` (tools/install-test-deps.sh)"
    with tempfile.TemporaryDirectory(prefix="newsboat-") as temp:
        home = Path(temp)
        (home / "urls").write_text(url + "\n", encoding="utf-8")
        (home / "config").write_text("", encoding="utf-8")
        result = subprocess.run(
            [
                executable,
                "-u",
                str(home / "urls"),
                "-c",
                str(home / "cache.db"),
                "-C",
                str(home / "config"),
                "-x",
                "reload",
                "print-unread",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            env={"HOME": temp, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb"},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        with sqlite3.connect(home / "cache.db") as cache:
            rows = cache.execute("SELECT guid, title, url, author, pubDate FROM rss_item").fetchall()
    items = [NewsboatItem(g, t, u, a, dt.datetime.fromtimestamp(p, dt.UTC)) for g, t, u, a, p in rows]
    return result.stdout.strip(), items
