"""The site's one writer: pages rendered later, on every core, and only when their inputs changed;
feeds in the build's feed format, reused when unchanged.

Pelican's ``Writer.write_file`` keeps doing everything it does (pagination, local contexts,
overwrite checks); only the step that costs the time moves: the template is handed in wrapped,
so ``render`` just records the page, and the adapter's ``file_opened`` hook records where it
goes. ``content_written`` is held back meanwhile. :func:`flush` (the ``write`` phase) then, for
each recorded page:

- computes its key (see ``render.page_key``) from the values the template read the last time it
  rendered this page; if the key and the previous output file are unchanged, the previous file
  is linked into the new build instead of rendered (see ``manifest``);
- renders the others, split across ``RENDER_PROCESSES`` forked processes;
- and only then sends ``content_written`` for each page, in the order Pelican wrote them.

Feeds are written at once, through Pelican's ``write_feed``; how a feed looks comes from
``Build.feed_format`` (the feeds plugin fills it), or is Pelican's own when it is ``None``. The
writer knows nothing of the feeds plugin, nor the feeds plugin of the writer.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from pelican import signals

from topicfeed.build import Build, RenderStats
from topicfeed.feed_format import FeedFormat, FormattedWriter
from topicfeed.memory_budget import extra_processes, resident_mb
from topicfeed.model import Image, NewsItem, Problem, Provider
from topicfeed.pelican_adapter import content_written_held

from .fingerprint import Fingerprinter
from .linker import Linker
from .manifest import Manifest
from .render import MIN_PARALLEL_PAGES, MISSING, Job, SharedParts, page_key, render_parallel

logger = logging.getLogger(__name__)

#: Frozen data classes digested by pickling (fast): they hold plain data only.
PURE_TYPES: tuple[type, ...] = (NewsItem, Image, Provider, Problem)


class _Deferred:
    """Stands in for a template: ``render`` records the context instead of rendering."""

    def __init__(self, template: Any, writer: SiteWriter, base: dict[str, Any]) -> None:
        self.template = template
        self.writer = writer
        self.base = base
        self.name = getattr(template, "name", None)

    def render(self, localcontext: dict[str, Any]) -> str:
        base = self.base
        if type(localcontext) is _PageValues:  # the page's own values, kept apart from ``base``
            changes: dict[str, Any] = localcontext
        else:
            changes = {k: v for k, v in localcontext.items() if base.get(k, MISSING) is not v}
        self.writer._pending = (self.template, base, changes)
        return ""


class _PageValues(dict):
    """A deferred page's own values, given to ``_Deferred.render`` without the shared context."""


class SiteWriter(FormattedWriter):
    """Pelican's writer, deferring pages (``RENDER_DEFERRED``) and applying the feed format."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.build = Build.of(self.settings)
        self.deferred: bool = self.settings["RENDER_DEFERRED"]
        self.manifest = Manifest.for_build(
            self.settings,
            self.build.output,
            Path(output_path).resolve(),
            enabled=self.deferred and self.settings["RENDER_INCREMENTAL"],
        )
        self.prints = Fingerprinter(PURE_TYPES)
        #: Deferred pages, in the order Pelican wrote them.
        self.jobs: list[Job] = []
        #: Pages Pelican rendered itself (``RENDER_DEFERRED = False``).
        self.rendered_directly = 0
        self.feeds_reused = 0
        self._pending: tuple[Any, dict[str, Any], dict[str, Any]] | None = None
        self._skipped: list[tuple[str, dict[str, Any]]] = []
        self._writing_page = False
        self._recording = False
        self._settings_digest: bytes | None = None
        #: Each article's part of a feed key, with the article (see :meth:`_entries_digest`).
        self._entry_parts: dict[int, tuple[Any, bytes | None]] = {}
        _OPEN[id(self.settings)] = self

    # Pages ----------------------------------------------------------------------------------

    def write_file(
        self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> None:
        self._writing_page = True
        try:
            if not self.deferred:
                super().write_file(name, template, context, *args, **kwargs)
                return
            self._recording = True
            with content_written_held():
                super().write_file(name, _Deferred(template, self, context), context, *args, **kwargs)
        finally:
            self._writing_page = self._recording = False
        skipped, self._skipped = self._skipped, []
        for path, localcontext in skipped:  # not overwritten: Pelican announces those at once too
            signals.content_written.send(path, context=localcontext)

    def page_context(self, context: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """A deferred page keeps its own values apart: its job merges them with ``context`` when
        it renders (a copy of the whole context per page, and a pass over it, was a measurable
        part of recording 10,000 pages)."""
        if self._recording:
            return _PageValues(values)
        return super().page_context(context, values)

    def make_folder(self, folder: str) -> None:
        """A deferred page's folder is made when the page is written or linked, if it is not there
        (in a rebuild almost every folder is: the previous site's, kept as a skeleton)."""
        if self._pending is None:
            super().make_folder(folder)

    def file_opened(self, filename: str, skipped: bool) -> bool:
        """Record a deferred page: it is written in :func:`flush`, so nothing is created now."""
        pending, self._pending = self._pending, None
        if pending is None:
            if self._writing_page and not skipped:
                self.rendered_directly += 1
            return False
        template, base, changes = pending
        job = Job(os.path.abspath(filename), template, base, changes)
        if skipped:
            self._skipped.append((filename, job.context()))
            return False
        self.jobs.append(job)
        return True

    # Feeds ----------------------------------------------------------------------------------

    @property
    def feed_format(self) -> FeedFormat | None:
        return self.build.feed_format

    def _feed_key(
        self, elements: Any, context: dict[str, Any], path: str, extra: tuple[Any, ...]
    ) -> str | None:
        """A feed depends on its entries, the settings, its call, and what the feed format says."""
        if self._settings_digest is None:
            settings = {k: v for k, v in context.items() if k.isupper()}
            self._settings_digest = self.prints.digest(settings) or b""
        limit = context.get("FEED_MAX_ITEMS") or len(elements)
        shown = list(elements[:limit])
        feed_format = self.build.feed_format
        if feed_format is not None:
            extra = (*extra, feed_format.feed_key(path, shown))
        parts = [self._settings_digest, self._entries_digest(shown), self.prints.digest(extra)]
        if None in parts:
            return None
        digest = hashlib.blake2b(self.manifest.salt, digest_size=20)
        for part in parts:
            digest.update(part)
        return digest.hexdigest()

    def _entries_digest(self, shown: list[Any]) -> bytes | None:
        """The digest of what a feed shows of ``shown``: each article's entry inputs when the
        feed format names them (``FeedFormat.entry_inputs``), else the whole article.

        Each article's part is made once a build (it is in several feeds) and kept with the
        article, so its ``id`` stays its own.
        """
        feed_format = self.build.feed_format
        inputs = getattr(feed_format, "entry_inputs", None)
        known = self._entry_parts
        digest = hashlib.blake2b(digest_size=20)
        for article in shown:
            held = known.get(id(article))
            if held is None:
                value = inputs(article) if inputs is not None else None
                held = known[id(article)] = (article, self.prints.digest(article if value is None else value))
            if held[1] is None:
                return None
            digest.update(held[1])
        return digest.digest()

    def forget_digests(self) -> None:
        """Drop every digest made so far (see ``Fingerprinter.forget``), the feeds' parts too."""
        self.prints.forget()
        self._entry_parts.clear()

    def write_feed(
        self,
        elements: Any,
        context: dict[str, Any],
        path: str | None = None,
        url: str | None = None,
        feed_type: str = "atom",
        override_output: bool = False,
        feed_title: str | None = None,
    ) -> Any:
        if not path or not self.manifest.enabled:
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        relative = os.path.normpath(path)
        key = self._feed_key(elements, context, relative, (relative, url, feed_type, feed_title))
        entry = self.manifest.reusable(relative, lambda _: key) if key else None
        target = str(self.manifest.building / relative)
        if entry is not None and self.claim(target):
            self.manifest.reuse(relative, entry)
            self.feeds_reused += 1
            signals.feed_written.send(target, context=context, feed=None)
            return None
        feed = super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        self.manifest.record(relative, key)
        return feed


#: The writer of each running build, by its settings dict (the ``write`` step takes it).
_OPEN: dict[int, SiteWriter] = {}


def take_writer(settings: dict[str, Any]) -> SiteWriter | None:
    """The writer Pelican made for this build (once: the ``write`` step takes it)."""
    return _OPEN.pop(id(settings), None)


def _key_of(
    salt: bytes, name: str, job: Job, prints: Fingerprinter, shared: SharedParts, entry: dict[str, Any]
) -> str | None:
    """The key of ``job``'s page now, from the names its previous render read (``entry``)."""
    return page_key(salt, name, entry["reads"], job, prints, shared)


def flush(writer: SiteWriter) -> tuple[RenderStats, dict[str, str]]:
    """Write every deferred page, then announce them; returns the stats and the digest paths used.

    Unchanged pages are linked from the previous output, the rest rendered; ``content_written``
    is sent for each page once every page is on disk.
    """
    jobs, writer.jobs = writer.jobs, []
    manifest = writer.manifest
    salt = manifest.salt
    prints = writer.prints
    shared = SharedParts(prints)
    settings = writer.settings
    processes = settings["RENDER_PROCESSES"] or os.cpu_count() or 1
    linker = None  # a small process of its own (no copy of the build): no memory budget to ask
    if manifest.old and len(jobs) >= settings["RENDER_LINKER_MIN_PAGES"]:  # a rebuild, pages to link
        linker = Linker(manifest.previous, manifest.building)
    to_render: list[Job] = []
    try:
        for job in jobs:
            relative = manifest.relative(job.path)
            name = job.template.name or ""
            key_of = functools.partial(_key_of, salt, name, job, prints, shared)
            if linker is None:
                entry = manifest.reusable(relative, key_of)
                if entry is not None:
                    manifest.reuse(relative, entry)
            else:
                entry = manifest.key_holds(relative, key_of)
                if entry is not None:
                    linker.link(relative, entry["stat"])
                    manifest.linked_elsewhere(relative, entry)
            if entry is None:
                to_render.append(job)
    finally:
        refused = linker.finish() if linker is not None else []
    if linker is not None:
        logger.info(
            "fast_writer: %d unchanged pages linked by link_pages, %d of them not as recorded (rendered)",
            len(jobs) - len(to_render),
            len(refused),
        )
    if refused:  # an old file not as recorded (touched by hand): rendered instead
        by_path = {manifest.relative(job.path): job for job in jobs}
        for relative in refused:
            manifest.not_linked(relative)
            to_render.append(by_path[relative])
    if processes > 1 and len(to_render) >= MIN_PARALLEL_PAGES:  # forked renderers: within the budget
        processes = 1 + extra_processes(settings, processes - 1, resident_mb(), step="page renderers")
    rendered = render_parallel(to_render, processes, salt, prints, shared)
    # Every page is keyed (the renderers keyed theirs): the digests go before the manifest is
    # saved, which the build's peak used to carry on top of them. A feed written after this
    # digests its values again.
    writer.forget_digests()
    for path, reads, key, stat in rendered.pages:
        manifest.record(manifest.relative(path), key, reads, stat)
    if manifest.enabled and manifest.new != manifest.old:  # unchanged: the file stays as it is
        manifest.save()
    for job in jobs:
        signals.content_written.send(job.path, context=job.context())
    unchanged = manifest.enabled and not to_render and set(manifest.old) == set(manifest.new)
    unchanged = unchanged and all(entry.get("key") for entry in manifest.new.values())
    as_tuples: dict[int, tuple[str, ...]] = {}  # pages of one template often share one list
    reads = {
        relative: as_tuples.get(id(names)) or as_tuples.setdefault(id(names), tuple(names))
        for relative, entry in manifest.new.items()
        if (names := entry.get("reads")) is not None
    }
    stats = RenderStats(
        rendered=len(to_render) + writer.rendered_directly,
        reused=len(jobs) - len(to_render),
        feeds_reused=writer.feeds_reused,
        site_unchanged=unchanged,
        reads=reads,
    )
    return stats, {**prints.fast_paths, **rendered.fast_paths}
