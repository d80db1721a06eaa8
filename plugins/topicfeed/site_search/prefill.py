"""Give a rebuild's Pagefind run stand-ins for the last bundle's fragments to start from.

Pagefind names each page's fragment after a hash of its content and does not write such an
"immutable" file when one of that name is already in its output folder: it neither compresses
it (gzip at its best level) nor writes it (``pagefind/src/output/mod.rs``,
``WriteBehavior::Immutable``; it only asks whether the file exists). A bundle re-indexed for
one changed page gives back all but one of its fragments under the same names, so a run into a
folder holding an empty stand-in for each of the last bundle's fragments writes only the new
ones: 1,330 pages, 0.30 s and 0.34 s of CPU against 0.46 s and 0.56 s into an empty folder
(Pagefind 1.5.2, in memory), and the stand-ins cost neither a copy nor, when the bundle is
placed, a comparison: each one left is the last site's file of that name, linked
(``indexer.place_bundle``).

Pagefind leaves every file it did not write, so the stand-ins its new meta index does not name
(the changed page's old fragment) are removed after the run; with the others replaced by the
last site's files, the bundle is what a run into an empty folder writes, byte for byte. Only
fragments: the index chunks are a few dozen files, written whole in about the same time, and a
new file whose 28-bit name happened to equal a stand-in's that is no longer named would be
taken for it, so the fewer stand-ins that can go stale (one fragment per changed page), the
smaller that chance (about one in 270 million for an edit). When the meta index is in a shape
this module cannot read, the caller indexes the bundle again from nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path

from .stable import UnknownShape, array_items, read_index, text_in

#: Where the stand-ins go, and the suffix of the files they stand for.
FRAGMENTS, SUFFIX = "fragment", ".pf_fragment"
#: Where a page's fragment hash sits in its meta index entry (``[hash, word count]``).
_PAGES, _PAGE_HASH = 1, 0


def prefill(bundle: Path, last: Path) -> set[str]:
    """An empty stand-in in ``bundle`` (Pagefind's output folder, made if needed) for each
    fragment of the bundle ``last``; their names, relative to ``bundle``."""
    try:
        names = [name for name in os.listdir(last / FRAGMENTS) if name.endswith(SUFFIX)]
    except (FileNotFoundError, NotADirectoryError):
        return set()
    into = bundle / FRAGMENTS
    into.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for name in names:
        os.close(os.open(into / name, flags, 0o644))
    return {f"{FRAGMENTS}/{name}" for name in names}


def named(bundle: Path) -> set[str]:
    """The fragments the bundle's meta indexes name (relative to it); raises
    :class:`UnknownShape` (or OSError, ValueError, KeyError) when they cannot be read."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    names: set[str] = set()
    for language in entry["languages"].values():
        meta = read_index(bundle / f"pagefind.{language['hash']}.pf_meta")
        _, parts, end = array_items(meta, 0)
        if end != len(meta) or len(parts) <= _PAGES:
            raise UnknownShape("meta index")
        for page in array_items(parts[_PAGES], 0)[1]:
            names.add(f"{FRAGMENTS}/{text_in(page, _PAGE_HASH)}{SUFFIX}")
    return names


def settle(bundle: Path, stand_ins: Collection[str]) -> set[str]:
    """Remove the stand-ins the bundle's new meta indexes do not name; the others, which the
    last site's files replace when the bundle is placed. Raises :class:`UnknownShape` when the
    indexes cannot be read or name a fragment that is not there."""
    try:
        wanted = named(bundle)
    except (OSError, ValueError, KeyError) as error:
        raise UnknownShape(str(error)) from error
    for name in wanted:
        if not (bundle / name).is_file():
            raise UnknownShape(f"{name} is named but not there")
    kept = set()
    for name in stand_ins:
        if name not in wanted:
            (bundle / name).unlink()
        elif (bundle / name).stat().st_size == 0:  # left by Pagefind: the last site's file stands
            kept.add(name)
    return kept
