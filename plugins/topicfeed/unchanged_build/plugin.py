"""Skip a build that would give the site that is already there.

A warm build used to cost a third of a cold one: Pelican reads every item (from the item store),
builds every page's context and the writer keys every page, only to find each unchanged. Since a
build is deterministic, the same inputs into an untouched output can only give that output.

Steps:

- ``CHECK`` (at ``initialized``): take the fingerprint of the inputs (:mod:`.inputs`) and compare
  it, and the output folder's listing, with the record of the last finished build
  (:mod:`.state`). Both equal: Pelican's run is replaced by a one-line message, and the warnings
  that build logged are logged again, so a skipped build says what a full one would.
- ``START``: the run goes on; from here every warning and error it logs is noted.
- ``RECORD`` (every file written, before the commit): the fingerprint taken at ``CHECK``, the
  listing of the new site and its warnings become the record for the next build. The listing
  takes the last record's entry for a file that is still the same inode (a hard link of the last
  site's file) instead of looking it up (see :mod:`.state`). An error the content explains (a
  rejected news file: the reader marks it, :data:`topicfeed.model.FROM_CONTENT`) is kept with
  the warnings and said again by a run that finds nothing changed, as the same files would
  make a full build say it; a build that logged any other error (a failed search index) leaves
  no record, so the next build runs in full. Strict mode is never bypassed: ``NEWS_STRICT`` is
  a setting (another fingerprint), and under ``--fatal`` a record holding a line at the fatal
  level is not skipped to (the full build fails as it fails).

A run planned from the site model (``topicfeed.plugin.run_planned``) takes ``START`` and
``RECORD`` too: its site is the one a full build of the same inputs makes, so it leaves the same
record. It also asks for the recorded listing (the ``site-listing`` derivation,
:func:`recorded_site`): the files of the last site it links into its own must be the ones the
last build left, not files changed, added or deleted by hand since. When it finds one that is
not, the run turns into a full build of the same inputs, which takes the fingerprint taken at
``CHECK`` and leaves the record as any full build does (the next change is planned again).

``SKIP_UNCHANGED_BUILD = False`` turns the skip off (a full build each time, as for measuring);
the record is still kept, for the next build and for a rebuild from the site model.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from pelican.log import console

from topicfeed import build_inputs as inputs
from topicfeed import content_stats, pelican_adapter
from topicfeed.build import Build
from topicfeed.git_checkout import GitWord
from topicfeed.model import FROM_CONTENT
from topicfeed.plugin import Phase, Underivable, register_plugin

from . import state
from .settings import SETTINGS

logger = logging.getLogger(__name__)
NAME = __package__ or __name__


class _Noted(logging.Handler):
    """Keeps every warning and error of one run (the root logger's records, as logged), and
    whether it logged an error that the content does not explain (:data:`FROM_CONTENT`)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[int, str]] = []
        self.build_error = False

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR and not getattr(record, FROM_CONTENT, False):
            self.build_error = True
        try:
            self.records.append((record.levelno, record.getMessage()))
        except Exception:  # a record that cannot be formatted is still a warning
            self.records.append((record.levelno, str(record.msg)))


#: Fingerprints taken at ``initialized`` (with the last record's site listing and file
#: system), by settings dict, until the run that takes them records (``RECORD``).
_TAKEN: dict[int, tuple[inputs.Fingerprint, int, dict[str, list[int]], str]] = {}
#: The settings dicts whose fingerprint a replaced run (planned from the site model) has taken:
#: the full run it may turn into takes it again; a later run of the instance may not.
_CLAIMED: set[int] = set()


def _output(settings: dict[str, Any]) -> Path:
    return Path(settings["OUTPUT_PATH"]).resolve()


def _retained(settings: dict[str, Any]) -> list[str]:
    """Names the output step carries over from site to site (none without that step)."""
    return list(settings.get("OUTPUT_RETENTION") or ())


def _skip_paths(settings: dict[str, Any], output: Path) -> list[Path]:
    """Folders under the content or plugin paths that are the build's own products."""
    return [output, output.parent / f".{output.name}.building", Path(settings["CACHE_PATH"])]


def check(pelican: Any, _build: Build | None) -> None:
    settings = pelican.settings
    output = _output(settings)
    record = state.load(output)
    content_stats.forget(settings)  # the last run's, in autoreload
    taken_ns = time.time_ns()
    seen: dict[str, content_stats.Stat] = {}
    root = os.path.realpath(settings["PATH"] or ".")
    git = GitWord(root)
    try:
        current = inputs.fingerprint(
            settings,
            record.files if record else {},
            record.taken_ns if record else 0,
            _skip_paths(settings, output),
            seen,
            git,
        )
    except inputs.Unstable as error:
        logger.info("unchanged_build: %s, so every build runs in full", error)
        return
    # The news reader's stat table would stat every file again (1 s at 100,000 files).
    content_stats.keep(settings, content_stats.Look(root, taken_ns, seen, git))
    last = (record.site, record.filesystem) if record else ({}, "")
    if record is not None and not output.is_dir():
        # No site to skip to or to take inodes from: a listing of files long gone (the output
        # deleted, the record left) is not held for the whole build (at 100,000 items, 281,757
        # entries).
        state.release(output)
        last = ({}, "")
    _TAKEN[id(settings)] = (current, taken_ns, *last)
    if not settings["SKIP_UNCHANGED_BUILD"] or record is None or record.fingerprint != current.digest:
        return
    if not state.same_site(state.listing(output, _retained(settings)), record.site):
        logger.info("unchanged_build: %s is not the site the last build left; a full build", output)
        return
    if any(level >= pelican_adapter.fatal_level() for level, _ in record.warnings):
        # ``--fatal`` (``make html STRICT=1``) fails on a line the last build said (a rejected
        # news file): the full build fails as it fails, with its own message
        logger.info("unchanged_build: --fatal fails on what the last build said; a full build")
        return
    _TAKEN.pop(id(settings), None)
    content = sum(1 for name in current.files if name.startswith("content/"))

    def instead() -> None:
        console.print(
            f"Nothing changed since the last build ({content} content files, settings, theme and "
            f"code as they were): {output} is left as it is.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        for level, message in record.warnings:
            logger.log(level, "%s", message)

    pelican_adapter.skip_run(pelican, instead)


def start(pelican: Any, build: Build) -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Noted)]:
        root.removeHandler(handler)  # left by an earlier run of this process that failed
    key = id(pelican.settings)
    if pelican_adapter.within_replaced_run(pelican):
        # A run planned from the site model, or the full run it turned into (a file of the last
        # site changed by hand, another build swapped in): the inputs are those of ``initialized``.
        taken = _TAKEN.get(key)
        _CLAIMED.add(key)
    else:
        taken = _TAKEN.pop(key, None)
        if key in _CLAIMED:  # a replaced run that failed took it; this is a later run
            _CLAIMED.discard(key)
            taken = None
    if taken is None:
        # A second run of the same Pelican instance (autoreload): inputs may have changed since
        # ``initialized``. Leave no record rather than one that might not match, and let no
        # step use the stats the check took then.
        content_stats.forget(pelican.settings)
        state.forget(build.output)
        return
    noted = _Noted()
    root.addHandler(noted)
    build.private[NAME] = (taken, noted)


def record(pelican: Any, build: Build) -> None:
    kept = build.private.pop(NAME, None)
    _TAKEN.pop(id(pelican.settings), None)
    _CLAIMED.discard(id(pelican.settings))
    content_stats.forget(pelican.settings)  # this run's only (autoreload runs the instance again)
    if kept is None:
        return
    (fingerprint, taken_ns, last_site, last_filesystem), noted = kept
    logging.getLogger().removeHandler(noted)
    if noted.build_error:
        state.forget(build.output)
        return
    # The recorded inodes vouch for a file only while the site they were recorded from still
    # holds them (beside this build's folder, until the swap). Once it is gone (deleted by hand,
    # or by a benchmark's cold build, keeping the record), the file system reuses its inode
    # numbers for new files at the same paths; a cache restored on another machine brings
    # another file system's numbers: every file is looked up instead.
    last_site_kept = (
        build.output != build.target
        and build.output.is_dir()
        and last_filesystem == state.filesystem(build.output)
    )
    if build.known_files is not None:  # a rebuild from the site model: it knows its files
        site, build.filled_folders = state.listed(build.target, build.known_files)
    else:
        site, build.filled_folders = state.walk(
            build.target, _retained(pelican.settings), known=last_site if last_site_kept else None
        )
    warnings = [[level, message] for level, message in noted.records]
    state.save(
        build.output,
        state.Record(
            fingerprint.digest,
            fingerprint.files,
            site,
            taken_ns,
            warnings,
            build=build.id,
            filesystem=state.filesystem(build.target),
        ),
    )


def recorded_site(output: Path) -> tuple[str, dict[str, list[int]]]:
    """The build that made the site at ``output`` (``Build.id``) and its files as that build
    recorded them (``[size, mtime_ns, inode]`` by path, without the retained names; a file is
    the one recorded when its size and time are: :func:`state.same_site`): the ``site-listing``
    derivation. Raises :class:`Underivable` when no build left a record (the last one logged an
    error, or the record is damaged or of another version)."""
    record = state.load(output)
    if record is None:
        raise Underivable(f"no record of the files the last build left in {output}")
    return record.build, record.site


def register() -> None:
    register_plugin(
        NAME,
        settings=SETTINGS,
        provides={"site-listing"},
        derives={"site-listing": recorded_site},
        steps=[(Phase.CHECK, check), (Phase.START, start), (Phase.RECORD, record)],
        planned_steps=[(Phase.START, start), (Phase.RECORD, record)],
    )
