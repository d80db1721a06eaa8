"""What two site models can tell about the files a one-item change reaches (rebuild plan, step 2).

The corpus is built, then changed one item at a time as the incremental test does (edit, add,
unpublish, delete), then a story others link to gets a new title, a file is renamed and that
story retitled; each state built fresh (``support.model_changes``, shared with the prediction's
tests). For each change the files whose bytes differ are compared with the files :func:`reach`
names from the built models before and after:

- every changed article page is named: an article page shows its item and the stories it links
  to, all of which the model records;
- so is every other changed page: a list page whose stories moved, and a page that reads a value
  the whole site shares (a count, a chart, the newest stories, the archives) which the model
  says changed;
- and every changed feed, API document, search bundle and sitemap.
"""

from __future__ import annotations

import pytest
from pelican.settings import read_settings
from support.build import ROOT
from support.model_changes import CORPUS_CHANGES, State

from topicfeed.site_model.home import derive_home
from topicfeed.site_model.reach import page_names, reach, unexplained

STEPS = [name for name, _ in CORPUS_CHANGES]


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_the_models_name_every_changed_page(corpus_changes: list[State], step: int) -> None:
    _, old, _guess, new, changed = corpus_changes[step]
    names = page_names(old, new)
    reached = reach(old, new)
    changed_articles = {path for path in changed if names.get(path) == "article"}
    assert changed_articles, "the change reached no article page: the check below compares nothing"
    assert changed_articles <= reached.pages
    assert unexplained(reached, changed, names) == {}  # every changed file is named
    if STEPS[step] in ("edit", "retitle"):  # no story of the home page's first page changed
        assert ("index.html" in changed) == ("index.html" in reached.pages)
    assert len(reached.pages) < len(names) / 4  # it names a part of the site, not all of it
    # the new state's home values, which a planner must compute, follow from its items
    assert derive_home(new, read_settings(str(ROOT / "pelicanconf.py"))) == new.home
