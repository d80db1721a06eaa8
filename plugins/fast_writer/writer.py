"""A Pelican writer that defers page rendering, skips pages whose inputs did not change, and
renders the rest on every core.

Pelican's ``Writer.write_file`` keeps doing everything it does (pagination, local contexts,
overwrite checks, ``content_written``); only the two steps that cost the time are moved: the
template is handed in wrapped, so ``render`` just records the page, and ``_open_w`` records
where it goes. :meth:`FastWriter.flush` then, for each recorded page:

- computes its key from the template, and the digest of every context value the template read
  the last time it rendered this page (see ``tracking``); if the key and the previous output
  file are unchanged, the previous file is linked into the new build instead of rendered;
- renders the others, split across ``RENDER_PROCESSES`` forked processes (default: all cores),
  recording what each read, and saves the keys for the next build beside the output folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fingerprint import Fingerprinter
from .tracking import render_tracked

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
MIN_PARALLEL_PAGES = 64
_MISSING = object()


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


class _Deferred:
    """Stands in for a template: ``render`` records the context instead of rendering."""

    def __init__(self, template: Any, writer: FastWriterMixin, base: dict[str, Any]) -> None:
        self.template = template
        self.writer = writer
        self.base = base
        self.name = getattr(template, "name", None)

    def render(self, localcontext: dict[str, Any]) -> str:
        base = self.base
        changes = {k: v for k, v in localcontext.items() if base.get(k, _MISSING) is not v}
        self.writer._pending = (self.template, base, changes)
        return ""


def _page_key(
    salt: bytes, template_name: str, reads: list[str], context: dict[str, Any], prints: Fingerprinter
) -> str | None:
    digest = hashlib.blake2b(salt, digest_size=20)
    digest.update(template_name.encode())
    for name in sorted(reads):
        value = context.get(name, _MISSING)
        part = b"<missing>" if value is _MISSING else prints.digest(value)
        if part is None:
            return None
        digest.update(name.encode() + b"\0" + part)
    return digest.hexdigest()


def _render_jobs(
    jobs: list[Job], salt: bytes, pure_types: tuple[type, ...]
) -> list[tuple[str, list[str], str | None]]:
    """Render and write ``jobs``; return (path, names read, key) for each."""
    prints = Fingerprinter(pure_types)
    results = []
    for job in jobs:
        context = job.context()
        output, reads = render_tracked(job.template, context)
        with open(job.path, "w", encoding="utf-8") as handle:
            handle.write(output)
        names = sorted(reads)
        results.append((job.path, names, _page_key(salt, job.template.name or "", names, context, prints)))
    return results


def _child(jobs: list[Job], salt: bytes, pure_types: tuple[type, ...], connection: Any) -> None:
    try:
        connection.send(("ok", _render_jobs(jobs, salt, pure_types)))
    except BaseException:  # reported to the parent, which fails the build
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def render_parallel(
    jobs: list[Job], processes: int, salt: bytes, pure_types: tuple[type, ...]
) -> list[tuple[str, list[str], str | None]]:
    """Render ``jobs`` on ``processes`` processes (this one included), forked so nothing is copied."""
    if (
        processes <= 1
        or len(jobs) < MIN_PARALLEL_PAGES
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _render_jobs(jobs, salt, pure_types)
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
    results = _render_jobs(jobs[0::processes], salt, pure_types)
    errors = []
    for process, receiver in children:
        try:
            status, payload = receiver.recv()
        except EOFError:
            status, payload = "error", f"render process {process.pid} died"
        process.join()
        if status == "ok":
            results.extend(payload)
        else:
            errors.append(payload)
    if errors:
        raise RuntimeError("rendering failed in a worker process:\n" + "\n".join(errors))
    return results


class FastWriterMixin:
    """Mixed into Pelican's writer class (or the feeds plugin's) by the plugin."""

    _pending: tuple[Any, dict[str, Any], dict[str, Any]] | None = None

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)  # type: ignore[call-arg]
        self.jobs: list[Job] = []

    def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super().write_file(name, _Deferred(template, self, context), context, *args, **kwargs)  # type: ignore[misc]

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        handle = super()._open_w(filename, encoding, override)  # type: ignore[misc]
        pending, self._pending = self._pending, None
        if pending is not None and handle.name != os.devnull:
            template, base, changes = pending
            self.jobs.append(Job(os.path.abspath(filename), template, base, changes))
        return handle


def _manifest_path(settings: dict[str, Any]) -> Path:
    real = Path(settings["OUTPUT_PATH"]).resolve()
    return real.with_name(real.name + ".render.json")


def _stat(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


@dataclass
class FlushResult:
    rendered: int
    reused: int


def flush(
    writer: FastWriterMixin, settings: dict[str, Any], salt: bytes, pure_types: tuple[type, ...]
) -> FlushResult:
    """Write every recorded page: reuse unchanged ones from the previous output, render the rest."""
    jobs, writer.jobs = writer.jobs, []
    building = Path(writer.output_path).resolve()  # type: ignore[attr-defined]
    previous = Path(settings["OUTPUT_PATH"]).resolve()
    manifest_file = _manifest_path(settings)
    old: dict[str, Any] = {}
    incremental = settings.get("RENDER_INCREMENTAL", True) and previous != building
    if incremental and manifest_file.is_file():
        try:
            data = json.loads(manifest_file.read_text(encoding="utf-8"))
            if data.get("version") == MANIFEST_VERSION and data.get("salt") == salt.hex():
                old = data["pages"]
        except (OSError, ValueError, KeyError):
            old = {}
    logger.debug(
        "fast_writer: incremental=%s, previous pages=%d, manifest=%s salt=%s",
        incremental,
        len(old),
        manifest_file,
        salt.hex()[:16],
    )
    prints = Fingerprinter(pure_types)
    to_render: list[Job] = []
    pages: dict[str, Any] = {}
    why: dict[str, int] = {"new": 0, "file changed": 0, "inputs changed": 0}
    for job in jobs:
        relative = os.path.relpath(job.path, building)
        entry = old.get(relative)
        if not entry or not entry.get("key"):
            why["new"] += 1
        elif _stat(previous / relative) != entry["stat"]:
            why["file changed"] += 1
        elif _page_key(salt, job.template.name or "", entry["reads"], job.context(), prints) != entry["key"]:
            why["inputs changed"] += 1
        else:
            os.unlink(job.path)
            os.link(previous / relative, job.path)
            pages[relative] = entry
            continue
        to_render.append(job)
    logger.debug("fast_writer: pages to render: %s", why)
    processes = int(settings.get("RENDER_PROCESSES") or os.cpu_count() or 1)
    for path, reads, key in render_parallel(to_render, processes, salt, pure_types):
        relative = os.path.relpath(path, building)
        pages[relative] = {"reads": reads, "key": key, "stat": _stat(Path(path))}
    manifest = {"version": MANIFEST_VERSION, "salt": salt.hex(), "pages": dict(sorted(pages.items()))}
    temporary = manifest_file.with_name(manifest_file.name + ".tmp")
    temporary.write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, manifest_file)
    return FlushResult(rendered=len(to_render), reused=len(jobs) - len(to_render))
