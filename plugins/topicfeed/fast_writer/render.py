"""Rendering the deferred pages: each page's key, and the pages split across forked processes.

A page's key digests the template's name, the code salt, and every context value the template
read (by name, or the part of a list or dict it took: see ``tracking``). A page whose key and file
are unchanged is reused; the others are rendered here, on ``RENDER_PROCESSES`` processes forked
from the build (nothing is copied). Each process keys its pages with the build's fingerprinter, as
forked: the values the build already digested (the feeds' articles) are not digested again.

A page is written in one call, as bytes; its folder is made then if it is not there (nothing is
made when a page is recorded). Its size and time come from the open file (no second look-up by
path for the manifest).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from topicfeed import forked
from topicfeed.page_files import write_page
from topicfeed.template_reads import MISSING, Values, read_name, render_tracked, value_read

from .fingerprint import Fingerprinter

#: Fewer pages than this are rendered in this process: forking would cost more than it saves.
MIN_PARALLEL_PAGES = 64


@dataclass
class Job:
    """One page to write: the file, the template and the context it renders with."""

    path: str
    template: Any
    base: dict[str, Any]
    changes: dict[str, Any]

    def context(self) -> dict[str, Any]:
        merged = dict(self.base)
        merged.update(self.changes)
        return merged

    def get(self, name: str, default: Any = None) -> Any:
        """One value of :meth:`context`, without merging the whole of it: keying a page that is
        then reused reads a few dozen of its couple of hundred names."""
        value = self.changes.get(name, MISSING)
        return self.base.get(name, default) if value is MISSING else value


#: A written page: its path, the names its template read, its key and [size, mtime_ns].
Page = tuple[str, list[str], str | None, list[int]]


@dataclass
class Rendered:
    """What rendering some jobs produced: one :data:`Page` per page, and the digest paths taken."""

    pages: list[Page] = field(default_factory=list)
    fast_paths: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=1 << 16)  # a site's reads: a few per template and topic
def _label(read: str) -> bytes:
    """A read as its page key names it (the same few dozen reads on every page)."""
    return read.encode() + b"\0"


def page_key(
    salt: bytes,
    template_name: str,
    reads: list[str],
    context: Values,
    prints: Fingerprinter,
    shared: SharedParts | None = None,
) -> str | None:
    """The key of a page that read ``reads`` from ``context``; None when a value has no digest.

    ``shared``: for a :class:`Job`, the parts its base context gives (the same for every page of
    a generator), made once per list of reads instead of once per page. The key is the same
    either way, and the same as for the job's merged context.
    """
    if shared is not None and type(context) is Job:
        parts = shared.parts(reads, context)
    else:
        parts = [_part(read, context, prints) for read in sorted(reads)]
    if None in parts:
        return None
    digest = hashlib.blake2b(salt, digest_size=20)
    digest.update(template_name.encode())
    digest.update(b"".join(parts))  # type: ignore[arg-type]
    return digest.hexdigest()


def _part(read: str, context: Values, prints: Fingerprinter) -> bytes | None:
    """What one read adds to a page key: its label, then its value's digest (None: no digest)."""
    value = value_read(read, context)
    part = b"<missing>" if value is MISSING else prints.digest_named(read, value)
    return None if part is None else _label(read) + part


class SharedParts:
    """The key parts that come from a job's base context, per base and list of reads.

    Every page of a generator has the same base (Pelican's context: the settings and the
    site-wide lists) and the pages of a template read the same few dozen names, most of them
    from the base: keying 96,000 pages at 100,000 items looked each of those up and digested it
    again, page after page. A base is held while its parts are, and must not change meanwhile
    (the pages are keyed after Pelican has recorded every one of them).
    """

    def __init__(self, prints: Fingerprinter) -> None:
        self.prints = prints
        #: (id(base), reads) -> (base, [(read, its context name, its part from base or unset)])
        self._held: dict[tuple[int, tuple[str, ...]], tuple[dict[str, Any], list[list[Any]]]] = {}

    def parts(self, reads: list[str], job: Job) -> list[bytes | None]:
        base, changes, prints = job.base, job.changes, self.prints
        memo_key = (id(base), tuple(reads))
        held = self._held.get(memo_key)
        if held is None or held[0] is not base:
            plan = [[read, read_name(read), _UNSET] for read in sorted(reads)]
            held = self._held[memo_key] = (base, plan)
        parts: list[bytes | None] = []
        for entry in held[1]:
            read, name, part = entry
            if name in changes:
                parts.append(_part(read, job, prints))
            else:
                if part is _UNSET:
                    part = entry[2] = _part(read, base, prints)
                parts.append(part)
        return parts


_UNSET = object()


def render_jobs(
    jobs: list[Job],
    salt: bytes,
    prints: Fingerprinter,
    parent: int | None = None,
    shared: SharedParts | None = None,
) -> Rendered:
    """Render and write ``jobs`` in this process, keying each page with ``prints``.

    ``parent``: in a forked renderer, the build's pid. When the build is gone (killed), the
    renderer stops before its next page instead of writing on into a staging folder the next
    build may already be using (and holding the build's stdout open meanwhile).
    """
    rendered = Rendered()
    shared = shared if shared is not None else SharedParts(prints)
    for job in jobs:
        if parent is not None and os.getppid() != parent:
            os._exit(1)
        context = job.context()
        output, reads = render_tracked(job.template, context)
        stat = write_page(job.path, output)
        names = sorted(reads)
        key = page_key(salt, job.template.name or "", names, job, prints, shared)
        rendered.pages.append((job.path, names, key, stat))
    rendered.fast_paths.update(prints.fast_paths)
    return rendered


def render_parallel(
    jobs: list[Job], processes: int, salt: bytes, prints: Fingerprinter, shared: SharedParts | None = None
) -> Rendered:
    """Render ``jobs`` on ``processes`` processes (this one included, the others forked:
    nothing is copied; :func:`topicfeed.forked.split`).

    Each forked process keys its pages with its copy of ``prints`` (the digests made so far) and
    of ``shared`` (the base parts of the keys made so far), and stops before its next page once
    the build is gone.
    """
    if len(jobs) < MIN_PARALLEL_PAGES:
        processes = 1
    parent = os.getpid()

    def work(part: list[Job], in_child: bool) -> Rendered:
        return render_jobs(part, salt, prints, parent if in_child else None, shared)

    try:
        parts = forked.split(jobs, processes, work)
    except forked.ForkedStepFailed as error:
        raise RuntimeError(f"rendering failed in a worker process:\n{error}") from None
    result = parts[0]
    for part in parts[1:]:
        result.pages.extend(part.pages)
        result.fast_paths.update(part.fast_paths)
    return result
