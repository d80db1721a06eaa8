"""Shared fixtures of the site model's tests only: the corpus's changes, predicted and built once
for the prediction and the reach tests (``support.model_changes``)."""

from __future__ import annotations

import pytest
from support.model_changes import State
from support.model_changes import corpus_changes as make_corpus_changes


@pytest.fixture(scope="package")
def corpus_changes(tmp_path_factory: pytest.TempPathFactory) -> list[State]:
    return make_corpus_changes(tmp_path_factory.mktemp("corpus-changes"))
