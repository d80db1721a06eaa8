"""The render manifest: the keys of the previous build's pages and feeds, kept beside the output.

A page or feed of the previous build is reused (hard-linked into the new build) only when
- the manifest was written by this version of the writer with the same code salt (the code, the
  templates and the package versions every key depends on), and
- its file in the previous output is the one the manifest describes (same size and mtime), and
- its key, computed now from the values it read last time, is the key it had.
Anything else (no manifest, another version, a file touched by hand) means: render it again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from topicfeed import atomic_files
from topicfeed.source_files import update_with_files

from .link_pages import link_into

MANIFEST_VERSION = 5
#: What every key covers besides the values read: these packages' versions, and our code.
KEYED_PACKAGES = ("pelican", "jinja2", "markupsafe", "feedgenerator")
KEYED_SUFFIXES = (".html", ".py", ".j2", ".xml", ".txt")
PLUGINS_DIR = Path(__file__).resolve().parent.parent


def manifest_path(output: Path) -> Path:
    """``<output>.render.json``, beside the output folder (never inside the published site)."""
    return output.with_name(output.name + ".render.json")


def can_reuse(output: Path, building: Path) -> bool:
    """Whether a build writing into ``building`` may find pages to reuse: a previous site in
    ``output``, apart from ``building``, and the render manifest that describes it."""
    return output != building and output.is_dir() and manifest_path(output).is_file()


def file_stat(path: str | Path) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def code_salt(settings: dict[str, Any]) -> bytes:
    """What every key depends on besides the values read: the code and the templates."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"fast_writer {MANIFEST_VERSION};".encode())
    for package in KEYED_PACKAGES:
        digest.update(f"{package}={metadata.version(package)};".encode())
    folders = [Path(settings.get("THEME") or "") / "templates", PLUGINS_DIR]
    folders += [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or ()]
    for folder in folders:
        update_with_files(digest, folder, KEYED_SUFFIXES)
    return digest.digest()


class Manifest:
    """The previous build's entries (``old``) and this build's (``new``), keyed by output path."""

    def __init__(self, file: Path, previous: Path, building: Path, salt: bytes, enabled: bool) -> None:
        self.file = file
        #: The previous build's output folder, where reused files are linked from.
        self.previous = previous
        #: This build's output folder.
        self.building = building
        self.salt = salt
        #: Reuse needs a fresh folder per build: the previous one must still be intact.
        self.enabled = enabled and previous != building
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        self._prefix = os.path.join(building, "")
        # Without the previous site no entry can be reused: its manifest (left behind when the
        # output was deleted) would only cost its reading and a key for every page, made in the
        # build process before the renderers fork (at 100,000 items about 300 MB more held).
        if self.enabled and previous.is_dir():
            self.old = self._load()

    @classmethod
    def for_build(cls, settings: dict[str, Any], output: Path, building: Path, enabled: bool) -> Manifest:
        """The manifest of a build writing into ``building``, its site ending up in ``output``."""
        return cls(manifest_path(output), output, building, code_salt(settings), enabled)

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION or data.get("salt") != self.salt.hex():
                return {}
            table = data["reads"]
            outputs = dict(data["outputs"])
            for entry in outputs.values():
                if entry.get("reads") is not None:
                    entry["reads"] = table[entry["reads"]]
            return outputs
        except (OSError, ValueError, KeyError, IndexError, AttributeError, TypeError):
            return {}

    def relative(self, path: str) -> str:
        """``path`` (absolute, normalised) relative to this build's folder, as the entries name it.

        The same as ``os.path.relpath`` for a path inside the folder, without its work (it was
        measurable over every page of a build); anything else goes through ``relpath``.
        """
        if path.startswith(self._prefix):
            return path[len(self._prefix) :]
        return os.path.relpath(path, self.building)

    def reusable(
        self, relative: str, key_of: Callable[[dict[str, Any]], str | None]
    ) -> dict[str, Any] | None:
        """The previous entry for ``relative`` when its file is intact and its key still holds.

        ``key_of(entry)`` computes the key now (from the names the entry says the page read).
        """
        entry = self.key_holds(relative, key_of)
        if entry is None or file_stat(os.path.join(self.previous, relative)) != entry["stat"]:
            return None
        return entry

    def key_holds(
        self, relative: str, key_of: Callable[[dict[str, Any]], str | None]
    ) -> dict[str, Any] | None:
        """:meth:`reusable` without looking at the previous file: whoever links it checks that
        it still has the entry's ``stat`` (``Linker``)."""
        entry = self.old.get(relative)
        if not entry or not entry.get("key") or not entry.get("stat"):
            return None
        return entry if key_of(entry) == entry["key"] else None

    def reuse(self, relative: str, entry: dict[str, Any]) -> None:
        """Link the previous build's file into this build, and keep its entry."""
        link_into(os.path.join(self.previous, relative), os.path.join(self.building, relative))
        self.new[relative] = entry

    def linked_elsewhere(self, relative: str, entry: dict[str, Any]) -> None:
        """Keep the entry of a file linked by another process of this build (``Linker``)."""
        self.new[relative] = entry

    def not_linked(self, relative: str) -> None:
        """Forget an entry kept by :meth:`linked_elsewhere`: the file was not linked after all."""
        del self.new[relative]

    def record(
        self,
        relative: str,
        key: str | None,
        reads: list[str] | None = None,
        stat: list[int] | None = None,
    ) -> None:
        """Note a file written by this build (``key`` None: never reused; ``stat`` None: look it up)."""
        if stat is None:
            stat = file_stat(self.building / relative)
        self.new[relative] = {"reads": reads, "key": key, "stat": stat}

    def save(self) -> None:
        """Write this build's entries for the next build; atomically (never a half manifest).

        The pages of one template mostly read the same names: each distinct list of reads is
        written once, in ``reads``, and an entry names it by its place there (at 10,000 items,
        382 lists for 10,620 pages; the file went from 6.3 to 2.4 MB, and is held with one list
        object per distinct list).
        """
        table: dict[tuple[str, ...], int] = {}
        outputs: dict[str, Any] = {}
        for relative, entry in sorted(self.new.items()):
            reads = entry.get("reads")
            if reads is not None:
                entry = {**entry, "reads": table.setdefault(tuple(reads), len(table))}
            outputs[relative] = entry
        data = {
            "version": MANIFEST_VERSION,
            "salt": self.salt.hex(),
            "reads": [list(reads) for reads in table],
            "outputs": outputs,
        }
        atomic_files.write(self.file, json.dumps(data, separators=(",", ":")))
