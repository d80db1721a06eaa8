"""The core every plugin builds on: declared settings, plugin checks, phases and the build object."""

from __future__ import annotations

import gc
import threading
from types import SimpleNamespace

import pytest

from topicfeed import forked, pelican_adapter
from topicfeed import plugin as core
from topicfeed.build import Build, MissingProduct, RenderStats
from topicfeed.plugin import Phase, PluginSetupError, PluginSpec, check_plugins
from topicfeed.settings import Setting, SettingsError, apply, is_int, is_weights


def test_defaults_fill_in_and_given_values_stay() -> None:
    settings = {"B": 7}
    apply(settings, [Setting("A", [1, 2], "a list"), Setting("B", 3, "a number", is_int(0))])
    assert settings == {"A": [1, 2], "B": 7}


def test_a_mutable_default_is_copied_for_each_build() -> None:
    declared = [Setting("A", {"x": [1]}, "a mapping")]
    first: dict = {}
    second: dict = {}
    apply(first, declared)
    first["A"]["x"].append(2)
    apply(second, declared)
    assert second["A"] == {"x": [1]}


def test_derived_defaults_see_every_literal_default_whatever_the_order() -> None:
    declared = [
        Setting("FRAMES", None, "derived", derive=lambda s: " ".join(f"https://{h}" for h in s["HOSTS"])),
        Setting("HOSTS", ["a.example", "b.example"], "hosts"),
    ]
    settings: dict = {}
    apply(settings, declared)
    assert settings["FRAMES"] == "https://a.example https://b.example"
    given = {"FRAMES": "https://only.example"}
    apply(given, declared)
    assert given["FRAMES"] == "https://only.example"


@pytest.mark.parametrize(
    ("value", "fails"),
    [(3, False), (0, False), (-1, True), (True, True), ("3", True), (2.5, True)],
)
def test_a_bad_value_is_one_line_naming_the_setting(value: object, fails: bool) -> None:
    settings = {"RELATED_MIN": value}
    declared = [Setting("RELATED_MIN", 3, "at least this many", is_int(0))]
    if not fails:
        apply(settings, declared)
        return
    with pytest.raises(SettingsError) as error:
        apply(settings, declared)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("settings: RELATED_MIN: expected an integer >= 0, got ")


def test_weights_refuse_unknown_names_and_negative_numbers() -> None:
    check = is_weights(["heat", "quality"])
    assert check({"heat": 1.0}) is None
    assert check({"heat": -1}) is not None
    assert check({"hot": 1}) is not None
    assert check([1, 2]) is not None


def test_setting_names_are_upper_case() -> None:
    with pytest.raises(ValueError):
        Setting("lower", 1, "no")


def _spec(name: str, **kwargs: object) -> PluginSpec:
    return PluginSpec(name, **kwargs)  # type: ignore[arg-type]


def test_a_need_nobody_provides_stops_the_build_naming_it() -> None:
    specs = [
        _spec("topicfeed.a", provides=frozenset({"news-items"})),
        _spec("topicfeed.b", requires=frozenset({"feed-format"})),
    ]
    with pytest.raises(PluginSetupError, match=r"topicfeed\.b needs feed-format"):
        check_plugins(specs)
    check_plugins([*specs, _spec("topicfeed.c", provides=frozenset({"feed-format"}))])


def test_two_plugins_cannot_both_commit() -> None:
    step = lambda pelican, build: None  # noqa: E731
    specs = [
        _spec("topicfeed.a", steps=((Phase.COMMIT, step),)),
        _spec("topicfeed.b", steps=((Phase.COMMIT, step),)),
    ]
    with pytest.raises(PluginSetupError, match="both take the 'commit' step"):
        check_plugins(specs)


def test_a_product_is_derived_by_the_enabled_plugin_that_provides_it(monkeypatch) -> None:
    monkeypatch.setattr(core, "_SPECS", {})

    def derive() -> str:
        return "derived"

    core.register_plugin("maker", provides={"news-items"}, derives={"news-items": derive})
    core.register_plugin("other", provides={"feed-format"})
    assert core.derivation({"PLUGINS": ["other", "maker"]}, "news-items") is derive
    with pytest.raises(core.Underivable, match="no plugin in PLUGINS derives news-items"):
        core.derivation({"PLUGINS": ["other"]}, "news-items")  # the maker is not enabled
    with pytest.raises(core.Underivable, match="derives feed-format"):
        core.derivation({"PLUGINS": ["other", "maker"]}, "feed-format")  # provided, not derived
    with pytest.raises(PluginSetupError, match="stray derives feed-format, which it does not provide"):
        core.register_plugin("stray", provides={"news-items"}, derives={"feed-format": derive})


def test_pages_are_dressed_by_the_enabled_plugins_only(monkeypatch) -> None:
    monkeypatch.setattr(core, "_SPECS", {})

    def dress(site, shown):
        return {"feed_links": "links"}

    core.register_plugin("feeds", provides={"feed-format"}, dresses={"feed-format": dress})
    core.register_plugin("other", provides={"news-items"})
    assert core.dressers({"PLUGINS": ["other", "feeds"]}) == [("feed-format", dress)]
    assert core.dressers({"PLUGINS": ["other"]}) == []
    with pytest.raises(PluginSetupError, match="stray dresses api, which it does not provide"):
        core.register_plugin("stray", provides={"news-items"}, dresses={"api": dress})


def test_steps_run_in_phase_order_whatever_the_plugins_order(tmp_path, monkeypatch) -> None:
    ran: list[str] = []

    def step(label: str):
        return lambda pelican, build: ran.append(label)

    monkeypatch.setattr(core, "_SPECS", {})
    core.register_plugin("late", steps=[(Phase.COMMIT, step("commit")), (Phase.START, step("start"))])
    core.register_plugin("early", steps=[(Phase.INDEX, step("index")), (Phase.WRITE, step("write"))])
    pelican = SimpleNamespace(settings={"PLUGINS": ["late", "early"]}, output_path=str(tmp_path))
    core._start(pelican)
    assert ran == ["start"]
    assert Build.of(pelican).output == tmp_path.resolve()
    core._finish(pelican)
    assert ran == ["start", "write", "index"]  # the commit is the last finalized receiver of all
    core._commit(pelican)
    assert ran == ["start", "write", "index", "commit"]
    with pytest.raises(MissingProduct):
        Build.of(pelican)  # the run is over


def test_the_process_beside_the_build_starts_before_the_launched_steps(tmp_path, monkeypatch) -> None:
    """ARTICLES steps hand their work over, the process is forked, then LAUNCHED steps run:
    a slow LAUNCHED step (the search documents) never holds that process up."""
    ran: list[str] = []

    def article_step(pelican, build) -> None:
        ran.append("articles")
        forked.beside(build.private).add("work", lambda: "done")

    monkeypatch.setattr(core, "_SPECS", {})
    core.register_plugin("search", steps=[(Phase.LAUNCHED, lambda pelican, build: ran.append("launched"))])
    core.register_plugin("api", steps=[(Phase.ARTICLES, article_step)])
    monkeypatch.setattr(forked.Beside, "launch", lambda self, fork=True: ran.append("forked"))
    pelican = SimpleNamespace(settings={"PLUGINS": ["search", "api"]}, output_path=str(tmp_path))
    core._start(pelican)
    try:
        core._articles_ready(pelican)
        assert ran == ["articles", "forked", "launched"]
        core._finish(pelican)
        assert ran == ["articles", "forked", "launched"]  # not again when the pages are written
    finally:
        core._commit(pelican)


def test_the_build_says_which_product_is_missing(tmp_path) -> None:
    pelican = SimpleNamespace(settings={}, output_path=str(tmp_path))
    build = Build.start(pelican)
    try:
        assert Build.of(pelican.settings) is build
        with pytest.raises(MissingProduct, match="writer"):
            build.render  # noqa: B018
        build.render = RenderStats(rendered=3)
        assert build.render.rendered == 3
    finally:
        Build.end(pelican)


def test_what_the_generators_made_is_frozen_before_the_writing_steps(tmp_path, monkeypatch) -> None:
    """Objects alive when the writing steps start live to the end: full collections skip them."""
    seen: list[int] = []
    monkeypatch.setattr(core, "_SPECS", {})
    core.register_plugin(
        "writer", steps=[(Phase.WRITE, lambda pelican, build: seen.append(gc.get_freeze_count()))]
    )
    pelican = SimpleNamespace(settings={"PLUGINS": ["writer"]}, output_path=str(tmp_path))
    core._start(pelican)
    made = [object() for _ in range(1000)]  # what the generators made
    try:
        gc.unfreeze()
        core._finish(pelican)
        assert seen and seen[0] >= len(made)
    finally:
        gc.unfreeze()
        core._commit(pelican)


def test_the_instead_steps_run_after_the_checks_unless_one_replaced_the_run(monkeypatch) -> None:
    ran: list[str] = []

    def check(replace: bool):
        def step(pelican, _build) -> None:
            ran.append("check")
            if replace:
                pelican_adapter.skip_run(pelican, lambda: ran.append("instead of the run"))

        return step

    for replace in (False, True):
        ran.clear()
        monkeypatch.setattr(core, "_SPECS", {})
        core.register_plugin("late", steps=[(Phase.INSTEAD, lambda pelican, build: ran.append("instead"))])
        core.register_plugin("early", steps=[(Phase.CHECK, check(replace))])
        pelican = SimpleNamespace(settings={"PLUGINS": ["late", "early"]}, output_path=".")
        core._initialized(pelican)
        assert ran == (["check"] if replace else ["check", "instead"])


def test_a_planned_run_takes_only_the_planned_steps_around_its_writing(tmp_path, monkeypatch) -> None:
    ran: list[str] = []

    def step(label: str):
        return lambda pelican, build: ran.append(f"{label} {build.planned}")

    monkeypatch.setattr(core, "_SPECS", {})
    core.register_plugin(
        "output",
        steps=[(Phase.START, step("full start")), (Phase.FILES, step("full files"))],
        planned_steps=[(Phase.COMMIT, step("commit")), (Phase.START, step("start"))],
    )
    core.register_plugin("state", planned_steps=[(Phase.RECORD, step("record"))])
    pelican = SimpleNamespace(settings={"PLUGINS": ["output", "state"]}, output_path=str(tmp_path))
    core.run_planned(pelican, "the plan", step("write"))
    assert ran == ["start the plan", "write the plan", "record the plan", "commit the plan"]
    with pytest.raises(MissingProduct):
        Build.of(pelican)  # the run is over


def test_settings_that_never_change_the_output_are_known(monkeypatch) -> None:
    monkeypatch.setattr(core, "_SPECS", {})
    core.register_plugin(
        "a", settings=[Setting("HOW_MANY", 1, "processes", output=False), Setting("WHAT", 1, "shown")]
    )
    core.register_plugin("b", settings=[Setting("OTHER_HOW", 1, "waits", output=False)])
    assert core.workings({"PLUGINS": ["a"]}) == {"HOW_MANY"}
    assert core.workings({"PLUGINS": ["a", "b"]}) == {"HOW_MANY", "OTHER_HOW"}


def test_files_written_from_the_site_alone_are_written_beside_the_rendering(tmp_path, monkeypatch) -> None:
    from topicfeed.site_model import site_writes as render
    from topicfeed.site_model.site_writes import SiteWrites

    monkeypatch.setattr(core, "_SPECS", {})
    # On a thread (no room for a process), so this one sees the rendering's event; in a forked
    # process by default: tests/site_model/test_site_writes.py.
    monkeypatch.setattr(render, "extra_processes", lambda settings, wanted, each_mb, **kw: 0)
    rendering = threading.Event()
    waited: list[bool] = []

    def index(site, paths, folder) -> set[str]:
        waited.append(rendering.wait(5))  # the rendering goes on meanwhile
        return {path for path in paths if path.startswith("pagefind/")}

    def broken(site, paths, folder) -> set[str]:
        raise OSError("disk full")

    core.register_plugin("search", provides={"search"}, site_writes={"search": index})
    core.register_plugin("broken", provides={"search"}, site_writes={"search": broken})
    site = SimpleNamespace(settings={"PLUGINS": ["search"]})
    writes = SiteWrites(site, ["pagefind/2024/", "feeds/all.atom.xml"], tmp_path)
    rendering.set()  # what the rebuild's own thread does while the bundles are indexed
    assert writes.finish() == {"pagefind/2024/"}
    assert waited == [True]  # it was not written before the rendering started
    assert core.site_writers({"PLUGINS": ["other"]}) == []
    with pytest.raises(OSError, match="disk full"):  # raised in the rebuild, not lost on its thread
        SiteWrites(SimpleNamespace(settings={"PLUGINS": ["broken"]}), ["pagefind/2024/"], tmp_path).finish()
    with pytest.raises(PluginSetupError, match="stray writes files for api, which it does not provide"):
        core.register_plugin("stray", provides={"search"}, site_writes={"api": index})
