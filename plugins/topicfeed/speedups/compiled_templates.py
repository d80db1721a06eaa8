"""The theme's templates compiled once, not in every build: Jinja's bytecode cache, kept in
``CACHE_PATH/templates``.

Each Pelican generator has a Jinja environment of its own, and each compiles every template it
renders from source: about 0.2 s of a rebuild from the site model at 10,000 items (11 templates),
more in a full build (four environments). Jinja's :class:`~jinja2.FileSystemBytecodeCache` keeps
the compiled code by template name and checks it against a digest of the template's source
(read at every build, so an edited template is compiled again), and writes each entry to a
temporary file renamed into place (two builds at once read a whole entry or none). Its key holds
neither the environment's options nor Jinja's version, which change what a template compiles
to: the cache folder is named by those (``JINJA_ENVIRONMENT`` in a stable form, Jinja's and
Python's versions), and an environment whose options have no stable form is left without it.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import FileSystemBytecodeCache

from topicfeed.build_inputs import Unstable, stable_form

FOLDER = "templates"


def cache_folder(settings: dict[str, Any]) -> Path | None:
    """Where this configuration's compiled templates live; None: no cache here."""
    cache = settings.get("CACHE_PATH")
    if not cache:
        return None
    try:
        form = stable_form(settings.get("JINJA_ENVIRONMENT") or {})
    except Unstable:
        return None
    key = f"{jinja2.__version__}\n{sys.version}\n{form}".encode("utf-8", "surrogateescape")
    return Path(cache) / FOLDER / hashlib.blake2b(key, digest_size=10).hexdigest()


def keep_compiled_templates(generator: Any) -> None:
    """``generator_init``: the generator's environment loads and keeps compiled templates."""
    env = getattr(generator, "env", None)
    if env is None or env.bytecode_cache is not None:
        return
    folder = cache_folder(generator.settings)
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: compile as before
        return
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
