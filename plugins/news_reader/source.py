"""From bytes on disk to the raw YAML mapping of a news item, with one clear error per failure.

Files are told apart by content: a file whose front matter carries news-item fields, or that
is nothing but front matter, is a news item; any other ``.md`` file is left to Pelican's
Markdown reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_NEWS_KEYS = re.compile(
    r"^(publishedDateTime|webUrl|sourceUrl|originalUrl|secured|excerpt|ampWebUrl|cdnAmpWebUrl)\s*:",
    re.MULTILINE,
)
_DELIMITER = re.compile(r"^---[ \t]*$", re.MULTILINE)


class SourceError(ValueError):
    """The file cannot be read as a news item; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NewsLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML (libyaml when present) that keeps timestamps as text.

    PyYAML turns timestamps into datetimes itself and raises on an impossible date such as
    month 13, which would lose the whole file; the model parses them instead, per field.
    """


NewsLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@dataclass(frozen=True, slots=True)
class Split:
    """A text cut at its front matter; ``closed`` is False when the closing line is missing."""

    front: str
    body: str
    closed: bool


def decode(data: bytes, max_bytes: int) -> str:
    """Bytes to text, refusing empty, oversized, binary and non-UTF-8 files."""
    if not data.strip():
        raise SourceError("(file)", "empty file")
    if len(data) > max_bytes:
        raise SourceError("(file)", f"file is {len(data)} bytes, over the {max_bytes}-byte limit")
    if b"\x00" in data:
        raise SourceError("(file)", "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError("(file)", f"not UTF-8 text (bad byte at offset {error.start})") from None


def split_front_matter(text: str) -> Split | None:
    """Cut ``---`` front matter from ``text``; None when the file does not start with it."""
    stripped = text.lstrip()
    first_line, _, rest = stripped.partition("\n")
    if first_line.rstrip() != "---":
        return None
    match = _DELIMITER.search(rest)
    if match is None:
        return Split(front=rest, body="", closed=False)
    return Split(front=rest[: match.start()], body=rest[match.end() :], closed=True)


def is_news_item(text: str, extension: str, news_extensions: tuple[str, ...]) -> bool:
    """Whether to read ``text`` as a news item rather than hand it to the Markdown reader."""
    split = split_front_matter(text)
    if split is None:
        return extension not in ("md", "markdown", "mdown", "mkd")
    if _NEWS_KEYS.search(split.front):
        return True
    if extension == "txt" or (extension in news_extensions and extension != "md"):
        return True
    return split.closed and not split.body.strip()


def load_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Parse the front matter of a news item; returns the mapping and any body text."""
    split = split_front_matter(text)
    if split is None:
        raise SourceError("(front matter)", "does not start with a '---' line")
    if not split.closed:
        raise SourceError("(front matter)", "no closing '---' line")
    try:
        data = yaml.load(split.front, Loader=NewsLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SourceError("(yaml)", f"malformed YAML{where}: {problem}") from None
    except RecursionError:
        raise SourceError("(yaml)", "malformed YAML: nested too deeply") from None
    if data is None:
        raise SourceError("(front matter)", "front matter is empty")
    if not isinstance(data, dict):
        raise SourceError("(front matter)", f"expected a map of fields, got {type(data).__name__}")
    return data, split.body
