"""One-item changes made to a copy of the corpus, each predicted from the last build's model
and then built fresh: what the site model's prediction and reach tests compare
(``tests/site_model/test_predict.py``).

Each state keeps the model before the change, the model predicted for after it, the model the
fresh build made, and the output files whose bytes changed; the last site's pages with those
the change reaches rendered from the prediction before the build (``site_model.render``), and,
for the first change, every page so rendered.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from pelican import Pelican
from pelican.settings import read_settings

from topicfeed.site_model import store
from topicfeed.site_model.predict import Prediction, prediction
from topicfeed.site_model.reach import reach
from topicfeed.site_model.records import SiteModel
from topicfeed.site_model.render import PageRenderer
from topicfeed.site_model.site_writes import SiteWrites

from .build import CORPUS, ROOT, run_pelican, tree
from .changes import CHANGES, retitle

#: A change to the content folder, given the model of the site before it.
Change = Callable[[Path, SiteModel], None]


def site_settings(content: Path, cache: Path, **extra: Any) -> dict[str, Any]:
    """A site's settings with Topicfeed's plugins registered and its declared settings applied,
    as in a build (Pelican's own start-up does both; nothing is built)."""
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(cache.parent / "unused"),
            "CACHE_PATH": str(cache),
        },
    )
    settings.update(extra)
    Pelican(settings)
    return settings


def news_files(content: Path) -> list[str]:
    return sorted(str(path) for path in content.iterdir() if path.is_file())


def model_of(output: Path) -> SiteModel:
    model, why = store.load(store.model_path(output))
    assert model is not None, why
    return model


class State(NamedTuple):
    """One change: the model before it, the prediction, the built model, the files that changed;
    the built site, every page rendered from the prediction before the build (for the first
    change only: an empty folder after), and the last site's pages with those the change
    reaches rendered from the prediction (:func:`patch_pages`)."""

    name: str
    last: SiteModel
    guess: SiteModel
    built: SiteModel
    changed: set[str]
    output: Path
    rendered: Path
    patched: Path
    #: What each page rendered from the prediction read (the first change only).
    reads: dict[str, tuple[str, ...]]
    #: The search index's files the prediction guessed the change reaches, before its related
    #: step (what a rebuild starts indexing on: ``site_model.site_writes``).
    search_guess: frozenset[str] = frozenset()


def other_files(model: SiteModel) -> tuple[tuple[Any, ...], ...]:
    """The files of a site that are no pages: feeds, API documents, sitemaps, search bundles
    (folders, ending with ``/``) and their listing."""
    return (*model.feeds, *model.api, *model.sitemaps, *model.search)


def patch_pages(
    site: Path, last: SiteModel, planned: Prediction, folder: Path, site_writes: SiteWrites
) -> Path:
    """The pages and other files (:func:`other_files`) of ``site`` (built from ``last``'s content) copied to
    ``folder``, then those the change reaches (``reach``, from the prediction) rendered or
    written over them and those gone left out: what a rebuild planned from the model would leave.
    ``site_writes``: the search index's writers, started while the prediction was made (told to
    go once the folder is ready, as a rebuild does)."""
    new = {page.path for page in planned.model.page_records()}
    new_files = {file[0] for file in other_files(planned.model)}
    kept = [page.path for page in last.page_records() if page.path in new]
    for path in [*kept, *(file[0] for file in other_files(last) if file[0] in new_files)]:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith("/"):  # a search bundle
            shutil.copytree(site / path, target)
        else:
            shutil.copyfile(site / path, target)
    reached = reach(last, planned.model)
    files = sorted((reached.feeds | reached.api | reached.sitemaps | reached.search) & new_files)
    site_writes.go(reached.search & new_files, folder)
    renderer = PageRenderer(planned, folder)  # one set-up for the pages and the other files
    _, written = renderer.render(sorted(reached.pages & new), first=partial(renderer.write_files, files))
    renderer.check_written(files, written | site_writes.finish())
    return folder


def run_changes(root: Path, content: Path, changes: list[tuple[str, Change]]) -> list[State]:
    """Build ``content``, then for each change: predict, build fresh, keep both models."""
    output = root / "build-0" / "site"
    first = run_pelican(content, output, extra={"CACHE_PATH": str(root / "build-0" / "cache")})
    assert first.returncode == 0, first.log
    before = digests(output)
    found = []
    for number, (name, change) in enumerate(changes, 1):
        last = model_of(output)
        change(content, last)
        ahead: list[tuple[Any, Any]] = []
        planned = prediction(
            last,
            news_files(content),
            site_settings(content, output.parent / "cache"),
            lambda site, guessed, started=ahead: started.append((site, guessed)),
        )
        guess = planned.model
        ((early_site, guessed),) = ahead
        search_guess = guessed()
        rendered = root / f"render-{number}"
        reads: dict[str, tuple[str, ...]] = {}
        if number == 1:  # every page and other file once; the changes' below
            files = [file[0] for file in other_files(guess)]
            site_writes = SiteWrites(planned.site, files, rendered)
            renderer = PageRenderer(planned, rendered)
            pages = [page.path for page in guess.page_records()]
            _, written = renderer.render(pages, 2, partial(renderer.write_files, files))
            renderer.check_written(files, written | site_writes.finish())
            reads = renderer.page_reads
        # the search bundles started on the guess, as a rebuild starts them while it plans
        site_writes = SiteWrites.ahead(early_site, partial(frozenset, search_guess))
        patched = patch_pages(output, last, planned, root / f"patched-{number}", site_writes)
        output = root / f"build-{number}" / "site"
        build = run_pelican(content, output, extra={"CACHE_PATH": str(output.parent / "cache")})
        assert build.returncode == 0, build.log
        after = digests(output)
        changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
        found.append(
            State(
                name, last, guess, model_of(output), changed, output, rendered, patched, reads, search_guess
            )
        )
        before = after
    return found


def digests(folder: Path) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in tree(folder).items()}


#: A file name without a date: its item's URL comes from its title (docs/input-format.md).
RENAMED = "story-without-a-dated-name.md"


def rename(content: Path, last: SiteModel) -> None:
    """The newest story's file gets a name without a date: its page moves to a title-based URL."""
    (content / last.records()[0].source_path).rename(content / RENAMED)


def retitle_renamed(content: Path, last: SiteModel) -> None:
    """That story gets a new title: its URL follows the title."""
    path = content / RENAMED
    path.write_text(
        path.read_text(encoding="utf-8").replace('\ntitle: "', '\ntitle: "Renamed and retitled: ', 1)
    )


#: The corpus's changes, in order: the incremental test's four, then a linked story retitled,
#: a file renamed (its page moves to a title-based URL) and that story retitled.
CORPUS_CHANGES: list[tuple[str, Change]] = [
    *((change.__name__, lambda folder, _last, change=change: change(folder)) for change in CHANGES),
    ("retitle", retitle),
    ("rename", rename),
    ("retitle-renamed", retitle_renamed),
]


def corpus_changes(root: Path) -> list[State]:
    """The corpus copied under ``root`` and put through :data:`CORPUS_CHANGES`."""
    content = root / "content"
    shutil.copytree(CORPUS, content)
    return run_changes(root, content, CORPUS_CHANGES)
