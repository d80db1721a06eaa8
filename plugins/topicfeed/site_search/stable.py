"""Make Pagefind's filter and meta indexes the same from one build to the next.

Pagefind (1.5) writes its filter values, and the list of filters in its meta index, in the order
of a Rust hash map, which changes from run to run; the file names are hashes of the content, so
a site with ``data-pagefind-filter`` attributes got a different ``pagefind/`` on every build of
the same content (Pagefind's issue 638: fragments became stable in 1.3, filter and meta indexes
did not). Topicfeed promises byte-identical builds, so after Pagefind has run:

- each ``filter/*.pf_filter`` file (``[name, [[value, [page ids]], ...]]``) gets its values in
  byte order, is gzipped without a timestamp and renamed after a digest of its content;
- the meta index (``pagefind.<hash>.pf_meta``, an array whose 4th and 5th items are the filters
  ``[[name, file hash], ...]`` and the sorts ``[[name, [page ids]], ...]``) gets the new filter
  file names and both lists in byte order, and is renamed the same way;
- ``pagefind-entry.json`` names the new meta index.

Only the order of items in a list whose order Pagefind does not use is changed (it looks filters
and sorts up by name), and each item is kept byte for byte. The files are CBOR after Pagefind's
``pagefind_dcd`` signature; :func:`_items` reads just enough CBOR to find item boundaries.
A bundle in a shape this module does not know is left as it is, with a warning.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
FILTERS, SORTS = 3, 4  # positions in the meta index: version, pages, index chunks, filters, sorts, fields


class UnknownShape(ValueError):
    """The bytes are not the CBOR shape this module expects."""


def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """(major type, argument, offset after the head) of the CBOR data item at ``at``."""
    if at >= len(data):
        raise UnknownShape("truncated")
    major, info = data[at] >> 5, data[at] & 0x1F
    if info < 24:
        return major, info, at + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or at + 1 + size > len(data):
        raise UnknownShape(f"unsupported CBOR head {data[at]:#x}")
    return major, int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _end(data: bytes, at: int) -> int:
    """Offset just after the data item at ``at`` (unsigned/negative ints, strings, arrays, maps)."""
    major, argument, at = _head(data, at)
    if major in (0, 1, 7):
        return at
    if major in (2, 3):
        return at + argument
    if major == 4:
        for _ in range(argument):
            at = _end(data, at)
        return at
    if major == 5:
        for _ in range(2 * argument):
            at = _end(data, at)
        return at
    raise UnknownShape(f"unsupported CBOR major type {major}")


def array_items(data: bytes, at: int) -> tuple[bytes, list[bytes], int]:
    """The array at ``at``: (its head bytes, each item's bytes, offset after it)."""
    major, count, start = _head(data, at)
    if major != 4:
        raise UnknownShape("expected an array")
    items, offset = [], start
    for _ in range(count):
        end = _end(data, offset)
        items.append(data[offset:end])
        offset = end
    return data[at:start], items, offset


def text_in(data: bytes, position: int) -> str:
    """The text string at ``position`` of the array ``data`` (an item of an index's array)."""
    _, items, _ = array_items(data, 0)
    if position >= len(items):
        raise UnknownShape("array too short")
    major, length, start = _head(items[position], 0)
    if major != 3 or start + length != len(items[position]):
        raise UnknownShape("expected a text string")
    return items[position][start:].decode("utf-8")


def _sorted_array(data: bytes) -> bytes:
    head, items, end = array_items(data, 0)
    if end != len(data):
        raise UnknownShape("trailing bytes")
    return head + b"".join(sorted(items))


def read_index(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise UnknownShape(f"{path.name}: no Pagefind signature")
    return data[len(SIGNATURE) :]


def _write(folder: Path, prefix: str, digits: int, suffix: str, body: bytes) -> str:
    """Write ``body`` gzipped (no timestamp) under a name from its digest; return the hash part."""
    name = f"{prefix}_{hashlib.sha256(body).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(SIGNATURE + body, mtime=0))
    return name


def _stable_filter(data: bytes) -> bytes:
    """``[name, [[value, ids], ...]]`` with the values in byte order."""
    head, (name, values), end = array_items(data, 0)
    if end != len(data):
        raise UnknownShape("trailing bytes")
    return head + name + _sorted_array(values)


def stabilise(bundle: Path) -> bool:
    """Rewrite the bundle's filter and meta indexes in a stable order; False if left untouched."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for language in entry["languages"].values():
            _stabilise_language(bundle, language)
    except (OSError, ValueError, KeyError, UnknownShape) as error:
        logger.warning("search: the index is not in a shape Topicfeed can make stable (%s)", error)
        return False
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True


def _stabilise_language(bundle: Path, language: dict) -> None:
    meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
    meta = read_index(meta_path)
    head, parts, end = array_items(meta, 0)
    if end != len(meta) or len(parts) <= SORTS:
        raise UnknownShape("meta index")
    renamed: dict[bytes, bytes] = {}
    language_prefix = language["hash"].partition("_")[0]
    for path in sorted((bundle / "filter").glob(f"{language_prefix}_*.pf_filter")):
        old = path.name.removesuffix(".pf_filter")
        prefix, _, digest = old.partition("_")
        body = _stable_filter(read_index(path))
        path.unlink()
        new = _write(bundle / "filter", prefix, len(digest), ".pf_filter", body)
        renamed[old.encode()] = new.encode()
    filters = parts[FILTERS]
    for old, new in renamed.items():  # same length: the CBOR string heads stay valid
        filters = filters.replace(old, new)
    parts[FILTERS] = _sorted_array(filters)
    parts[SORTS] = _sorted_array(parts[SORTS])
    prefix, _, digest = language["hash"].partition("_")
    meta_path.unlink()
    language["hash"] = _write(bundle, f"pagefind.{prefix}", len(digest), ".pf_meta", head + b"".join(parts))
    language["hash"] = language["hash"].removeprefix("pagefind.")
