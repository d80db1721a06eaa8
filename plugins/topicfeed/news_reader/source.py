"""From bytes on disk to the raw YAML mapping of a news item, with one clear error per failure.

Files are told apart by content: a file whose front matter carries news-item fields, or that
is nothing but front matter, is a news item; any other ``.md`` file is left to Pelican's
Markdown reader.

Files saved by Windows tools read exactly as their plain-LF twins: ``decode`` drops a UTF-8
byte-order mark and turns CRLF and lone CR line endings into LF before anything looks at the
text (YAML itself treats all three as one line break, so no value changes), and
``extension_variants`` lets the plugin register ``.TXT``, ``.Md``... (Pelican matches file
extensions case-sensitively, so an upper-case ``.TXT`` would otherwise be skipped silently).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # yaml-rs (Rust) parses these files ~8x faster than libyaml, with the same results.
    import yaml_rs
except ImportError:  # pragma: no cover - the pinned wheel is installed everywhere we build
    yaml_rs = None

_NEWS_KEYS = re.compile(
    r"^(publishedDateTime|webUrl|sourceUrl|originalUrl|secured|excerpt|ampWebUrl|cdnAmpWebUrl)\s*:",
    re.MULTILINE,
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ASCII_SPACE = " \t\n\r\x0b\x0c"  # what bytes.strip() strips: the test for an empty file


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
# YAML 1.2 booleans only (as yaml-rs): `yes`/`no`/`on`/`off` stay text, so both loaders agree.
NewsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NewsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=200_000) if yaml_rs else None
_DUPLICATE = re.compile(r"duplicate mapping key: ?'?([^'\n]*)'?")


@dataclass(frozen=True, slots=True)
class Split:
    """A text cut at its front matter; ``closed`` is False when the closing line is missing."""

    front: str
    body: str
    closed: bool


def extension_variants(extension: str) -> list[str]:
    """Every upper/lower-case spelling of ``extension`` (``txt`` -> ``txt``, ``txT``, ... ``TXT``).

    Pelican picks a reader by the exact extension, so the plugin registers each spelling.
    """
    spellings = itertools.product(*({char.lower(), char.upper()} for char in extension))
    return sorted({"".join(chars) for chars in spellings})


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR to LF, as YAML's own line-break normalization and Python's text mode do."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, max_bytes: int) -> str:
    """Bytes to LF-only text, refusing empty, oversized, binary and non-UTF-8 files.

    A leading UTF-8 byte-order mark is dropped and line endings are normalized, so a file saved
    on Windows gives the same text, and the same item, as its plain-LF twin.
    """
    if len(data) > max_bytes:
        raise SourceError("(file)", f"file is {len(data)} bytes, over the {max_bytes}-byte limit")
    if data.startswith(_UTF16_BOMS):
        raise SourceError("(file)", "UTF-16 text (Windows 'Unicode'); save it as UTF-8")
    if b"\x00" in data:
        raise SourceError("(file)", "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError("(file)", f"not UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip(_ASCII_SPACE):
        raise SourceError("(file)", "empty file")
    return normalize_newlines(text)


def split_front_matter(text: str) -> Split | None:
    """Cut ``---`` front matter from ``text``; None when the file does not start with it."""
    stripped = text.lstrip()
    first_line, _, rest = stripped.partition("\n")
    if first_line.rstrip() != "---":
        return None
    found = closing_delimiter(rest)
    if found is None:
        return Split(front=rest, body="", closed=False)
    return Split(front=rest[: found[0]], body=rest[found[1] :], closed=True)


def closing_delimiter(text: str) -> tuple[int, int] | None:
    """Where the first line of ``text`` that is ``---`` (then only spaces or tabs) starts and ends.

    What ``re.search(r"^---[ \t]*$", text, re.MULTILINE)`` finds (``match.start()``,
    ``match.end()``; a test compares the two on every short string of the characters that
    matter), about six times faster: a pattern that starts with ``^`` is tried at every
    character, 28 us for a 5 KB item, and each file read is split twice.
    """
    at = 0 if text.startswith("---") else _next_dashes(text, 0)
    while at >= 0:
        end = text.find("\n", at + 3)
        if end < 0:
            end = len(text)
        if not text[at + 3 : end].strip(" \t"):
            return at, end
        at = _next_dashes(text, at)
    return None


def _next_dashes(text: str, after: int) -> int:
    """The start of the next line after ``after`` that begins with ``---``; -1 when none does."""
    found = text.find("\n---", after)
    return found + 1 if found >= 0 else -1


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


def _parse_with_yaml_rs(front: str, duplicates: str) -> Any:
    policy = (
        yaml_rs.DuplicateKeyPolicy.Error if duplicates == "error" else yaml_rs.DuplicateKeyPolicy.LastWins
    )
    try:
        return yaml_rs.loads(
            front, parse_datetime=False, alias_limits=_ALIAS_LIMITS, duplicate_key_policy=policy
        )
    except yaml_rs.YAMLDecodeError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        match = re.search(r"line (\d+)", lines[0]) if lines else None
        where = f" at line {int(match.group(1)) + 1}" if match else ""
        duplicate = _DUPLICATE.search(str(error))
        if duplicate:
            raise _DuplicateKey(duplicate.group(1)) from None
        problem = lines[-1] if lines else "unreadable"
        raise SourceError("(yaml)", f"malformed YAML{where}: {problem}") from None


def _parse_with_pyyaml(front: str) -> Any:
    try:
        return yaml.load(front, Loader=NewsLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SourceError("(yaml)", f"malformed YAML{where}: {problem}") from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_yaml(front: str) -> tuple[Any, list[str]]:
    """Parse front matter text; returns the data and the duplicated keys (the last one wins)."""
    try:
        if yaml_rs is None:
            return _parse_with_pyyaml(front), []
        try:
            return _parse_with_yaml_rs(front, "error"), []
        except _DuplicateKey as duplicate:
            return _parse_with_yaml_rs(front, "last"), [duplicate.key]
    except RecursionError:
        raise SourceError("(yaml)", "malformed YAML: nested too deeply") from None


def load_front_matter(text: str) -> tuple[dict[str, Any], str, list[str]]:
    """Parse the front matter of a news item: the mapping, any body text, duplicated keys."""
    split = split_front_matter(text)
    if split is None:
        raise SourceError("(front matter)", "does not start with a '---' line")
    if not split.closed:
        raise SourceError("(front matter)", "no closing '---' line")
    data, duplicates = parse_yaml(split.front)
    if data is None:
        raise SourceError("(front matter)", "front matter is empty")
    if not isinstance(data, dict):
        raise SourceError("(front matter)", f"expected a map of fields, got {type(data).__name__}")
    return data, split.body, duplicates
