"""Builds into ``.<output>.building`` beside the output folder and swaps it in when all is written.

A build that fails or is killed never reaches its commit, so the previous site stays as it was;
what it left is cleared at the start of the next build (:func:`swap.recover`). Every build starts
from a folder without files, so pages of items since unpublished or deleted cannot linger; names
listed in ``OUTPUT_RETENTION`` (``.git``, ``CNAME``) are carried over from the previous site.
With ``OUTPUT_RECYCLE_FOLDERS`` the folders (not the files) of an earlier site are taken over, and
the ones this build left empty are removed before the swap, so the result equals a fresh build.

A build that replaced no site (a cold one) leaves a skeleton made from its own page folders by a
process that outlives it (:func:`swap.leave_skeleton_in_background`, at the swap). A build that
still takes over no skeleton (that process failed or is not done) starts a process that makes
the published site's page folders in the building folder while the build reads its items
(``mirror.py``); ``folders_made`` (phase REPORT) waits for it before the site is listed. A run
planned from the site model has the last site hard-linked into the skeleton (or a new folder)
while it plans (phase PLAN, :mod:`.ahead`), takes that folder over at its start and hands the
files linked to the run (``Build.prefilled``).

A build owns its output: from its start to the end of its commit it holds the output lock
(``.<output>.lock`` beside the output, :mod:`topicfeed.locks`), so a second build of the same
output waits (and says so) instead of removing what the first is writing. The render manifest
and the build report beside the output are written inside that window, so the lock covers them.

Steps: ``start`` (phase START) points the run at the building folder (``build.target`` and
Pelican's ``output_path``); ``commit`` (phase COMMIT, the last) swaps it in. A run planned from
the site model (``topicfeed.plugin.run_planned``) takes the same steps. Steps between them
write into ``build.target`` and find the published site at ``build.output``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from topicfeed import locks
from topicfeed.build import Build
from topicfeed.plugin import Phase, Underivable, derivation, register_plugin

from . import ahead, swap
from .settings import SETTINGS

logger = logging.getLogger(__name__)

#: Where ``start`` keeps the folder maker's process for ``folders_made``.
_MIRROR = f"{__package__ or __name__}.mirror"
#: Where ``link_ahead`` keeps the linking for ``start``.
_AHEAD = f"{__package__ or __name__}.ahead"


def _recycles(settings: Any) -> bool:
    # Pelican empties the output folder itself when told to: folders taken over would only be
    # removed again, one slow ``rmdir`` at a time.
    return bool(settings["OUTPUT_RECYCLE_FOLDERS"]) and not settings["DELETE_OUTPUT_DIRECTORY"]


def link_ahead(pelican: Any, build: Build) -> None:
    """The ``PLAN`` step: link the last site's files (as the ``site-listing`` derivation lists
    them) into the skeleton, or a new folder, while the rebuild plans (:mod:`.ahead`). At
    100,000 items the linking took 4.2 s of a process, 3.4 s of it in the kernel, in the
    rendering phase, whose four processes (pages, API, search, links) kept both cores busy;
    the plan's first seconds leave one idle."""
    settings = pelican.settings
    output = Path(settings["OUTPUT_PATH"]).resolve()
    try:
        _, recorded = derivation(settings, "site-listing")(output)
    except Underivable:
        return  # no record of the last site: the run builds in full
    linking = ahead.link_ahead(output, recorded, settings["OUTPUT_RETENTION"], _recycles(settings))
    if linking is not None:
        build.private[_AHEAD] = linking


def start(pelican: Any, build: Build) -> None:
    """Take the output lock, clear what an interrupted build left, and write into a fresh folder
    (a run planned from the site model: the folder its ``PLAN`` step filled)."""
    settings = pelican.settings
    # OUTPUT_PATH, not pelican.output_path: in autoreload mode a failed run left the latter
    # pointing at its building folder.
    output = Path(settings["OUTPUT_PATH"]).resolve()
    linking: ahead.LinkingAhead | None = build.private.pop(_AHEAD, None)
    if linking is not None and build.planned is None:
        linking.cancel()  # the run became a full build, which writes into a folder of files
        linking = None
    locks.acquire(
        locks.lock_file(output), rank=locks.OUTPUT, what=str(output), timeout=settings["OUTPUT_LOCK_TIMEOUT"]
    )
    recycle = _recycles(settings)
    build.private[__package__ or __name__] = recycle
    linked = None
    if linking is not None:
        try:
            linked = linking.finish()
        except ahead.ChangedSince as error:
            locks.release(locks.lock_file(output))
            raise Underivable(str(error)) from None
    elif build.planned is not None:
        locks.release(locks.lock_file(output))
        raise Underivable("the last site was not linked while the run planned")
    prefilled = None if linking is None or linked is None else (linking.folder, linked.folders)
    building = swap.prepare(output, settings["OUTPUT_RETENTION"], recycle=recycle, ahead=prefilled)
    if linking is not None and linked is not None:
        linking.adopted()
        build.prefilled = linked.files
    build.output = output
    build.target = building
    pelican.output_path = str(building)
    # No skeleton taken over: make the folders beside the build.
    if recycle and build.planned is None and not swap.folders_list(output).exists():
        build.private[_MIRROR] = swap.mirror_in_background(output, building, settings["OUTPUT_RETENTION"])


def folders_made(pelican: Any, build: Build) -> None:
    """Wait for the folder maker started with the build, before anything lists the site."""
    process = build.private.pop(_MIRROR, None)
    if process is None:
        return
    made, errors = process.communicate()
    listed = swap.take_mirrored_list(build.output)  # even from a failed run: what it may have made
    if process.returncode != 0:  # the build made the folders it needed itself
        logger.debug(
            "atomic_output: the folder maker failed (%d folders listed): %s",
            listed,
            errors.decode(errors="replace").strip(),
        )
    else:
        logger.debug("atomic_output: page folders made beside the build: %s", made.decode().strip())


def commit(pelican: Any, build: Build) -> None:
    """Replace the output folder with the finished build, then give the output back."""
    recycle = bool(build.private.get(__package__ or __name__))
    try:
        # The folders taken over or made ahead that this build left empty (none listed: none).
        swap.prune(build.output, build.filled_folders)
        if swap.swap(build.output, recycle=recycle, retained=build.settings["OUTPUT_RETENTION"]):
            logger.debug("output replaced atomically: %s", build.output)
    finally:
        pelican.output_path = str(build.output)
        build.target = build.output
        locks.release(locks.lock_file(build.output))


def register() -> None:
    register_plugin(
        __package__ or __name__,
        settings=SETTINGS,
        steps=[(Phase.START, start), (Phase.REPORT, folders_made), (Phase.COMMIT, commit)],
        planned_steps=[
            (Phase.PLAN, link_ahead),
            (Phase.START, start),
            (Phase.REPORT, folders_made),
            (Phase.COMMIT, commit),
        ],
    )
