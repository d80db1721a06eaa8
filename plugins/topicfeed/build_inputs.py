"""The fingerprint of everything a build's output is made from.

A Topicfeed build is deterministic: the same content files, settings, theme, plugin code and
installed packages give the same bytes. So two builds with the same fingerprint give the same
site, and the second has nothing to do. Everything that is not certain to be stable counts as a
change: a setting whose value has no stable form (an object printed with its address) makes the
build run in full rather than risk a stale site.

Hashing every content file is the bulk of the cost (a few hundred milliseconds per 10,000
files); a file whose size and modification time are those recorded by the last build keeps its
recorded digest, unless it was modified within :data:`topicfeed.racy.RACY_NS` of that record (a
same-size edit in the same clock tick would otherwise go unseen; git calls this the "racy" case).
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import importlib.metadata
import os
import platform
import re
import sys
import types
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topicfeed import git_checkout
from topicfeed.content_stats import Stat
from topicfeed.git_checkout import GitWord
from topicfeed.racy import settled

#: A file's stat as the record keeps it, and its digest: ``[size, mtime_ns, digest]``, then what git
#: knew of its bytes when git was asked (:func:`tree_records`).
FileRecord = list[Any]


class Unstable(ValueError):
    """A setting's value has no form that is the same in every run."""


@dataclass
class Fingerprint:
    """The digest of a build's inputs, and each input file's record (for the next build)."""

    digest: str
    files: dict[str, FileRecord] = field(default_factory=dict)


def _digest_file(path: str, blob: bool) -> tuple[str, str]:
    """The file's digest, and with ``blob`` the id git gives a blob of its bytes
    (:func:`git_checkout.blob_id`; else empty)."""
    with open(path, "rb") as handle:
        data = handle.read()
    return hashlib.blake2b(data, digest_size=16).hexdigest(), git_checkout.blob_id(data) if blob else ""


def tree_records(
    root: Path,
    *,
    ignore: Iterable[str] = (),
    skip: Iterable[Path] = (),
    known: Mapping[str, FileRecord] | None = None,
    recorded_ns: int = 0,
    prefix: str = "",
    seen: dict[str, Stat] | None = None,
    git: GitWord | None = None,
) -> dict[str, FileRecord]:
    """Every file under ``root`` (following links, as Pelican reads), sorted by relative path;
    with ``seen``, each file's stat there too, by its path relative to ``root`` (no ``prefix``).

    This runs over every content file on every build (100,000 at the exporter's scale), so a
    folder's relative name is worked out once for all its files, not with a ``relpath`` per file,
    and the ignore patterns are one compiled pattern (what ``fnmatch`` does for each, on POSIX).

    With ``git`` (its word on ``root``): once :data:`~topicfeed.git_checkout.ASK_AFTER` files
    could not be vouched for by their stat (a fresh checkout), git is asked, and a file it
    reports clean keeps its recorded digest unread when its record holds that blob id, under the
    same conversions, and the file's size. Every record made while git has a word holds, as a
    fourth element in no digest, :func:`~topicfeed.git_checkout.tag` of the bytes read.
    """
    ignored = ignore_pattern(ignore)
    skipped = {os.path.realpath(p) for p in skip}
    known = known or {}
    records: dict[str, FileRecord] = {}
    unvouched, asked = 0, False
    checkout: git_checkout.Checkout | None = None
    blobs: dict[str, str] = {}
    read: dict[str, str] = {}  # blob ids of the files read, by key
    if not root.is_dir():
        return records
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(
            d
            for d in dirs
            if d != "__pycache__"
            and not (ignored and ignored(d))
            and os.path.realpath(os.path.join(folder, d)) not in skipped
        )
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        named = prefix if relative == "." else f"{prefix}{relative}/"
        for name in sorted(files):
            if (ignored and ignored(name)) or name.endswith(".pyc"):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue  # removed while we looked: the build reads what is there then
            key = named + name
            if seen is not None:
                seen[key[len(prefix) :]] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
            old = known.get(key)
            if (
                old is not None
                and old[0] == stat.st_size
                and old[1] == stat.st_mtime_ns
                and settled(stat.st_mtime_ns, recorded_ns)
            ):
                records[key] = old
                continue
            if git is not None and not asked:
                unvouched += 1
                if unvouched >= git_checkout.ASK_AFTER:
                    asked, checkout = True, git.get()
                    blobs = {} if checkout is None else checkout.blobs
            blob = blobs.get(key[len(prefix) :])
            if (
                blob is not None
                and checkout is not None
                and old is not None
                and old[0] == stat.st_size
                and old[3:] == [git_checkout.tag(blob, checkout)]
            ):
                records[key] = [stat.st_size, stat.st_mtime_ns, old[2], old[3]]
                continue
            wanted = git is not None and git.may_answer()
            digest, read[key] = _digest_file(path, wanted)
            records[key] = [stat.st_size, stat.st_mtime_ns, digest]
    if checkout is not None:  # every file read, before git was asked or after, with its bytes' blob id
        for key, blob in read.items():
            records[key].append(git_checkout.tag(blob, checkout))
    return records


def ignore_pattern(patterns: Iterable[str]) -> Callable[[str], Any] | None:
    """One matcher for all of ``IGNORE_FILES`` (``fnmatch`` semantics), or None for no pattern."""
    translated = [fnmatch.translate(os.path.normcase(p)) for p in patterns]
    if not translated:
        return None
    matcher = re.compile("|".join(f"(?:{t})" for t in translated)).match
    if os.path.normcase("A") == "A":
        return matcher
    return lambda name: matcher(os.path.normcase(name))


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_form(value: Any) -> str:
    """A text that is equal in two runs exactly when the value is (raises :class:`Unstable`)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    if isinstance(value, Path):
        return f"Path({str(value)!r})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(stable_form(v) for v in value)
        return f"{type(value).__name__}[{inner}]"
    if isinstance(value, (set, frozenset)):
        return f"{type(value).__name__}{{{', '.join(sorted(stable_form(v) for v in value))}}}"
    if isinstance(value, Mapping):
        pairs = sorted((stable_form(k), stable_form(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r}, {value.flags})"
    if isinstance(value, (types.FunctionType, types.MethodType)):
        function = value.__func__ if isinstance(value, types.MethodType) else value
        body = hashlib.blake2b(
            _code_form(function.__code__).encode("utf-8", "surrogateescape"), digest_size=8
        )
        return f"function {function.__module__}.{function.__qualname__} {body.hexdigest()}"
    if isinstance(value, (type, types.BuiltinFunctionType, types.ModuleType)):
        name = getattr(value, "__qualname__", value.__name__)
        return f"{type(value).__name__} {getattr(value, '__module__', '')}.{name}"
    text = repr(value)
    if _ADDRESS.search(text):
        raise Unstable(f"{type(value).__name__} has no stable form")
    return f"{type(value).__name__} {text}"


def _code_form(code: types.CodeType) -> str:
    """A function's bytecode and constants; nested code (a lambda, a comprehension) by its own
    form, since ``repr`` of a code object holds its address."""
    consts = [_code_form(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts]
    return f"{code.co_code.hex()}|{'|'.join(consts)}"


def settings_form(settings: Mapping[str, Any], leave_out: Collection[str] = ()) -> str:
    """Every setting but ``leave_out``, in a stable form; raises :class:`Unstable` naming the
    first that has none."""
    parts = []
    for name in sorted(settings.keys() - set(leave_out)):
        try:
            parts.append(f"{name}={stable_form(settings[name])}")
        except Unstable as error:
            raise Unstable(f"setting {name}: {error}") from None
    return "\n".join(parts)


@functools.cache
def environment_form() -> str:
    """Python and every installed distribution's version: an upgrade may change the output.
    Read once per run (12 ms; the unchanged-build check, the recipe and the related step's
    store each need it), since nothing installs a package while a build runs."""
    versions = sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    )
    return "\n".join([sys.version, platform.machine(), *versions])


def code_and_theme_roots(settings: Mapping[str, Any]) -> list[tuple[str, Path]]:
    """Folders whose files shape the output besides the content: the theme and the plugins."""
    roots = [("theme", Path(settings["THEME"]))]
    overrides = settings.get("THEME_TEMPLATES_OVERRIDES") or ()
    roots += [(f"theme-overrides-{i}", Path(p)) for i, p in enumerate(overrides)]
    roots += [(f"plugins-{i}", Path(p)) for i, p in enumerate(settings.get("PLUGIN_PATHS") or ())]
    return roots


def recipe_records(
    settings: Mapping[str, Any], known: Mapping[str, FileRecord], recorded_ns: int, skip: Iterable[Path]
) -> dict[str, FileRecord]:
    """Each file of the theme and the plugins, recorded as :func:`tree_records` records it."""
    files: dict[str, FileRecord] = {}
    for label, root in code_and_theme_roots(settings):
        files.update(tree_records(root, skip=skip, known=known, recorded_ns=recorded_ns, prefix=f"{label}/"))
    return files


def recipe_digest(
    settings: Mapping[str, Any], files: Mapping[str, FileRecord], leave_out: Collection[str] = ()
) -> str:
    """The digest of every input but the content: the settings, Python and the installed
    packages, and ``files`` (:func:`recipe_records`, and the content's for :func:`fingerprint`).

    Two builds with one recipe and one content give one site; two with one recipe and different
    content differ only where the content does (what a rebuild from the site model relies on).
    ``leave_out``: settings that never change what a build writes (``Setting.output``).
    Raises :class:`Unstable`."""
    hasher = hashlib.blake2b(digest_size=16)
    for text in (settings_form(settings, leave_out), environment_form()):
        hasher.update(text.encode("utf-8", "surrogateescape"))
        hasher.update(b"\0")
    for name, (size, _mtime, digest, *_blob) in files.items():
        hasher.update(f"{name}\0{size}\0{digest}\n".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def fingerprint(
    settings: Mapping[str, Any],
    known: Mapping[str, FileRecord],
    recorded_ns: int,
    skip: Iterable[Path],
    seen: dict[str, Stat] | None = None,
    git: GitWord | None = None,
) -> Fingerprint:
    """The fingerprint of this build's inputs (raises :class:`Unstable`); with ``seen``, each
    content file's stat there too, with ``git``, git's word on the content folder
    (:func:`tree_records`)."""
    ignore = settings.get("IGNORE_FILES") or ()
    files = tree_records(
        Path(settings["PATH"]),
        ignore=ignore,
        skip=skip,
        known=known,
        recorded_ns=recorded_ns,
        prefix="content/",
        seen=seen,
        git=git,
    )
    files.update(recipe_records(settings, known, recorded_ns, skip))
    return Fingerprint(recipe_digest(settings, files), files)
