"""The related step's decisions kept between builds: a build whose related inputs are the last
build's takes that build's decisions instead of deciding again.

What the step decides (:class:`.decisions.Decisions`) depends on the items' URL keys (every
spelling of their story), file paths, headlines, topics and publication instants, on their related
entries' URL keys and instants, on the items' order, on the related settings and on the code;
nothing else. An item's excerpt, images, scores or page URL only reach the links, which are made
from the items of the build when a page asks for them. :func:`inputs_digest` digests exactly
those inputs, and the store gives decisions back only for the digest they were made from.

So an edited excerpt (or image, score, anything a related list does not decide by) costs the
digest and the load instead of the step: measured on the benchmark's items, 0.02 s instead of
0.2 to 0.28 s at 10,000 items (8,005 published), 0.31 s instead of 2.5 to 2.6 s at 100,000
(79,920). A new, unpublished or retitled item changes the inputs: the step runs and keeps its
decisions (0.02 s more at 10,000 items, 0.2 to 0.4 s at 100,000). Each item's digest is kept by
the item's fingerprint (:func:`inputs_digest`), so a build digests only the items it has not
seen: digesting every item took 0.47 s at 100,000.

Layout: ``<CACHE_PATH>/related-step/``: ``decisions.pickle`` (one set of decisions, the last
build's, after a line naming the digest of their inputs) and ``items.pickle`` (the item digests,
after a line naming the code version), each written to a temporary file beside it and moved into
place (``os.replace``): a build killed while writing leaves the file before it or none, two
builds at once each move in whole files. A file that does not load, is of another format, code
or inputs is not used (its first line tells, so decisions of other inputs are not unpickled),
and the build's own replaces it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import topicfeed
from topicfeed import atomic_files
from topicfeed.build_inputs import environment_form
from topicfeed.model import NewsItem

from .decisions import Clusters, CrossLinks, Decisions
from .settings import RelatedSettings

logger = logging.getLogger(__name__)

#: Bumped when the stored layout changes (the code version covers everything else).
FORMAT = "topicfeed-related-decisions-1"
FOLDER = "related-step"
FILE = "decisions.pickle"
#: Each item's digest by the item's fingerprint: :func:`inputs_digest` digests only new items.
ITEMS_FILE = "items.pickle"

#: Item digests by item fingerprint (:attr:`NewsItem.fingerprint`).
ItemDigests = dict[str, bytes]


@functools.cache
def code_version() -> bytes:
    """A digest of the code and packages that make an item and decide: every module of the
    ``topicfeed`` package (the reader, the item model, the story index, this step), Python and
    every installed distribution (the YAML parsers). An item's fingerprint digests its file and
    the reader's settings, not the code that read it; with this, the same fingerprint is the
    same item."""
    digest = hashlib.blake2b(FORMAT.encode(), digest_size=16)
    package = Path(topicfeed.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(environment_form().encode("utf-8", "surrogateescape"))
    return digest.digest()


def item_digest(item: NewsItem) -> bytes:
    """A digest of what the decisions read of one item (see the module docstring).

    Instants as POSIX timestamps: the step compares and subtracts instants only, never their
    zones, and a float tells every microsecond of this era apart. ``marshal`` (version 2: from
    version 3 its output depends on how many references each value has) writes these plain
    values several times faster than ``pickle`` or ``repr``.
    """
    related = item.related
    values = (
        item.url_keys,
        item.source_path,
        item.title,
        item.topics,
        item.published_at.timestamp(),
        [(entry.url_keys, entry.published_at.timestamp()) for entry in related] if related else (),
    )
    return hashlib.blake2b(marshal.dumps(values, 2), digest_size=16).digest()


def inputs_digest(
    items: Sequence[NewsItem], settings: RelatedSettings, known: ItemDigests | None = None
) -> tuple[str, ItemDigests]:
    """The digest of everything the decisions depend on, and each item's digest by its
    fingerprint (what the next build passes as ``known``: an item whose fingerprint is there
    is not digested again; 0.47 s at 100,000 items when all are)."""
    known = known or {}
    found: ItemDigests = {}
    parts = [FORMAT.encode(), repr(settings).encode(), len(items).to_bytes(8, "little")]
    append = parts.append
    for item in items:
        fingerprint = item.fingerprint
        digest = known.get(fingerprint) if fingerprint else None
        if digest is None:
            digest = item_digest(item)
        if fingerprint:
            found[fingerprint] = digest
        append(digest)
    whole = hashlib.blake2b(b"\0".join(parts), digest_size=16, key=code_version())
    return whole.hexdigest(), found


def store_path(folder: Path) -> Path:
    return folder / FILE


def load_item_digests(folder: Path) -> ItemDigests:
    """The item digests kept in ``folder`` by the same code and packages ({} when none)."""
    stored = _load(folder / ITEMS_FILE, code_version().hex())
    return stored if isinstance(stored, dict) else {}


def save_item_digests(folder: Path, digests: ItemDigests) -> None:
    """Keep ``digests`` (this build's items') in ``folder``."""
    _save(folder / ITEMS_FILE, code_version().hex(), digests)


def load(folder: Path, digest: str, items: Sequence[NewsItem]) -> Decisions | None:
    """The decisions kept in ``folder`` for inputs of ``digest``, the outside stories taken from
    ``items`` (those of this build); None when there are none."""
    stored = _load(store_path(folder), digest)
    if stored is None:
        return None
    try:
        return _unpacked(stored, items)
    except Exception as error:  # damaged: decide again (and replace it)
        logger.debug("related stories: the kept decisions do not load (%s)", error)
        return None


def save(folder: Path, digest: str, decisions: Decisions, items: Sequence[NewsItem]) -> None:
    """Keep ``decisions`` (made from ``items``, of inputs ``digest``) in ``folder``."""
    _save(store_path(folder), digest, _packed(decisions, items))


def _header(key: str) -> bytes:
    return f"{FORMAT} {key}\n".encode()


def _load(path: Path, key: str) -> Any | None:
    """What ``path`` keeps under ``key``, or None. The key is read first, from a line of its own:
    kept decisions of other inputs are not unpickled (0.18 s and 7 MB at 100,000 items)."""
    header = _header(key)
    try:
        with path.open("rb") as file:
            if file.readline(len(header) + 1) != header:
                logger.debug("related stories: %s is of another format, code or inputs", path.name)
                return None
            return pickle.load(file)  # noqa: S301 - the build's own cache folder, as Pelican's
    except Exception as error:  # missing or damaged: as if there were none (and replaced)
        logger.debug("related stories: %s does not load (%s)", path.name, error)
        return None


def _save(path: Path, key: str, value: Any) -> None:
    """Write ``value`` under ``key`` to ``path``, whole or not at all. A failure to write is
    logged and costs only the next build's step."""
    try:
        with atomic_files.writing(path) as pending:
            pending.stream.write(_header(key))
            pickle.dump(value, pending.stream, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, pickle.PicklingError) as error:
        logger.warning("related stories: could not keep %s in %s (%s)", path.name, path.parent, error)


def _packed(decisions: Decisions, items: Sequence[NewsItem]) -> tuple[Any, ...]:
    """The decisions as plain values: each outside story by where it is in ``items`` (the
    item's position and the entry's in its related list), never the story itself."""
    links, groups = decisions.links, decisions.groups
    return (
        len(items),
        links.listed,
        links.outside_at,
        links.self_dropped,
        links.duplicates_dropped,
        decisions.back,
        groups.root,
        groups.members,
        groups.outside_from,
        groups.outside_nodes,
        decisions.computed,
    )


def _unpacked(packed: tuple[Any, ...], items: Sequence[NewsItem]) -> Decisions | None:
    (n, listed, outside_at, self_dropped, duplicates_dropped, back, root, members, outside_from,
     outside_nodes, computed) = packed  # fmt: skip
    if n != len(items):
        return None
    empty: list[NewsItem] = []  # shared by the items without outside stories (never appended to)
    outside = [
        [item.related[k] for k in at] if at else empty for item, at in zip(items, outside_at, strict=True)
    ]
    links = CrossLinks(listed, outside, outside_at, self_dropped, duplicates_dropped)
    found = [items[i].related[k] for i, k in outside_from]
    groups = Clusters(root, members, found, outside_nodes, outside_from)
    return Decisions(links, back, groups, computed)
