"""Rendering the deferred pages: each page's key, and the pages split across forked processes.

A page's key digests the template's name, the code salt, and every context value the template
read (by name, or the part of a list or dict it took: see ``tracking``). A page whose key and file
are unchanged is reused; the others are rendered here, on ``RENDER_PROCESSES`` processes forked
from the build (nothing is copied).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import traceback
from dataclasses import dataclass, field
from typing import Any

from .fingerprint import Fingerprinter
from .tracking import MISSING, render_tracked, value_read

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


@dataclass
class Rendered:
    """What rendering some jobs produced: (path, names read, key) per page, and the digest paths."""

    pages: list[tuple[str, list[str], str | None]] = field(default_factory=list)
    fast_paths: dict[str, str] = field(default_factory=dict)


def page_key(
    salt: bytes, template_name: str, reads: list[str], context: dict[str, Any], prints: Fingerprinter
) -> str | None:
    """The key of a page that read ``reads`` from ``context``; None when a value has no digest."""
    digest = hashlib.blake2b(salt, digest_size=20)
    digest.update(template_name.encode())
    for name in sorted(reads):
        value = value_read(name, context)
        part = b"<missing>" if value is MISSING else prints.digest(value)
        if part is None:
            return None
        digest.update(name.encode() + b"\0" + part)
    return digest.hexdigest()


def render_jobs(jobs: list[Job], salt: bytes, pure_types: tuple[type, ...]) -> Rendered:
    """Render and write ``jobs`` in this process."""
    prints = Fingerprinter(pure_types)
    rendered = Rendered()
    for job in jobs:
        context = job.context()
        output, reads = render_tracked(job.template, context)
        with open(job.path, "w", encoding="utf-8") as handle:
            handle.write(output)
        names = sorted(reads)
        rendered.pages.append(
            (job.path, names, page_key(salt, job.template.name or "", names, context, prints))
        )
    rendered.fast_paths.update(prints.fast_paths)
    return rendered


def _child(jobs: list[Job], salt: bytes, pure_types: tuple[type, ...], connection: Any) -> None:
    try:
        connection.send(("ok", render_jobs(jobs, salt, pure_types)))
    except BaseException:  # reported to the parent, which fails the build
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def render_parallel(jobs: list[Job], processes: int, salt: bytes, pure_types: tuple[type, ...]) -> Rendered:
    """Render ``jobs`` on ``processes`` processes (this one included), forked so nothing is copied."""
    if (
        processes <= 1
        or len(jobs) < MIN_PARALLEL_PAGES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return render_jobs(jobs, salt, pure_types)
    context = multiprocessing.get_context("fork")
    children = []
    for index in range(1, processes):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child, args=(jobs[index::processes], salt, pure_types, sender), daemon=True
        )
        process.start()
        sender.close()
        children.append((process, receiver))
    result = render_jobs(jobs[0::processes], salt, pure_types)
    errors = []
    for process, receiver in children:
        try:
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "error", f"render process {process.pid} died"
        process.join()
        if status == "ok":
            result.pages.extend(payload.pages)
            result.fast_paths.update(payload.fast_paths)
        else:
            errors.append(payload)
    if errors:
        raise RuntimeError("rendering failed in a worker process:\n" + "\n".join(errors))
    return result
