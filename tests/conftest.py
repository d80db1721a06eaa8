"""Shared fixtures only: the seeds and the corpus, each built once per session.

Helpers live in the ``support`` package (``tests/support/``); nothing imports this file.
"""

from __future__ import annotations

import pytest
from support.build import CORPUS, ROOT, Build, run_pelican

# Browser tests: server, Chromium, axe-core, Nu checker fixtures (tests/support/browser.py).
pytest_plugins = ["support.browser"]


@pytest.fixture(scope="session")
def seeds_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = run_pelican(ROOT / "content", tmp_path_factory.mktemp("seeds-site"))
    assert build.returncode == 0, build.log
    return build


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    assert CORPUS.is_dir(), f"the corpus ships in the repository, at {CORPUS}"
    build = run_pelican(CORPUS, tmp_path_factory.mktemp("corpus-site"))
    assert build.returncode == 0, build.log
    return build
