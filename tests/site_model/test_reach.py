"""What two site models can tell about the pages a one-item change reaches (rebuild plan, step 2).

The corpus is built, then changed one item at a time as the incremental test does (edit, add,
unpublish, delete), then a story others link to gets a new title; each state built fresh. For
each change the pages whose bytes differ are compared with the pages :func:`reach` names from
the models before and after:

- every changed article page is named: an article page shows its item and the stories it links
  to, all of which the model records;
- so is every other changed page: a list page whose stories moved, and a page that reads a value
  the whole site shares (a count, a chart, the newest stories, the archives) which the items
  say changed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from support.build import CORPUS, run_pelican
from support.changes import CHANGES

from topicfeed.site_model import store
from topicfeed.site_model.reach import page_names, reach, unexplained
from topicfeed.site_model.records import SiteModel


def _digests(output: Path) -> dict[str, str]:
    return {
        path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in output.rglob("*")
        if path.is_file()
    }


def retitle(content: Path, model: SiteModel) -> None:
    """A new title for the newest story that another story's page links to (as related)."""
    records = model.records()
    linked = {key for record in records for key in record.related}
    target = next(record for record in records if record.key in linked)
    path = content / target.source_path
    text = path.read_text(encoding="utf-8")
    assert '\ntitle: "' in text
    path.write_text(text.replace('\ntitle: "', '\ntitle: "Retitled: ', 1), encoding="utf-8")


STEPS = [change.__name__ for change in (*CHANGES, retitle)]


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, SiteModel, dict[str, str]]]:
    """(change, model, file digests) of the corpus and of each change after it, built fresh."""
    root = tmp_path_factory.mktemp("reach")
    content = root / "content"
    shutil.copytree(CORPUS, content)
    found = []
    for number, change in enumerate((None, *CHANGES, retitle)):
        if change is retitle:
            retitle(content, found[-1][1])
        elif change is not None:
            change(content)
        output = root / f"build-{number}" / "site"
        build = run_pelican(content, output, extra={"CACHE_PATH": str(root / f"build-{number}" / "cache")})
        assert build.returncode == 0, build.log
        found.append(
            (
                "start" if change is None else change.__name__,
                store.read(store.model_path(output)),
                _digests(output),
            )
        )
    return found


@pytest.mark.parametrize("step", range(1, len(STEPS) + 1), ids=STEPS)
def test_the_models_name_every_changed_page(
    states: list[tuple[str, SiteModel, dict[str, str]]], step: int
) -> None:
    _, old, before = states[step - 1]
    _, new, after = states[step]
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    names = page_names(old, new)
    reached = reach(old, new)
    changed_articles = {path for path in changed if names.get(path) == "article"}
    assert changed_articles, "the change reached no article page: the check below compares nothing"
    assert changed_articles <= reached.pages
    assert unexplained(reached, changed, names) == {}  # every changed page is named
    assert len(reached.pages) < len(names) / 4  # it names a part of the site, not all of it
