"""The theme's settings: the CSP frame-src is derived from the video hosts, not listed again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.news_theme.settings import SETTINGS as THEME_SETTINGS
from topicfeed.news_theme.settings import csp_directives, frame_src
from topicfeed.settings import apply

ROOT = Path(__file__).resolve().parents[2]

#: The policy pelicanconf.py spelled out before it was derived (the corpus build is unchanged).
PREVIOUS_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' https: http: data:",
    "frame-src": "https://www.youtube-nocookie.com https://player.vimeo.com",
    "connect-src": "'self'",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def configured(**settings: object) -> dict:
    values = dict(settings)
    apply(values, (*READER_SETTINGS, *THEME_SETTINGS))
    return values


def test_the_default_policy_is_the_previous_one_in_its_order() -> None:
    policy = configured()["CSP_DIRECTIVES"]
    assert list(policy.items()) == list(PREVIOUS_POLICY.items())


def test_frame_src_follows_the_embed_hosts() -> None:
    assert configured(NEWS_EMBED_HOSTS=["player.vimeo.com"])["CSP_DIRECTIVES"]["frame-src"] == (
        "https://player.vimeo.com"
    )
    assert configured(NEWS_EMBED_HOSTS=[])["CSP_DIRECTIVES"]["frame-src"] == "'none'"
    assert frame_src(["youtube.com"]) == "https://www.youtube-nocookie.com"
    assert csp_directives({})["frame-src"] == "'none'"  # no news reader: no embeds


def test_a_site_policy_is_kept_as_it_is() -> None:
    own = {"default-src": "'self'"}
    assert configured(CSP_DIRECTIVES=own)["CSP_DIRECTIVES"] == own


def test_built_pages_carry_the_derived_frame_src(tmp_path: Path) -> None:
    hosts = json.dumps(["player.vimeo.com"])
    command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-o", str(tmp_path / "out")]
    command += ["-s", str(ROOT / "pelicanconf.py"), "-e", f"NEWS_EMBED_HOSTS={hosts}"]
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    soup = BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")
    meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert "frame-src https://player.vimeo.com;" in meta["content"]
    assert "youtube" not in meta["content"]
