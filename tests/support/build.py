"""Real Pelican builds (the CLI, as a user runs it), the test data they read, and comparing outputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

from topicfeed.unchanged_build import state

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SEEDS = DATA / "seeds"  # the exporter's seed items, as content/ ships them
CORPUS = DATA / "corpus" / "powerapps-news"  # the exporter's real site: 674 items, 428 published


@dataclass
class Build:
    """A finished build: where it went and what Pelican printed."""

    input: Path
    output: Path
    returncode: int
    log: str

    def path(self, url: str) -> Path:
        """The file a site-relative URL (``/2020/01/02/slug/``) is served from."""
        relative = url.split("#")[0].split("?")[0].lstrip("/")
        target = self.output / relative
        return target / "index.html" if relative == "" or relative.endswith("/") else target

    def soup(self, url: str = "/") -> BeautifulSoup:
        return BeautifulSoup(self.path(url).read_text(encoding="utf-8"), "html.parser")

    def article_pages(self) -> list[Path]:
        """Every dated article page: /{yyyy}/{mm}/{dd}/{slug}/index.html."""
        return sorted(self.output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))


def run_pelican(
    input_dir: Path,
    output_dir: Path,
    *,
    settings_file: Path = ROOT / "pelicanconf.py",
    extra: dict[str, object] | None = None,
    options: tuple[str, ...] = (),
) -> Build:
    """Build ``input_dir`` with the real ``pelican`` command, from the project root."""
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(input_dir),
        "-o",
        str(output_dir),
        "-s",
        str(settings_file),
    ]
    if extra:  # one -e for all pairs: pelican keeps only the last -e given
        command += ["-e", *(f"{key}={json.dumps(value)}" for key, value in extra.items())]
    command += list(options)
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=1200)
    return Build(input_dir, output_dir, result.returncode, result.stdout + result.stderr)


def build_in_process(content: Path, output: Path, **override: Any) -> None:
    """One Pelican run in this process (so a test can listen to its signals)."""
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(output.parent / "cache"),
            "SKIP_UNCHANGED_BUILD": False,  # the writer at work, even when nothing changed
            "REBUILD_FROM_MODEL": False,  # Pelican's own run, whose signals the tests listen to
            **override,
        },
    )
    Pelican(settings).run()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by POSIX path relative to it, with its bytes (sorted by path)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class CorpusRebuilds:
    """The corpus copied once into ``root``, built again and again into one output folder with
    ``settings`` (the rebuild tests), and built fresh beside it to compare."""

    def __init__(self, root: Path, settings: dict[str, object], fresh_settings: dict[str, object]) -> None:
        self.root = root
        self.content = root / "content"
        shutil.copytree(CORPUS, self.content)
        self.output = root / "out" / "site"
        self.settings = settings
        self.fresh_settings = fresh_settings
        self.fresh_builds = 0

    def build(self, **extra: object) -> Build:
        settings = {"CACHE_PATH": str(self.root / "cache"), **self.settings, **extra}
        build = run_pelican(self.content, self.output, extra=settings, options=("--verbose",))
        assert build.returncode == 0, build.log
        return build

    def fresh(self) -> Build:
        """A fresh build of the content as it is now, into a folder of its own."""
        self.fresh_builds += 1
        folder = self.root / f"fresh-{self.fresh_builds}"
        extra = {"CACHE_PATH": str(folder / "cache"), **self.fresh_settings}
        build = run_pelican(self.content, folder / "out" / "site", extra=extra)
        assert build.returncode == 0, build.log
        return build


def model_describes(model: Any, output: Path) -> bool:
    """Whether a site model is the model of the site at ``output``, as a rebuild from the model
    finds out: the record of the site's files (``unchanged_build``) names the model's build,
    and the output holds those files, each of its recorded size and time."""
    record = state.load(output)
    return (
        record is not None
        and record.build == model.build
        and state.same_site(state.listing(output), record.site)
    )
