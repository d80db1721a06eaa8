"""What git says of a content folder: each clean file's blob id, and what decides its bytes.

A fresh ``git checkout`` (every deploy in GitHub Actions) gives every file a new inode, mtime and
ctime, so the steps that skip reading files by their stat (the unchanged-build fingerprint, the
news reader's stat table) read and digest every content file again: about 0.2 s each at 10,000
files, 3 s at 100,000. Git knows those bytes already: the index holds each tracked file's blob id,
a digest of its content, and ``git status`` says which files differ from it. A step that
recorded, with its own digest of a file's bytes, the blob id of those same bytes (:func:`blob_id`)
can take that digest again for a file git reports clean with that blob id and that size, without
opening it. The blob id is computed from the bytes the step read, never taken from git, so a
file that changed while git looked cannot pair one content's blob id with another's digest.

Only a file git reports clean counts: tracked, stage 0, a regular file, not marked
assume-unchanged or skip-worktree, not modified, deleted or in conflict. The bytes git checks out
for a blob also depend on its conversions (line endings, filters, ``ident``, encodings), so
:attr:`Checkout.conversions` is a digest of everything that decides them (git's version, the
``core.autocrlf``, ``core.eol``, ``core.attributesFile`` and ``filter.*`` settings, every
attributes file git reads): a blob recorded under other conversions does not count. Any failure
of git (not installed, not a repository, an error, a timeout) and files are read as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: Files a step could not vouch for by their stat before git is asked about the rest: asking
#: costs a few git commands (about 30 ms at 10,000 files), reading a file about 20 us.
ASK_AFTER = 64

#: Seconds any one git command may take before git is given up on for this build.
TIMEOUT = 30
#: The settings that change the bytes git checks out for a blob.
_CONVERSIONS = r"^(core\.(autocrlf|eol|safecrlf|attributesfile|checkroundtripencoding)|filter\..*)$"


@dataclass(frozen=True)
class Checkout:
    """What git says of a content folder: the blob id (hex) of each clean file, by its path
    relative to the folder, and the digest of what decides the bytes checked out for a blob."""

    blobs: dict[str, str]
    conversions: bytes


def _git(folder: str, *args: str, ok: tuple[int, ...] = (0,)) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run(
        ["git", "-C", folder, *args],
        capture_output=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode not in ok:
        said = done.stderr.decode(errors="replace").strip()
        raise OSError(f"git {args[0]}: exit {done.returncode}: {said}")
    return done.stdout


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def conversions_of(folder: str) -> tuple[bytes, str] | None:
    """The digest of what decides the bytes git checks out for the files of ``folder``, and the
    folder's path in its repository (``--show-prefix``); None when git cannot say. A few small
    commands, no look at the files."""
    try:
        top, prefix, info = (
            _git(folder, "rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "info/attributes")
            .decode("utf-8", "surrogateescape")
            .split("\n")[:3]
        )
        conversions = hashlib.blake2b(_git(folder, "version"), digest_size=20)
        settings = _git(folder, "config", "-z", "--get-regexp", _CONVERSIONS, ok=(0, 1))
        conversions.update(settings + b"\0")
        # The attributes files that apply to the folder's files: those in the folder (tracked or
        # not: git reads both), and those of the folders above it up to the top (looked at here:
        # git's own listing of untracked files would walk the whole worktree).
        attributes = [
            os.path.join(folder, name.decode("utf-8", "surrogateescape"))
            for name in _git(
                folder, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                ":(glob)**/.gitattributes",
            ).split(b"\0")
            if name
        ]  # fmt: skip
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        logger.debug("git: no word on %s: %s", folder, error)
        return None
    above = os.path.dirname(os.path.join(top, prefix).rstrip("/"))
    while len(above) >= len(top):
        attributes.append(os.path.join(above, ".gitattributes"))
        above = os.path.dirname(above) if above != top else ""
    given = [
        value.decode("utf-8", "surrogateescape")
        for name, _, value in (entry.partition(b"\n") for entry in settings.split(b"\0"))
        if name == b"core.attributesfile"
    ]
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    attributes += given or [os.path.join(home, "git", "attributes")]
    attributes.append(info if os.path.isabs(info) else os.path.join(folder, info))
    for path in attributes:
        conversions.update(os.fsencode(path) + b"\0" + _read(os.path.expanduser(path)) + b"\0")
    return conversions.digest(), prefix


def checkout(folder: str, conversions: tuple[bytes, str] | None = None) -> Checkout | None:
    """What git says of ``folder`` now; None when git cannot say (see the module's rules).
    ``conversions``: :func:`conversions_of` the folder, when taken already."""
    found = conversions if conversions is not None else conversions_of(folder)
    if found is None:
        return None
    digest, prefix = found
    try:
        listed = _git(folder, "ls-files", "-s", "-v", "-z")
        changed = _git(
            folder, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames",
            "--ignore-submodules=all", "--", ".",
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        logger.debug("git: no word on %s: %s", folder, error)
        return None
    dirty = set()
    for entry in changed.split(b"\0"):
        if len(entry) > 3 and entry[2:3] == b" ":
            name = entry[3:].decode("utf-8", "surrogateescape")
            if name.startswith(prefix):
                dirty.add(name[len(prefix) :])
    blobs: dict[str, str] = {}
    for entry in listed.split(b"\0"):
        head, tab, name = entry.partition(b"\t")
        fields = head.split(b" ")
        # "H <mode> <blob> <stage>": H is a plain tracked file (h: assume-unchanged, S: skip-worktree)
        plain = len(fields) == 4 and fields[0] == b"H" and fields[1] in (b"100644", b"100755")
        if tab and plain and fields[3] == b"0":
            path = name.decode("utf-8", "surrogateescape")
            if path not in dirty:
                blobs[path] = fields[2].decode("ascii")
    return Checkout(blobs, digest)


class GitWord:
    """Git's word on one folder, asked for once (:func:`checkout`), when first wanted."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._asked = False
        self._found: Checkout | None = None
        self._conversions: tuple[bytes, str] | None = None
        self._conversions_asked = False

    def get(self) -> Checkout | None:
        if not self._asked:
            self._asked = True
            self._found = checkout(self.folder, self._conversions_found())
        return self._found

    def conversions(self) -> str:
        """:func:`conversions_tag` of the folder's conversions, without asking git about its files
        (what a build whose stats vouched for every file records its new blob ids under)."""
        if self._asked:
            return conversions_tag(self._found)
        found = self._conversions_found()
        return "" if found is None else _short(found[0])

    def _conversions_found(self) -> tuple[bytes, str] | None:
        if not self._conversions_asked:
            self._conversions_asked = True
            self._conversions = conversions_of(self.folder)
        return self._conversions

    def may_answer(self) -> bool:
        """Whether git may have a word (not asked yet, or it answered): a step then records the
        blob ids of the bytes it reads."""
        return not self._asked or self._found is not None


def conversions_tag(found: Checkout | None) -> str:
    """What a record keeps of the conversions of a checkout (48 bits; empty: git has no word)."""
    return "" if found is None else _short(found.conversions)


def _short(conversions: bytes) -> str:
    return conversions.hex()[:12]


def tag(blob: str, found: Checkout) -> str:
    """What a record keeps of a blob id and the conversions it was checked out under: 96 bits of
    the one and 48 of the other, enough to tell contents apart by accident (a record of every
    content file is read by every run: 37 characters a file instead of 82)."""
    return f"{blob[:24]}:{conversions_tag(found)}"


def blob_id(data: bytes) -> str:
    """The id git gives a blob of these bytes (SHA-1; a repository of SHA-256 ids never matches
    it, and its files are simply read)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
