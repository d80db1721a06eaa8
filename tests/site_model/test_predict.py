"""The next site model predicted from the last one and the content folder, without a build
(``site_model.predict``, step 2 of docs/rebuild-plan.md), equals the model a full build makes.

The corpus is changed one item at a time as the incremental test does (edit, add, unpublish,
delete, then a story others link to retitled), and a synthetic site from the benchmark's
generator (story clusters, trending topics, related lists) gets the benchmark's three changes
(an excerpt edited, the newest story added, a story unpublished). Before each build the model is
predicted from the last build's model and item store; the build's own model must then equal it:
every item record (URL, date, topics, source, related stories, backlinks, more coverage,
neighbours, cluster), every file's fate, the topics and sources, the home page's values, the
pages, the feed files, the API's documents, the search bundles and the sitemaps with what each
shows; and the files the change reaches, as planned from the prediction, include every file whose
bytes changed that any item can reach.
What the prediction does not cover is refused with the reason, never guessed.

The same changes also hold :func:`reach` on the built models (one module, so the changes are
built once by whichever test process runs it): every changed article page is named (it shows its
item and the stories it links to, all of which the model records); so is every other changed
page (a list page whose stories moved, a page reading a value the whole site shares that the
model says changed) and every changed feed, API document, search bundle and sitemap.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pelican.settings import read_settings
from support.build import CORPUS, ROOT, Build
from support.model_changes import (
    CORPUS_CHANGES,
    RENAMED,
    State,
    model_of,
    news_files,
    other_files,
    run_changes,
    site_settings,
)
from support.model_changes import (
    corpus_changes as make_corpus_changes,
)

from bench import generate
from topicfeed import forked
from topicfeed.plugin import PluginSetupError, Underivable
from topicfeed.site_model import rebuild, render
from topicfeed.site_model.home import derive_home
from topicfeed.site_model.predict import predict, prediction
from topicfeed.site_model.reach import page_names, reach, unexplained
from topicfeed.site_model.records import ItemRecord, SiteModel


def differences(guess: SiteModel, built: SiteModel) -> dict[str, Any]:
    """What differs, field by field, for a readable failure (a page's reads aside: the
    prediction keeps the last build's, which a page reads again while its values are the same)."""
    found: dict[str, Any] = {}
    pages_guessed = {page.path: page[:7] for page in guess.page_records()}
    pages_built = {page.path: page[:7] for page in built.page_records()}
    if pages_guessed != pages_built:
        found["pages"] = {
            "only predicted": sorted(pages_guessed.keys() - pages_built.keys()),
            "only built": sorted(pages_built.keys() - pages_guessed.keys()),
            "differ": sorted(
                p for p in pages_guessed.keys() & pages_built.keys() if pages_guessed[p] != pages_built[p]
            ),
        }
    for name in (
        "files",
        "topics",
        "sources",
        "home",
        "feeds",
        "api",
        "search",
        "sitemaps",
        "charts",
        "context_names",
    ):
        if getattr(guess, name) != getattr(built, name):
            found[name] = (getattr(guess, name), getattr(built, name))
    if len(guess.items) != len(built.items):
        found["items"] = (len(guess.items), len(built.items))
    for a, b in zip(guess.records(), built.records(), strict=False):
        if a != b:
            fields = {
                f: (getattr(a, f), getattr(b, f))
                for f in ItemRecord._fields
                if getattr(a, f) != getattr(b, f)
            }
            found["first item that differs"] = (b.source_path, fields)
            break
    return found


@pytest.fixture(scope="module")
def synthetic_states(tmp_path_factory: pytest.TempPathFactory) -> list[State]:
    root = tmp_path_factory.mktemp("predict-synthetic")
    generated = root / "generated"
    manifest = generate.write(800, generated, seed=3)
    content = generated / "news"

    def edit(folder: Path, _last: SiteModel) -> None:
        path = folder / manifest["change"]["news"]
        path.write_text(
            path.read_text(encoding="utf-8").replace('excerpt: "', 'excerpt: "Updated: ', 1), encoding="utf-8"
        )

    def add(folder: Path, _last: SiteModel) -> None:
        added = manifest["added"]["news"]
        shutil.copy(generated / generate.EXTRA / "news" / added, folder / added)

    def unpublish(folder: Path, _last: SiteModel) -> None:
        path = folder / manifest["unpublished"]["news"]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\npublished: true\n", "\npublished: false\n", 1), encoding="utf-8")

    return run_changes(root, content, [("edit", edit), ("add", add), ("unpublish", unpublish)])


STEPS = [name for name, _ in CORPUS_CHANGES]


@pytest.fixture(scope="module")
def corpus_changes(tmp_path_factory: pytest.TempPathFactory) -> list[State]:
    return make_corpus_changes(tmp_path_factory.mktemp("corpus-changes"))


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_the_prediction_is_the_built_model_on_the_corpus(corpus_changes: list[State], step: int) -> None:
    name, last, guess, built, changed, *_ = corpus_changes[step]
    assert name == STEPS[step]
    assert differences(guess, built) == {}
    # planned before the build: the pages the prediction says the change reaches are those the
    # built model says, and every page whose bytes changed is among them
    reached = reach(last, guess)
    assert reached == reach(last, built)
    assert unexplained(reached, changed, page_names(last, built)) == {}
    assert len(reached.pages) < len(built.pages) / 4
    if name in ("rename", "retitle-renamed"):  # the page moved: the prediction made its new URL
        was = last.records()[0].source_path if name == "rename" else RENAMED
        old_url = next(r.url for r in last.records() if r.source_path == was)
        assert next(r.url for r in built.records() if r.source_path == RENAMED) != old_url


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_the_models_name_every_changed_page(corpus_changes: list[State], step: int) -> None:
    _, old, _guess, new, changed, *_ = corpus_changes[step]
    names = page_names(old, new)
    reached = reach(old, new)
    changed_articles = {path for path in changed if names.get(path) == "article"}
    assert changed_articles, "the change reached no article page: the check below compares nothing"
    assert changed_articles <= reached.pages
    assert unexplained(reached, changed, names) == {}  # every changed file is named
    if STEPS[step] in ("edit", "retitle"):  # no story of the home page's first page changed
        assert ("index.html" in changed) == ("index.html" in reached.pages)
    # A home page showing the same stories at the same place is not redone because the list's
    # length changed (no home page shows it): those before a withdrawn story's place.
    if STEPS[step] == "unpublish":
        same = set(home_pages_showing_the_same(old, new))
        assert same - changed - reached.pages
    assert len(reached.pages) < len(names) / 4  # it names a part of the site, not all of it
    # the new state's home values, which a planner must compute, follow from its items
    assert derive_home(new, read_settings(str(ROOT / "pelicanconf.py"))) == new.home


def home_pages_showing_the_same(old: SiteModel, new: SiteModel) -> list[str]:
    """The home pages in both models that show the same stories, in the same order, as the same
    page number of as many pages."""

    def shown(model: SiteModel) -> dict[str, tuple[Any, ...]]:
        files = [record.source_path for record in model.records()]
        pages = [page for page in model.page_records() if page.page_name == "index"]
        return {page.path: (page.number, len(pages), [files[i] for i in page.items]) for page in pages}

    before, after = shown(old), shown(new)
    return [path for path in before.keys() & after.keys() if before[path] == after[path]]


def rendered_differences(state: State) -> dict[str, list[str]]:
    """Pages and other files (feeds, API documents, sitemaps, search bundles) made from the
    prediction against the build's: any missing, extra or different file."""
    rendered = {str(path.relative_to(state.rendered)) for path in state.rendered.rglob("*") if path.is_file()}
    built = {page.path for page in state.built.page_records()}
    for file in other_files(state.built):
        if file[0].endswith("/"):  # a search bundle: every file in it
            bundle = state.output / file[0]
            built |= {str(path.relative_to(state.output)) for path in bundle.rglob("*") if path.is_file()}
        else:
            built.add(file[0])
    return {
        "only rendered": sorted(rendered - built),
        "only built": sorted(built - rendered),
        "differ": sorted(
            path
            for path in rendered & built
            if (state.rendered / path).read_bytes() != (state.output / path).read_bytes()
        ),
    }


NO_DIFFERENCES = {"only rendered": [], "only built": [], "differ": []}


def patched_differences(state: State) -> dict[str, list[str]]:
    """The last site's pages with the reached ones rendered over them, against the build's."""
    return rendered_differences(state._replace(rendered=state.patched))


def test_every_page_rendered_from_a_prediction_is_the_built_page(
    corpus_changes: list[State], synthetic_states: list[State]
) -> None:
    """Step 3 of the plan: every page of the predicted site (articles, the home, topic and
    source lists, the period archives, the indexes, search, 404), rendered without Pelican's
    article step (only the items a page shows made ``Article`` objects, dressed by each plugin
    from the site's plain values), is byte for byte the page the fresh build wrote."""
    for state in (corpus_changes[0], synthetic_states[0]):
        assert len(state.built.pages) > 500
        assert rendered_differences(state) == NO_DIFFERENCES
        # and each template read what it read in the build (the names step 5 keys pages by)
        recorded = {page.path: state.built.reads[page.reads] for page in state.built.page_records()}
        assert state.reads.keys() == recorded.keys()
        assert [path for path, reads in state.reads.items() if tuple(recorded[path]) != reads] == []


@pytest.mark.parametrize("step", range(len(STEPS)), ids=STEPS)
def test_a_site_whose_reached_pages_are_rendered_from_the_prediction_is_the_built_site(
    corpus_changes: list[State], step: int
) -> None:
    """The last site's pages, with the pages the change reaches (planned from the prediction)
    rendered from it over them and the pages gone removed, are the fresh build's pages."""
    state = corpus_changes[step]
    assert patched_differences(state) == NO_DIFFERENCES
    names = page_names(state.last, state.built)
    assert any(names.get(path) == "article" for path in state.changed)


@pytest.mark.parametrize("step", range(3), ids=["edit", "add", "unpublish"])
def test_a_synthetic_site_whose_reached_pages_are_rendered_from_the_prediction_is_the_built_site(
    synthetic_states: list[State], step: int
) -> None:
    """The same on a site with story clusters, computed related stories and backlinks."""
    assert patched_differences(synthetic_states[step]) == NO_DIFFERENCES


@pytest.mark.parametrize("step", range(3), ids=["edit", "add", "unpublish"])
def test_the_prediction_is_the_built_model_on_a_synthetic_site(
    synthetic_states: list[State], step: int
) -> None:
    _, last, guess, built, changed, *_ = synthetic_states[step]
    records = built.records()
    # what makes the comparison worth something: clusters, related lists, neighbours, trends
    assert any(r.cluster_size > 1 for r in records) and any(r.related for r in records)
    assert any(r.backlinks for r in records) and any(r.older and r.newer for r in records)
    assert built.home["trending_topics"]
    assert differences(guess, built) == {}
    reached = reach(last, guess)
    assert reached == reach(last, built)
    assert unexplained(reached, changed, page_names(last, built)) == {}


def test_the_search_files_known_before_the_related_step_are_those_the_change_reaches(
    corpus_changes: list[State], synthetic_states: list[State]
) -> None:
    """A rebuild starts indexing its search bundles while it plans, on the files its stories
    alone say the change reaches (``predict.StoriesKnown``, before the related step); the
    reach found from the whole prediction names the same files, and so does the reach between
    the last model and the one the fresh build made."""
    states = [*corpus_changes, *synthetic_states]
    for state in states:
        new_files = {entry[0] for entry in state.built.search}
        assert state.search_guess == rebuild.find_reach(state.last, state.guess).site_files, state.name
        assert state.search_guess == reach(state.last, state.built).search & new_files, state.name
    # each change reaches a bundle and the listing: the comparison compares something
    assert all(len(state.search_guess) >= 2 for state in states), [s.search_guess for s in states]


@pytest.fixture
def corpus_copy(corpus_site: Build, tmp_path: Path) -> tuple[Path, SiteModel]:
    content = tmp_path / "content"
    shutil.copytree(CORPUS, content)
    return content, model_of(corpus_site.output)


def test_an_ordinary_markdown_article_is_not_predicted(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path
) -> None:
    content, last = corpus_copy
    (content / "about.md").write_text("Title: About\nDate: 2024-01-01\n\nWho we are.\n", encoding="utf-8")
    with pytest.raises(Underivable, match=r"about\.md: not a news item"):
        predict(last, news_files(content), site_settings(content, tmp_path / "cache"))


def test_two_items_wanting_one_page_are_not_predicted(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path
) -> None:
    content, last = corpus_copy
    record = last.records()[0]
    source = content / record.source_path
    twin = source.with_suffix(".txt" if source.suffix == ".md" else ".md")
    shutil.copy(source, twin)  # one file name, so one permalink: the build renames one of them
    with pytest.raises(Underivable, match="both want " + record.save_as):
        predict(last, news_files(content), site_settings(content, tmp_path / "cache"))


def test_a_preview_is_not_predicted(corpus_copy: tuple[Path, SiteModel], tmp_path: Path) -> None:
    content, last = corpus_copy
    with pytest.raises(Underivable, match="preview"):
        predict(last, news_files(content), site_settings(content, tmp_path / "cache", PREVIEW=True))


def test_pages_the_model_does_not_place_are_not_rendered_from_it(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path
) -> None:
    content, last = corpus_copy
    settings = site_settings(content, tmp_path / "cache")
    settings["PAGINATED_TEMPLATES"] = {**settings["PAGINATED_TEMPLATES"], "archives": 10}
    planned = prediction(last, news_files(content), settings)
    archives = settings["ARCHIVES_SAVE_AS"]
    with pytest.raises(
        Underivable, match=f"{re.escape(archives)}: a paginated archives page the model does not place"
    ):
        render.render_pages(planned, [archives], tmp_path / "pages")
    with pytest.raises(Underivable, match=r"nowhere\.html: not a page of the predicted site"):
        render.render_pages(planned, ["nowhere.html"], tmp_path / "pages")


def test_two_plugins_giving_pages_one_value_are_refused(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, last = corpus_copy
    planned = prediction(last, news_files(content), site_settings(content, tmp_path / "cache"))
    twice = [
        ("feed-format", lambda site, shown: {"feed_links": 1}),
        ("api", lambda site, shown: {"feed_links": 2}),
    ]
    monkeypatch.setattr(render, "page_values", lambda settings: twice)
    with pytest.raises(PluginSetupError, match="feed-format and api both give pages feed_links"):
        render.render_pages(planned, [planned.site.stories[0].save_as], tmp_path / "pages")


def test_a_page_reading_what_only_a_build_gives_is_not_rendered_from_the_model(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path
) -> None:
    """A theme reading a value of the build's context the renderer does not give (Pelican's
    ``categories`` here) gets the page built, never rendered without it."""
    content, last = corpus_copy
    assert "categories" in last.context_names  # Pelican's, which the renderer does not give
    planned = prediction(last, news_files(content), site_settings(content, tmp_path / "cache"))
    page = next(p for p in planned.model.page_records() if p.page_name == "404")
    reads = list(planned.model.reads)
    reads[page.reads] = (*reads[page.reads], "categories!")
    planned = planned._replace(model=planned.model._replace(reads=tuple(reads)))
    with pytest.raises(Underivable, match=r"404\.html: its template reads categories, which a build gives"):
        render.render_pages(planned, [page.path], tmp_path / "pages")
    render.render_pages(planned, [planned.site.stories[0].save_as], tmp_path / "pages")  # others render


def test_products_whose_process_died_are_derived_in_the_planning_process(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feeds and products are derived beside the related step, in a forked process; one that
    dies (killed for memory, ...) costs time, not the plan."""
    content, last = corpus_copy
    settings = site_settings(content, tmp_path / "cache")
    min(content.glob("*.md")).unlink()  # a story gone: the products are derived again
    beside = predict(last, news_files(content), settings)
    assert len(beside.items) == len(last.items) - 1 and beside.api != last.api
    failed = []

    def died(self: forked.Beside, label: str) -> Any:
        failed.append(label)
        raise forked.ForkedStepFailed(f"{label} failed in its forked process: killed")

    monkeypatch.setattr(forked.Beside, "result", died)
    assert predict(last, news_files(content), settings) == beside
    assert "products" in failed


def test_the_reach_is_found_in_a_process_beside_the_planning_one_or_here_when_that_died(
    corpus_copy: tuple[Path, SiteModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild sets up its renderer while a forked process finds what the change reaches
    (``rebuild.reaching``): the same reach as found here; one whose process died costs time,
    not the rebuild; with no room in the memory budget it is found here."""
    content, last = corpus_copy
    settings = site_settings(content, tmp_path / "cache")
    min(content.glob("*.md")).unlink()  # a story gone: its page, lists, feeds, API ...
    model = prediction(last, news_files(content), settings).model
    here = rebuild.find_reach(last, model)
    assert here.pages and here.files and here.gone and here.changed == 1
    found_by = rebuild.find_reach

    def where(last: SiteModel, model: SiteModel) -> rebuild.Reached:
        found = found_by(last, model)
        return found._replace(files=[*found.files, f"found by {os.getpid()}"])

    monkeypatch.setattr(rebuild, "find_reach", where)
    beside = rebuild.reaching(last, model, settings)()
    assert beside.files.pop() != f"found by {os.getpid()}"
    assert beside == here

    def died(self: forked.Beside, label: str) -> Any:
        raise forked.ForkedStepFailed(f"{label} failed in its forked process: killed")

    with monkeypatch.context() as patched:
        patched.setattr(forked.Beside, "result", died)
        instead = rebuild.reaching(last, model, settings)()
    assert instead.files.pop() == f"found by {os.getpid()}"
    assert instead == here

    monkeypatch.setattr(rebuild, "extra_processes", lambda settings, wanted, each_mb, **_: 0)
    no_room = rebuild.reaching(last, model, settings)()
    assert no_room.files.pop() == f"found by {os.getpid()}"
    assert no_room == here
