"""The home page's own values derived from a model's records (``site_model.home``) equal what the
build computed from its articles and recorded: the top stories (one per story cluster) and the
trending topics with their window.

A rebuild that plans from the model must compute these for the new state of the items, with no
build to record them from. Held on the corpus and on a synthetic site from the benchmark's
generator, whose stories form clusters and whose topics trend (the corpus has neither), with the
project's settings and with other ranking, trending and time zone settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pelican.settings import read_settings
from support.build import ROOT, Build, run_pelican

from bench import generate
from topicfeed.site_model import store
from topicfeed.site_model.home import derive_home
from topicfeed.site_model.records import SiteModel

#: Other settings of everything the home page's values depend on.
OTHER: dict[str, Any] = {
    "HOME_TOP_STORIES": 3,
    "HOME_RANK_WEIGHTS": {"quality": 2.0},
    "HOME_RANK_HALF_LIFE_HOURS": 6,
    "TRENDING_TOPICS": 3,
    "TRENDING_RECENT_DAYS": 3,
    "TRENDING_BASELINE_DAYS": 20,
    "TIMEZONE": "Pacific/Kiritimati",  # UTC+14: many items fall on another day than in UTC
}


def settings_of(extra: dict[str, Any]) -> dict[str, Any]:
    return read_settings(str(ROOT / "pelicanconf.py"), override=extra)


def model_of(build: Build) -> SiteModel:
    assert build.returncode == 0, build.log
    model, why = store.load(store.model_path(build.output))
    assert model is not None, why
    return model


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    generate.write(800, folder, seed=3)
    return folder / "news"


def test_derived_from_the_corpus_model(corpus_site: Build) -> None:
    model = model_of(corpus_site)
    assert len(model.home["top_stories"]) == 5
    assert derive_home(model, settings_of({})) == model.home


@pytest.mark.parametrize("extra", [{}, OTHER], ids=["project-settings", "other-settings"])
def test_derived_from_a_site_with_clusters_and_trends(
    synthetic: Path, tmp_path: Path, extra: dict[str, Any]
) -> None:
    model = model_of(run_pelican(synthetic, tmp_path / "site", extra=extra))
    home = model.home
    # what makes the test able to fail: a top story with more coverage, stories of one cluster
    # beyond the top one, topics trending
    assert any(more for _, more in home["top_stories"]), home
    clusters = [model.records()[i].cluster for i, _ in home["top_stories"]]
    assert len(set(clusters)) == len(clusters) == extra.get("HOME_TOP_STORIES", 5)
    assert len(home["trending_topics"]) == extra.get("TRENDING_TOPICS", 5)
    assert home["trending_window"][2] == extra.get("TRENDING_RECENT_DAYS", 7)
    assert derive_home(model, settings_of(extra)) == home
