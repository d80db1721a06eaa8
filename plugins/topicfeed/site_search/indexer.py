"""Build the search bundles (``shards.py``): keep the unchanged ones, run Pagefind for the rest.

Each bundle is ``<SEARCH_BUNDLE_DIR>/<name>/``, a complete Pagefind bundle of its pages, and
``<SEARCH_BUNDLE_DIR>/shards.json`` lists them newest first for the browser. A bundle's ``key`` in
that list is a digest of its pages' paths and search documents (``documents.py``) and of the
Pagefind version: when the previous site lists a bundle of the same name and key, its files are
hard-linked in, since Pagefind would write the same bytes again (``stable.py`` makes its output
repeatable). The list is written last and only when every bundle is complete, so a site never
lists a missing bundle.

Pagefind reads a bundle's documents from a temporary folder of their own, laid out as the
pages are (``2024/03/01/slug/index.html``, so each result's URL is its page's); the folder is
removed when the run ends. A rebuild's bundle (``IndexWork.last``, the site being replaced) is
written there too when that folder is in memory (``/dev/shm``), then placed into the build's
output with every file the last site's bundle holds byte for byte hard-linked from it
(:func:`place_bundle`): re-indexed for one changed page, a bundle is nearly all the same files,
and a new file costs the file system far more than a link. At 10,000 items an edit re-indexes
1,487 pages into 1,500 files; here, written into the site, 1.1 to 1.5 s of Pagefind's run with
0.6 to 1.4 s of system time, against 0.55 s in memory, then the placing. A full build's bundles
are written into the site directly (a copy of every file would cost more than it saves).

The work runs in a thread started in phase ``LAUNCHED``, beside everything the build still
writes; bundles to index run ``parallel`` Pagefind processes at a time (one run keeps about one
and a half cores busy). Messages wait for ``finish`` (phase ``INDEX``), so they reach the
build's log in its own thread, in bundle order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pelican.utils import sanitised_join

from .prefill import prefill, settle
from .shards import SearchPage, Shard
from .stable import UnknownShape, stabilise

LISTING = "shards.json"
LISTING_VERSION = 2
#: Pagefind's ready-made interfaces; the theme's search.js uses its JavaScript API only, so each
#: bundle would otherwise carry 420 KB nobody loads.
UI_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


def pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def shard_key(shard: Shard, version: str) -> str:
    """A digest of what Pagefind reads for this shard: each page's path and search document."""
    digest = hashlib.sha256(f"topicfeed-search-{LISTING_VERSION}\0pagefind {version}\0".encode())
    for page in shard.pages:
        document = page.document.encode("utf-8", "surrogatepass")
        digest.update(f"{page.save_as}\0{len(document)}\0".encode())
        digest.update(document)
    return digest.hexdigest()


#: A memory file system for the documents Pagefind reads, where the system has one.
MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 (a private folder is made inside it)


#: A bundle's documents folder is ``<scratch>/topicfeed-search-<pid>-<random>``.
SCRATCH_PREFIX = "topicfeed-search-"


def scratch_folder() -> Path:
    """Where a bundle's documents are written for Pagefind: memory when possible.

    On disk, each document is a new file (an inode made and, after the run, freed) beside the
    thousands the build writes at the same time; in memory it costs neither the disk nor the
    file system's bookkeeping. Otherwise the system's temporary folder.
    """
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return MEMORY_FOLDER
    return Path(tempfile.gettempdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_abandoned(scratch: Path) -> None:
    """Remove the documents folders of builds that are gone (killed during a Pagefind run).

    In memory (``/dev/shm``), a folder left behind would hold its megabytes until the machine
    restarts. A folder whose build process still runs is another build's, at work.
    """
    for path in scratch.glob(SCRATCH_PREFIX + "*"):
        pid = path.name[len(SCRATCH_PREFIX) :].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def write_documents(folder: Path, pages: Sequence[SearchPage]) -> None:
    """Each page's search document at its page's path inside ``folder`` (Pagefind's input).

    A path that would leave ``folder`` raises RuntimeError, as Pelican's writer refuses it.
    """
    made: set[Path] = set()
    for page in pages:
        path = Path(sanitised_join(str(folder), page.save_as))
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(page.document, encoding="utf-8")


def read_listing(root: Path) -> dict[str, str]:
    """Bundle name -> key from a site's ``shards.json``; empty when missing or not understood."""
    return {name: entry["key"] for name, entry in listing_entries(root).items()}


def listing_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Bundle name -> its entry (:func:`listed`) in a site's ``shards.json``; empty when missing
    or not understood."""
    try:
        listing = json.loads((root / LISTING).read_text(encoding="utf-8"))
        if listing.get("version") != LISTING_VERSION:
            return {}
        entries = {str(entry["name"]): dict(entry) for entry in listing["shards"]}
        for entry in entries.values():
            entry["key"] = str(entry["key"])
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def listed(shard: Shard, key: str) -> dict[str, Any]:
    """A bundle's entry in ``shards.json``."""
    return {
        "name": shard.name,
        "path": f"{shard.name}/",
        "first": shard.first,
        "last": shard.last,
        "pages": len(shard.pages),
        "key": key,
    }


def listing_text(entries: Sequence[dict[str, Any]]) -> str:
    """``shards.json``: the bundles' entries (oldest first), listed newest first."""
    return json.dumps({"version": LISTING_VERSION, "shards": list(entries)[::-1]}, indent=1) + "\n"


#: GNU ``cp``, which hard-links a whole tree (``-al``) in one process of its own.
_GNU_CP: str | None = shutil.which("cp") if sys.platform.startswith("linux") else None


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of ``source`` into ``target`` (the previous site is left as it is).

    This runs in the indexing thread, beside the build's own Python work. Linked from Python,
    every file is a system call after which the thread waits for the interpreter lock the build
    holds: at 100,000 items the 19 unchanged bundles (about 77,000 files) took 12.7 s, and each
    hand-over of the lock cost the build too. ``cp -al`` links them in its own process while
    this thread waits without the lock. Elsewhere (no GNU ``cp``), the files are linked here.
    """
    target.mkdir(parents=True, exist_ok=True)  # it may be there: a recycled folder of the last site
    if _GNU_CP is not None:
        done = subprocess.run(
            [_GNU_CP, "-al", "--", f"{source}{os.sep}.", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise OSError(f"cannot link {source} into {target}: {done.stderr.strip()}")
        return
    for folder, _, files in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(folder) / name, into / name)


def place_bundle(made: Path, target: Path, last: Path, from_last: Collection[str] = ()) -> int:
    """Put the bundle ``made`` (in memory) into ``target``, sharing the last site's files.

    Re-indexing a bundle for one changed page gives back almost every file the last site's
    bundle holds, under the same name (Pagefind names its fragments and index chunks after their
    content). The files named in ``from_last`` (relative, with ``/``: stand-ins Pagefind did not
    write, ``prefill.py``) are the last site's files of that name; of the others, a file of
    ``last`` with the same name and bytes is hard-linked, any other is copied. The number linked.
    """
    linked = 0
    for folder, _, names in os.walk(made):
        within = Path(folder).relative_to(made)
        into = target / within
        into.mkdir(parents=True, exist_ok=True)
        prefix = "" if within == Path(".") else f"{within.as_posix()}/"
        for name in names:
            new, old, placed = Path(folder) / name, last / within / name, into / name
            # A file already there may be a link to a published site's file: never written into.
            placed.unlink(missing_ok=True)
            if prefix + name in from_last:
                try:
                    os.link(old, placed)
                    linked += 1
                except FileNotFoundError:  # the last site's file is gone: the bundle cannot be placed
                    raise
                except OSError:  # another file system: copied
                    shutil.copyfile(old, placed)
                continue
            if _same_bytes(new, old):
                try:
                    os.link(old, placed)
                    linked += 1
                    continue
                except OSError:  # another file system: copied instead
                    pass
            shutil.copyfile(new, placed)
    return linked


def _same_bytes(new: Path, old: Path) -> bool:
    try:
        return old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes()
    except OSError:
        return False


def drop_ui_files(bundle: Path) -> None:
    for name in UI_FILES:
        (bundle / name).unlink(missing_ok=True)


@dataclass
class Outcome:
    """What the indexing did, for the log: messages (level, text) and counts."""

    messages: list[tuple[int, str]] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    complete: bool = False

    def note(self, level: int, message: str) -> None:
        self.messages.append((level, message))


#: Starts one Pagefind run: (folder of documents, bundle folder) -> a run with ``wait()`` and
#: ``process``.
Starter = Callable[[Path, Path], Any]


class ShardedIndexing:
    """The bundles of one build, made in a background thread; ``finish`` waits for them.

    The thread works on a :class:`IndexWork` and never holds this handle, so a build that drops
    the handle (it failed between ``LAUNCHED`` and ``INDEX``) gets its Pagefind run killed.
    """

    def __init__(self, work: IndexWork, timeout: float) -> None:
        self.work, self.timeout = work, timeout
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=work.run, name="search-index", daemon=True)
        self._thread.start()
        weakref.finalize(self, _cancel, work.cancelled, work.running)

    def finish(self) -> Outcome:
        """Wait for every bundle (at most ``timeout`` seconds from the start)."""
        remaining = self.timeout - (time.perf_counter() - self.started)
        self._thread.join(max(remaining, 0.0))
        outcome = self.work.outcome
        if self._thread.is_alive():
            _cancel(self.work.cancelled, self.work.running)
            self._thread.join()
            outcome.note(logging.ERROR, f"search: Pagefind did not finish in {self.timeout:.0f} s")
            outcome.complete = False
        return outcome


@dataclass
class IndexWork:
    """What the indexing thread does: every shard (``parallel`` Pagefind runs at once), then the listing.

    ``site``: where the build writes (the bundles go to ``site/bundle_dir``), or the function
    that gives it once it may be written (called before the first write; a rebuild's writes
    start before their folder is ready: :data:`topicfeed.plugin.WriteSiteFiles`); ``previous``:
    the previous site's bundle folder, or None.
    """

    site: Path | Callable[[], Path]
    bundle_dir: str
    shards: Sequence[Shard]
    previous: Path | None
    start: Starter
    #: How many Pagefind runs at once (``SEARCH_PARALLEL_RUNS``).
    parallel: int = 1
    #: The last site's bundle folder, whose files a new bundle shares (:func:`place_bundle`);
    #: only where this object runs alone in its process (a rebuild's writes), not in a thread
    #: beside the build's own Python work (the reason :func:`link_tree` gives).
    last: Path | None = None
    outcome: Outcome = field(default_factory=Outcome)
    cancelled: threading.Event = field(default_factory=threading.Event)
    running: list[Any] = field(default_factory=list)
    _target: Path | None = field(default=None, init=False, repr=False)
    _target_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def target(self) -> Path:
        """Where the bundles go (``site``, asked for once, by the first run about to write)."""
        with self._target_lock:
            if self._target is None:
                self._target = self.site if isinstance(self.site, Path) else self.site()
            return self._target

    def run(self) -> None:
        remove_abandoned(scratch_folder())
        previous = read_listing(self.previous) if self.previous else {}
        version = pagefind_version()
        entries: list[dict[str, Any]] = []
        todo: list[Shard] = []
        # From here on only the bundles still to index hold their documents (a few hundred bytes
        # a story, 50 MB at 100,000 stories): each is let go once its run has ended.
        shards, self.shards = self.shards, ()
        try:
            for shard in shards:
                key = shard_key(shard, version)
                entries.append(listed(shard, key))
                kept = self.previous / shard.name if self.previous else None
                if kept is not None and previous.get(shard.name) == key and kept.is_dir():
                    link_tree(kept, self.target() / self.bundle_dir / shard.name)
                    self.outcome.kept.append(shard.name)
                else:
                    todo.append(shard)
            del shards, shard
            if not self._index_all(todo):
                return
            root = self.target() / self.bundle_dir
            root.mkdir(parents=True, exist_ok=True)
            (root / LISTING).write_text(listing_text(entries), encoding="utf-8")
            self.outcome.complete = True
        except (OSError, ValueError) as error:
            self.outcome.note(logging.ERROR, f"search: cannot build the index ({error})")

    def _index_all(self, todo: list[Shard]) -> bool:
        """Index ``todo``, ``parallel`` bundles at a time; True when every one succeeded.

        One Pagefind run keeps about one and a half cores busy, so on two cores a second run
        beside it finishes the bundles of a cold build sooner. Each run's messages are kept
        apart and added in the bundles' order, so the log does not depend on which ends first.
        ``todo`` is emptied: a bundle (and its documents) is held only until its run has ended.
        """
        if len(todo) <= 1 or self.parallel <= 1:
            while todo:
                if not self._index(todo.pop(0), self.outcome):
                    return False
            return True
        outcomes = [Outcome() for _ in todo]
        failed = threading.Event()

        def index(shard: Shard, outcome: Outcome) -> bool:
            if failed.is_set():  # as one run after another would: stop at the first failure
                return False
            ok = self._index(shard, outcome)
            if not ok:
                failed.set()
            return ok

        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="pagefind") as pool:
            results = pool.map(index, todo, outcomes)  # every bundle is handed over here
            todo.clear()
            done = list(results)
        for outcome in outcomes:
            self.outcome.messages += outcome.messages
            self.outcome.indexed += outcome.indexed
        return all(done)

    def _index(self, shard: Shard, outcome: Outcome) -> bool:
        """Run Pagefind for one bundle; what happened goes to ``outcome``."""
        if self.cancelled.is_set():
            return False
        subdir = f"{self.bundle_dir}/{shard.name}"
        prefix = f"{SCRATCH_PREFIX}{os.getpid()}-"
        scratch = scratch_folder()
        with tempfile.TemporaryDirectory(prefix=prefix, dir=scratch) as folder:
            documents = Path(folder) / "documents"
            # Given the last site's bundles and a folder in memory, Pagefind writes the bundle
            # beside its documents and it is placed after, sharing the last one's files (the
            # module says why); otherwise into the site directly.
            shared = self.last / shard.name if self.last is not None and scratch == MEMORY_FOLDER else None
            bundle = Path(folder) / "bundle" / subdir if shared is not None else self.target() / subdir
            try:
                write_documents(documents, shard.pages)
            except (OSError, RuntimeError) as error:
                outcome.note(logging.ERROR, f"search: cannot write the documents of {subdir} ({error})")
                return False
            stand_ins = self._prefill(bundle, shared, subdir, outcome) if shared is not None else set()
            if not self._run(documents, bundle, subdir, outcome):
                return False
            from_last: set[str] = set()
            if stand_ins:
                try:
                    from_last = settle(bundle, stand_ins)
                except UnknownShape as error:
                    outcome.note(
                        logging.WARNING,
                        f"search: cannot tell which of the last index's files {subdir} still uses "
                        f"({error}); indexed again from nothing",
                    )
                    shutil.rmtree(bundle, ignore_errors=True)
                    if not self._run(documents, bundle, subdir, outcome):
                        return False
            stabilise(bundle)  # filter and meta indexes in a stable order (stable.py says why)
            drop_ui_files(bundle)
            if shared is not None:
                try:
                    place_bundle(bundle, self.target() / subdir, shared, from_last)
                except OSError as error:
                    outcome.note(logging.ERROR, f"search: cannot place {subdir} in the site ({error})")
                    return False
        outcome.indexed.append(shard.name)
        return True

    def _prefill(self, bundle: Path, shared: Path, subdir: str, outcome: Outcome) -> set[str]:
        """Stand-ins in ``bundle`` for the last bundle's fragments (``prefill.py`` says why);
        none when they cannot be made (the run then writes every file)."""
        try:
            return prefill(bundle, shared)
        except OSError as error:
            outcome.note(logging.DEBUG, f"search: {subdir} starts from nothing ({error})")
            shutil.rmtree(bundle, ignore_errors=True)
            return set()

    def _run(self, documents: Path, bundle: Path, subdir: str, outcome: Outcome) -> bool:
        """One Pagefind run from ``documents`` into ``bundle``; False (said in ``outcome``) when
        it could not start or failed."""
        try:
            run = self.start(documents, bundle)
        except OSError as error:  # FileNotFoundError: no pagefind_bin; others: cannot start it
            outcome.note(
                logging.ERROR, f"search: cannot run Pagefind ({error}): pip install -r requirements.txt"
            )
            return False
        self.running.append(run.process)
        try:
            result: subprocess.CompletedProcess[str] = run.wait()
        finally:
            self.running.remove(run.process)
        outcome.note(logging.DEBUG, f"Pagefind output for {subdir}:\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            if self.cancelled.is_set():
                return False
            said = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
            outcome.note(
                logging.ERROR, f"search: Pagefind failed on {subdir} (exit {result.returncode}): {said}"
            )
            return False
        return True


def _cancel(cancelled: threading.Event, running: list[Any]) -> None:
    """Stop the indexing nobody waits for any more (the build failed between its two steps)."""
    cancelled.set()
    for process in list(running):
        if process.poll() is None:
            process.kill()


def remove_partial(root: Path) -> None:
    """Leave no half-made index behind when a run failed: the search page then says so."""
    shutil.rmtree(root, ignore_errors=True)
