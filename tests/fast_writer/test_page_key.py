"""A page's key: the template, the salt, and exactly the values the template read."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment

from topicfeed import template_reads as tracking
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


def test_shared_base_parts_give_each_jobs_own_key() -> None:
    """Pages keyed with the base's parts made once give the keys of their merged contexts, also
    when a page's own value shadows the base's, a read is a part of a base list, a name is
    missing, or a base value has no digest."""
    from topicfeed.fast_writer.render import SharedParts

    base = {"SITENAME": "Site", "articles": [Story("A"), Story("B"), Story("C")], "article": Story("Z")}
    jobs = [
        Job("/out/a.html", None, base, {"article": Story("A")}),
        Job("/out/b.html", None, base, {"article": Story("B"), "page": 2}),
        Job("/out/c.html", None, base, {}),  # the base's article
        Job("/out/d.html", None, base, {"articles": [Story("D")]}),
    ]
    reads = ["SITENAME", "article", "articles[:2]", "articles?", "page", "absent"]
    prints = Fingerprinter()
    shared = SharedParts(prints)
    for job in jobs * 2:
        assert page_key(b"s", "t.html", reads, job, prints, shared) == page_key(
            b"s", "t.html", reads, job.context(), Fingerprinter()
        ), job.path
    keys = {page_key(b"s", "t.html", reads, job, prints, shared) for job in jobs}
    assert len(keys) == len(jobs)
    unkeyable = Job("/out/e.html", None, {**base, "odd": object()}, {})
    assert page_key(b"s", "t.html", [*reads, "odd"], unkeyable, prints, shared) is None
    assert page_key(b"s", "t.html", [*reads, "odd"], Job("/out/f.html", None, base, {}), prints, shared)


def test_a_base_value_is_digested_once_for_all_pages(monkeypatch: Any) -> None:
    """The base's parts are made for the first page of a list of reads, then reused."""
    from topicfeed.fast_writer.render import SharedParts

    prints = Fingerprinter()
    asked: list[str] = []
    real = prints.digest_named

    def counting(name: str, value: Any) -> bytes | None:
        asked.append(name)
        return real(name, value)

    monkeypatch.setattr(prints, "digest_named", counting)
    base = {"SITENAME": "Site", "articles": [Story("A"), Story("B")]}
    shared = SharedParts(prints)
    for n in range(50):
        job = Job(f"/out/{n}.html", None, base, {"article": Story(str(n))})
        page_key(b"s", "t.html", ["SITENAME", "article", "articles[:1]"], job, prints, shared)
    assert asked.count("SITENAME") == 1 and asked.count("articles[:1]") == 1
    assert asked.count("article") == 50
