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
import multiprocessing
import os
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pelican import signals

from .fingerprint import Fingerprinter
from .tracking import render_tracked

MANIFEST_VERSION = 2
MIN_PARALLEL_PAGES = 64
PLUGINS_DIR = Path(__file__).resolve().parent.parent


def _pure_types() -> tuple[type, ...]:
    """Frozen data classes digested by pickling (fast), when the news reader is present."""
    try:
        from topicfeed.model import Image, NewsItem, Problem, Provider
    except ImportError:
        return ()
    return (NewsItem, Image, Provider, Problem)


PURE_TYPES = _pure_types()
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


def _manifest_path(settings: dict[str, Any]) -> Path:
    real = Path(settings["OUTPUT_PATH"]).resolve()
    return real.with_name(real.name + ".render.json")


def _stat(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def code_salt(settings: dict[str, Any]) -> bytes:
    """What every key depends on besides the values read: the code and the templates."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"fast_writer {MANIFEST_VERSION};".encode())
    for package in ("pelican", "jinja2", "markupsafe", "feedgenerator"):
        digest.update(f"{package}={metadata.version(package)};".encode())
    folders = [Path(settings.get("THEME", "")) / "templates", PLUGINS_DIR]
    folders += [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".py", ".j2", ".xml", ".txt"):
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


class Manifest:
    """The keys of the previous build's pages and feeds, and this build's, beside the output."""

    def __init__(self, settings: dict[str, Any], building: Path) -> None:
        self.salt = code_salt(settings)
        self.file = _manifest_path(settings)
        self.previous = Path(settings["OUTPUT_PATH"]).resolve()
        self.building = building
        self.enabled = bool(settings.get("RENDER_INCREMENTAL", True)) and self.previous != building
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        if self.enabled and self.file.is_file():
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
                if data.get("version") == MANIFEST_VERSION and data.get("salt") == self.salt.hex():
                    self.old = data["outputs"]
            except (OSError, ValueError, KeyError):
                self.old = {}

    def reusable(self, relative: str, key_of: Any) -> dict[str, Any] | None:
        """The previous entry for ``relative`` when its file is intact and its key still holds."""
        entry = self.old.get(relative)
        if not entry or not entry.get("key") or _stat(self.previous / relative) != entry["stat"]:
            return None
        return entry if key_of(entry) == entry["key"] else None

    def reuse(self, relative: str, entry: dict[str, Any]) -> None:
        target = self.building / relative
        if target.exists():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(self.previous / relative, target)
        self.new[relative] = entry

    def record(self, relative: str, key: str | None, reads: list[str] | None = None) -> None:
        self.new[relative] = {"reads": reads, "key": key, "stat": _stat(self.building / relative)}

    def save(self) -> None:
        data = {
            "version": MANIFEST_VERSION,
            "salt": self.salt.hex(),
            "outputs": dict(sorted(self.new.items())),
        }
        temporary = self.file.with_name(self.file.name + ".tmp")
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.file)


class FastWriterMixin:
    """Mixed into Pelican's writer class (or the feeds plugin's) by the plugin."""

    _pending: tuple[Any, dict[str, Any], dict[str, Any]] | None = None

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)  # type: ignore[call-arg]
        self.jobs: list[Job] = []
        self.manifest = Manifest(self.settings, Path(output_path).resolve())  # type: ignore[attr-defined]
        self.prints = Fingerprinter(PURE_TYPES)
        self.feeds_reused = 0
        self._settings_digest: bytes | None = None

    def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return super().write_file(name, _Deferred(template, self, context), context, *args, **kwargs)  # type: ignore[misc]

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        handle = super()._open_w(filename, encoding, override)  # type: ignore[misc]
        pending, self._pending = self._pending, None
        if pending is not None and handle.name != os.devnull:
            template, base, changes = pending
            self.jobs.append(Job(os.path.abspath(filename), template, base, changes))
        return handle

    def _feed_key(
        self, elements: Any, context: dict[str, Any], path: str, extra: tuple[Any, ...]
    ) -> str | None:
        """A feed depends on its entries, the settings, and (news_feeds) its channel and ids."""
        if self._settings_digest is None:
            settings = {k: v for k, v in context.items() if k.isupper()}
            self._settings_digest = self.prints.digest(settings) or b""
        limit = context.get("FEED_MAX_ITEMS") or len(elements)
        shown = list(elements[:limit])
        plan = context.get("feed_plan")
        if plan is not None and hasattr(plan, "channel_for"):
            channel = plan.channel_for(path)
            channel_text = (
                (
                    channel.kind,
                    channel.slug,
                    channel.name,
                    channel.title,
                    channel.description,
                    channel.page_url,
                    channel.paths,
                )
                if channel
                else None
            )
            extra = (*extra, channel_text, [plan.entry_id(a) for a in shown])
        parts = [self._settings_digest, self.prints.digest(shown), self.prints.digest(extra)]
        if None in parts:
            return None
        digest = hashlib.blake2b(self.manifest.salt, digest_size=20)
        for part in parts:
            digest.update(part)
        return digest.hexdigest()

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
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)  # type: ignore[misc]
        relative = os.path.normpath(path)
        key = self._feed_key(elements, context, relative, (relative, url, feed_type, feed_title))
        entry = self.manifest.reusable(relative, lambda _: key) if key else None
        target = str(self.manifest.building / relative)
        if entry is not None and target not in self._written_files:  # type: ignore[attr-defined]
            self.manifest.reuse(relative, entry)
            self._written_files.add(target)  # type: ignore[attr-defined]
            self.feeds_reused += 1
            signals.feed_written.send(target, context=context, feed=None)
            return None
        feed = super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)  # type: ignore[misc]
        self.manifest.record(relative, key)
        return feed


@dataclass
class FlushResult:
    rendered: int
    reused: int
    feeds_reused: int = 0
    #: Every page and feed is the previous build's, and no output appeared or went away.
    site_unchanged: bool = False


def flush(writer: FastWriterMixin, settings: dict[str, Any]) -> FlushResult:
    """Write every recorded page: reuse unchanged ones from the previous output, render the rest."""
    jobs, writer.jobs = writer.jobs, []
    manifest = writer.manifest
    salt = manifest.salt
    prints = writer.prints
    to_render: list[Job] = []
    for job in jobs:
        relative = os.path.relpath(job.path, manifest.building)
        name = job.template.name or ""
        entry = manifest.reusable(
            relative,
            lambda old, name=name, job=job: _page_key(salt, name, old["reads"], job.context(), prints),
        )
        if entry is not None:
            manifest.reuse(relative, entry)
        else:
            to_render.append(job)
    processes = int(settings.get("RENDER_PROCESSES") or os.cpu_count() or 1)
    for path, reads, key in render_parallel(to_render, processes, salt, PURE_TYPES):
        manifest.record(os.path.relpath(path, manifest.building), key, reads)
    if manifest.enabled:
        manifest.save()
    unchanged = manifest.enabled and not to_render and set(manifest.old) == set(manifest.new)
    unchanged = unchanged and all(entry.get("key") for entry in manifest.new.values())
    return FlushResult(len(to_render), len(jobs) - len(to_render), writer.feeds_reused, unchanged)
