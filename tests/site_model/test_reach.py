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

import shutil

import pytest
from pelican.settings import read_settings
from support.build import CORPUS, ROOT, run_pelican, tree
from support.changes import CHANGES, retitle

from topicfeed.site_model import store
from topicfeed.site_model.home import derive_home
from topicfeed.site_model.reach import page_names, reach, unexplained
from topicfeed.site_model.records import SiteModel

STEPS = [change.__name__ for change in (*CHANGES, retitle)]


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[SiteModel, set[str]]]:
    """The model of the corpus and of each change after it, built fresh, each with the files
    that differ from the build before (none for the first)."""
    root = tmp_path_factory.mktemp("reach")
    content = root / "content"
    shutil.copytree(CORPUS, content)
    found: list[tuple[SiteModel, set[str]]] = []
    before: dict[str, bytes] = {}
    for number, change in enumerate((None, *CHANGES, retitle)):
        if change is retitle:
            retitle(content, found[-1][0])
        elif change is not None:
            change(content)
        output = root / f"build-{number}" / "site"
        build = run_pelican(content, output, extra={"CACHE_PATH": str(root / f"build-{number}" / "cache")})
        assert build.returncode == 0, build.log
        after = tree(output)
        changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
        found.append((store.read(store.model_path(output)), changed if before else set()))
        before = after
    return found


@pytest.mark.parametrize("step", range(1, len(STEPS) + 1), ids=STEPS)
def test_the_models_name_every_changed_page(states: list[tuple[SiteModel, set[str]]], step: int) -> None:
    old, _ = states[step - 1]
    new, changed = states[step]
    names = page_names(old, new)
    reached = reach(old, new)
    changed_articles = {path for path in changed if names.get(path) == "article"}
    assert changed_articles, "the change reached no article page: the check below compares nothing"
    assert changed_articles <= reached.pages
    assert unexplained(reached, changed, names) == {}  # every changed page is named
    if STEPS[step - 1] in ("edit", "retitle"):  # no story of the home page's first page changed
        assert ("index.html" in changed) == ("index.html" in reached.pages)
    assert len(reached.pages) < len(names) / 4  # it names a part of the site, not all of it
    # the new state's home values, which a planner must compute, follow from its items
    assert derive_home(new, read_settings(str(ROOT / "pelicanconf.py"))) == new.home
