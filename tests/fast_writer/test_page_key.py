"""A page's key: the template, the salt, and exactly the values the template read."""

from __future__ import annotations

from typing import Any

from topicfeed.fast_writer.fingerprint import Fingerprinter
from topicfeed.fast_writer.render import page_key


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
