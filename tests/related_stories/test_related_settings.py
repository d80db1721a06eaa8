"""The related-stories settings: declared once, checked at start-up, read into RelatedSettings."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from topicfeed.related_stories.settings import DEFAULTS, SETTINGS, RelatedSettings, read_settings
from topicfeed.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
ITEM = """---
title: "A story"
publishedDateTime: 2024-03-01T10:00:00Z
webUrl: "https://news.example.com/a-story"
provider: {name: Example, domain: example.com}
topics: [Testing]
---
"""


def pelican(tmp_path: Path, **settings: object) -> subprocess.CompletedProcess[str]:
    """Build one item with the project's settings and ``settings`` on top (``pelican -e``)."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.txt").write_text(ITEM, encoding="utf-8")
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(tmp_path / "out")]
    command += ["-s", str(ROOT / "pelicanconf.py")]
    command += ["-e", *(f"{name}={json.dumps(value)}" for name, value in settings.items())]
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_a_bad_weight_stops_the_build_with_a_line_naming_it(tmp_path: Path) -> None:
    result = pelican(tmp_path, RELATED_WEIGHTS={"topics": -1, "title": 1})
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    critical = [line for line in log.splitlines() if "CRITICAL" in line]
    assert len(critical) == 1, log
    assert (
        "settings: RELATED_WEIGHTS: expected a mapping of topics, title, date to numbers >= 0" in critical[0]
    )
    assert not (tmp_path / "out" / "index.html").exists()


def test_good_settings_build(tmp_path: Path) -> None:
    result = pelican(tmp_path, RELATED_WEIGHTS={"topics": 2}, HOME_TOP_STORIES=1)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "index.html").is_file()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RELATED_WEIGHTS", {"colour": 1.0}),
        ("RELATED_WEIGHTS", {"topics": True}),
        ("RELATED_WEIGHTS", [1.0, 1.0, 0.25]),
        ("HOME_RANK_WEIGHTS", {"heat": -0.5}),
        ("RELATED_MIN", 2.5),
        ("RELATED_CANDIDATES", 0),
        ("RELATED_DATE_HALF_LIFE_DAYS", 0),
        ("HOME_RANK_HALF_LIFE_HOURS", "24"),
        ("RELATED_THRESHOLD", -0.1),
    ],
)
def test_each_bad_value_is_refused_naming_the_setting(name: str, value: object) -> None:
    with pytest.raises(SettingsError, match=rf"^settings: {name}: expected "):
        read_settings({name: value})


def test_the_defaults_are_the_declared_ones() -> None:
    assert replace(read_settings({}), timezone=dt.UTC) == RelatedSettings()
    assert DEFAULTS == {setting.name: setting.default for setting in SETTINGS}
    assert read_settings({}).topic_weight == DEFAULTS["RELATED_WEIGHTS"]["topics"]


def test_read_settings_takes_the_site_timezone() -> None:
    assert str(read_settings({"TIMEZONE": "Europe/Paris"}).timezone) == "Europe/Paris"
