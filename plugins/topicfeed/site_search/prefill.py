"""Give a rebuild's Pagefind run the last bundle's fragments and index chunks to start from.

Pagefind names each page's fragment and each chunk of its word index after a hash of the
content, and does not write such an "immutable" file when one of that name is already in its
output folder: it neither compresses (gzip at its best level) nor writes it
(``pagefind/src/output/mod.rs``, ``WriteBehavior::Immutable``). A bundle re-indexed for one
changed page gives back all but one of its fragments and most of its chunks under the same
names, so a run into a folder holding copies of the last bundle's files does the work of the
change only: 1,330 pages alone, 0.16 s and 0.21 s of CPU against 0.46 s and 0.55 s into an
empty folder (Pagefind 1.5.2, in memory).

Pagefind leaves every file it did not write, so the copies the new meta index does not name
(the changed page's old fragment, the chunks its words were in) are removed after the run:
what is left is what a run into an empty folder writes, byte for byte. The meta index, the
filters and Pagefind's fixed files are not copied (it writes them whole every run). When the
meta index is in a shape this module cannot read, the caller indexes the bundle again from
nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection
from pathlib import Path

from .stable import UnknownShape, array_items, read_index, text_in

#: The immutable files copied: (folder in the bundle, file suffix).
COPIED = (("fragment", ".pf_fragment"), ("index", ".pf_index"))
#: Where a page's fragment hash and a chunk's hash sit in their meta index entries
#: (``[hash, word count]``, ``[first word, last word, hash]``).
_PAGES, _CHUNKS = 1, 2
_PAGE_HASH, _CHUNK_HASH = 0, 2


def prefill(bundle: Path, last: Path) -> set[str]:
    """Copy the fragments and index chunks of the bundle ``last`` into ``bundle`` (Pagefind's
    output folder, made if needed); their names, relative to it."""
    copied: set[str] = set()
    for folder, suffix in COPIED:
        try:
            names = [name for name in os.listdir(last / folder) if name.endswith(suffix)]
        except (FileNotFoundError, NotADirectoryError):
            continue
        into = bundle / folder
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(last / folder / name, into / name)
            copied.add(f"{folder}/{name}")
    return copied


def named(bundle: Path) -> set[str]:
    """The fragments and index chunks the bundle's meta indexes name (relative to it); raises
    :class:`UnknownShape` (or OSError, ValueError, KeyError) when they cannot be read."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    names: set[str] = set()
    for language in entry["languages"].values():
        meta = read_index(bundle / f"pagefind.{language['hash']}.pf_meta")
        _, parts, end = array_items(meta, 0)
        if end != len(meta) or len(parts) <= _CHUNKS:
            raise UnknownShape("meta index")
        for page in array_items(parts[_PAGES], 0)[1]:
            names.add(f"fragment/{text_in(page, _PAGE_HASH)}.pf_fragment")
        for chunk in array_items(parts[_CHUNKS], 0)[1]:
            names.add(f"index/{text_in(chunk, _CHUNK_HASH)}.pf_index")
    return names


def remove_unnamed(bundle: Path, copied: Collection[str]) -> int:
    """Remove the copies the bundle's new meta indexes do not name; how many. Raises
    :class:`UnknownShape` when the indexes cannot be read or name a file that is not there."""
    try:
        wanted = named(bundle)
    except (OSError, ValueError, KeyError) as error:
        raise UnknownShape(str(error)) from error
    for name in wanted:
        if not (bundle / name).is_file():
            raise UnknownShape(f"{name} is named but not there")
    unnamed = [name for name in copied if name not in wanted]
    for name in unnamed:
        (bundle / name).unlink()
    return len(unnamed)
