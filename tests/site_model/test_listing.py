"""A rebuild keeps the last model's feeds, API documents, search bundles and charts when every
story stays where it was and is listed alike (``site_model.predict``, ``records.listing``): the
digest of what those products read of an item must cover all they read.

Every field a news file of the corpus has (``provider.name`` and the other fields of the
provider too) is changed in turn, in the two newest published files that have it, and the next model is
predicted twice from the built site's: as a rebuild does, and with the shortcut turned off, every
product derived in full. The two must be equal whichever field changed; and the shortcut must
be taken for the fields only a story's own page shows (its excerpt, title, images, embed) and
not for those its lists show (its category, provider, topics, date).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.build import CORPUS, Build
from support.model_changes import model_of, news_files, site_settings

from topicfeed.site_model import predict as predict_module
from topicfeed.site_model.predict import predict
from topicfeed.site_model.records import ItemRecord, SiteModel


def changed(value: Any) -> Any:
    """Another value of the same kind as ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1000  # enough to move a story among the top stories
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(hours=5)
    if isinstance(value, str):
        return value + " (changed)"
    if isinstance(value, tuple):  # a record's keys
        return (*value, "changed")
    if isinstance(value, list):
        return value[::-1] if len(value) > 1 else [*value, *(changed(v) for v in value)]
    if isinstance(value, dict):
        return {key: changed(v) for key, v in value.items()}
    raise AssertionError(f"no change for {value!r}")


def front_matter(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def write(path: Path, fields: dict[str, Any]) -> None:
    path.write_text(
        f"---\n{yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)}---\n", encoding="utf-8"
    )


def field_names(fields: dict[str, Any]) -> list[str]:
    """Every field of a file, a provider's fields by name (``provider.name``)."""
    names = []
    for key, value in fields.items():
        names += [f"{key}.{inner}" for inner in value] if isinstance(value, dict) else [key]
    return names


def with_change(fields: dict[str, Any], name: str) -> dict[str, Any]:
    key, _, inner = name.partition(".")
    new = dict(fields)
    new[key] = {**fields[key], inner: changed(fields[key][inner])} if inner else changed(fields[key])
    return new


@pytest.fixture(scope="module")
def site(
    corpus_site: Build, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SiteModel, Path, dict[str, Any]]:
    """The built corpus's model, a copy of its content folder and the settings to predict with
    (an item store of their own)."""
    root = tmp_path_factory.mktemp("listing")
    content = root / "content"
    shutil.copytree(CORPUS, content)
    return model_of(corpus_site.output), content, site_settings(content, root / "cache")


def products(model: SiteModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in ("feeds", "api", "search", "charts", "home")}


def test_a_kept_product_is_the_product_derived_in_full(
    site: tuple[SiteModel, Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    last, content, settings = site
    files = news_files(content)
    published = [Path(path) for path in files if front_matter(Path(path)).get("published", True)]
    originals = {path: path.read_text(encoding="utf-8") for path in published}
    names = sorted({name for path in published for name in field_names(front_matter(path))})
    taken: list[int] = []
    kept_products = predict_module._last_products

    def counted(model: SiteModel) -> dict[str, Any]:
        taken.append(1)
        return kept_products(model)

    monkeypatch.setattr(predict_module, "_last_products", counted)
    kept: set[str] = set()
    try:
        for name in names:
            # the newest two that have it: what the home page's top stories are made of
            having = [path for path in published if name in field_names(front_matter(path))][-2:]
            for path in having:
                write(path, with_change(front_matter(path), name))
            taken.clear()
            planned = predict(last, files, settings)
            if taken:
                kept.add(name)
            with monkeypatch.context() as full:  # every product derived
                full.setattr(predict_module, "_listed_as_before", lambda *_: False)
                full.setattr(predict_module, "_same_but_fingerprints", lambda *_: False)
                derived = predict(last, files, settings)
            assert products(planned) == products(derived), name
            assert planned == derived, name
            for path in having:
                path.write_text(originals[path], encoding="utf-8")
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    assert {"excerpt", "title", "images", "featuredContent"} <= kept
    assert not {"category", "provider.name", "provider.domain", "topics", "publishedDateTime"} & kept


def test_the_home_values_are_kept_only_for_records_equal_but_for_their_digests(
    site: tuple[SiteModel, Path, dict[str, Any]],
) -> None:
    """(The corpus's home page shows its newest stories whatever their scores, so the test above
    cannot tell a kept home page from a derived one.)"""
    last = site[0]
    records = [list(record) for record in last.items]
    same = predict_module._same_but_fingerprints
    assert same([tuple(r) for r in records], last)
    records[3][ItemRecord._fields.index("fingerprint")] = "another digest"
    assert same([tuple(r) for r in records], last)
    for name in ("heat", "quality", "cluster", "related", "key"):
        changed_records = [list(r) for r in records]
        field = ItemRecord._fields.index(name)
        value = changed_records[3][field]
        changed_records[3][field] = changed(0 if value is None else value)
        assert not same([tuple(r) for r in changed_records], last), name
    assert not same([tuple(r) for r in records[:-1]], last)
