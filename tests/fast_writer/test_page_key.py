"""A page's key: the template, the salt, and exactly the values the template read."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment

from topicfeed.fast_writer import tracking
from topicfeed.fast_writer.fingerprint import Fingerprinter
from topicfeed.fast_writer.manifest import file_stat
from topicfeed.fast_writer.render import Job, page_key, render_jobs


def key(
    reads: list[str], context: dict[str, Any], salt: bytes = b"s", template: str = "article.html"
) -> str | None:
    return page_key(salt, template, reads, context, Fingerprinter())


def test_only_the_names_read_count() -> None:
    context = {"title": "A", "unread": 1}
    assert key(["title"], context) == key(["title"], {**context, "unread": 2})
    assert key(["title"], context) != key(["title"], {**context, "title": "B"})


def test_order_of_reads_does_not_matter() -> None:
    context = {"a": 1, "b": 2}
    assert key(["a", "b"], context) == key(["b", "a"], context)


def test_template_salt_and_names_are_part_of_the_key() -> None:
    context = {"a": 1, "b": 1}
    base = key(["a"], context)
    assert base != key(["a"], context, template="index.html")
    assert base != key(["a"], context, salt=b"other code")
    assert base != key(["b"], context)  # same value, another name


def test_a_name_that_appears_or_goes_away_changes_the_key() -> None:
    assert key(["a"], {}) != key(["a"], {"a": None})


def test_a_value_without_a_digest_means_no_key() -> None:
    assert key(["a"], {"a": object()}) is None
    assert key(["b"], {"a": object(), "b": 1}) is not None


class Story:
    def __init__(self, title: str) -> None:
        self.title = title


def test_rendered_pages_are_written_once_and_keyed_with_the_builds_digests(tmp_path: Path) -> None:
    """A page's file holds what Pelican would write, its stat is the file's, and the key is made
    with the fingerprinter handed in (the build's, whose digests a forked renderer inherits)."""
    env = Environment(autoescape=True)
    tracking.install(SimpleNamespace(env=env))
    template = env.from_string("<p>{{ story.title }}</p>\n<p>é</p>")
    story = Story("A & B")
    prints = Fingerprinter()
    prints.digest(story)
    remembered = dict(prints._memo)
    path = tmp_path / "a.html"
    rendered = render_jobs([Job(str(path), template, {}, {"story": story})], b"s", prints)
    [(written, reads, page, stat)] = rendered.pages
    assert written == str(path) and reads == ["story"]
    assert path.read_bytes() == "<p>A &amp; B</p>\n<p>é</p>".encode()
    assert stat == file_stat(path)
    assert page == page_key(b"s", template.name or "", reads, {"story": story}, Fingerprinter())
    assert prints._memo == remembered  # the story's digest was reused, not made again


def test_a_job_keys_as_its_merged_context_does() -> None:
    """``page_key`` looks the reads up in the job itself (its changes over its base) instead of a
    merged copy of the whole context: the same key, and a change shadows the base's value."""
    base = {"title": "Site", "article": Story("A"), "stories": [1, 2]}
    job = Job("/out/a.html", None, base, {"article": Story("B"), "page": 2, "nothing": None})
    reads = ["article", "nothing", "page", "stories[:1]", "stories?", "title", "absent"]
    prints = Fingerprinter()
    assert page_key(b"s", "a.html", reads, job, prints) == page_key(
        b"s", "a.html", reads, job.context(), prints
    )
    assert job.get("article") is job.changes["article"] and job.get("nothing", 1) is None
    assert job.get("title") == "Site" and job.get("absent", 7) == 7
