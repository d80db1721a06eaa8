"""Where a preview, and a normal build, may write: the preview plugin's start-up check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pelican.settings import read_settings
from support.build import ROOT, run_pelican

from topicfeed.news_reader.settings import SETTINGS as READER_SETTINGS
from topicfeed.preview.plugin import MARKER, PreviewError, check_output
from topicfeed.preview.settings import SETTINGS as PREVIEW_SETTINGS

PREVIEW_PLUGINS = ["topicfeed.news_reader", "topicfeed.preview"]


def settings(output: Path, *, preview: bool, **extra: Any) -> dict[str, Any]:
    return {
        "OUTPUT_PATH": str(output),
        "PREVIEW": preview,
        "PREVIEW_OUTPUT": str(output) if preview else "preview",
        "PLUGINS": PREVIEW_PLUGINS,
        **extra,
    }


def test_the_reader_and_the_preview_share_one_preview_setting() -> None:
    (reader,) = [s for s in READER_SETTINGS if s.name == "PREVIEW"]
    (preview,) = [s for s in PREVIEW_SETTINGS if s.name == "PREVIEW"]
    assert reader is preview and reader.default is False


def test_a_preview_builds_into_a_new_an_empty_or_a_previous_preview_folder(tmp_path: Path) -> None:
    check_output(settings(tmp_path / "new", preview=True))
    (tmp_path / "empty").mkdir()
    check_output(settings(tmp_path / "empty", preview=True))
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / MARKER).write_text("")
    (tmp_path / "again" / "index.html").write_text("")
    check_output(settings(tmp_path / "again", preview=True))


def test_a_preview_never_writes_over_a_site(tmp_path: Path) -> None:
    site = tmp_path / "output"
    site.mkdir()
    (site / "index.html").write_text("the published site")
    with pytest.raises(PreviewError, match=f"holds files but no {MARKER}"):
        check_output(settings(site, preview=True))


def test_a_preview_builds_only_into_preview_output(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match=r"builds only into PREVIEW_OUTPUT \(preview\)"):
        check_output(settings(tmp_path / "output", preview=True, PREVIEW_OUTPUT="preview"))
    # A relative PREVIEW_OUTPUT names the last folders of the output path.
    check_output(settings(tmp_path / "preview", preview=True, PREVIEW_OUTPUT="preview"))
    check_output(settings(tmp_path / "a" / "preview", preview=True, PREVIEW_OUTPUT="a/preview"))


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"ROBOTS_SAVE_AS": "robots.txt"}, "ROBOTS_SAVE_AS"),
        ({"NEWS_SITEMAP_SAVE_AS": "news-sitemap.xml"}, "NEWS_SITEMAP_SAVE_AS"),
    ],
)
def test_a_preview_with_sitemaps_or_their_robots_txt_stops(tmp_path: Path, extra: dict, named: str) -> None:
    with pytest.raises(PreviewError, match=named):
        check_output(settings(tmp_path / "preview", preview=True, **extra))
    check_output(settings(tmp_path / "output", preview=False, **extra))  # the site has them, of course


def test_a_normal_build_refuses_a_preview_folder(tmp_path: Path) -> None:
    folder = tmp_path / "preview"
    folder.mkdir()
    check_output(settings(folder, preview=False))
    (folder / MARKER).write_text("")
    with pytest.raises(PreviewError, match="holds a preview build"):
        check_output(settings(folder, preview=False))


def test_turning_preview_on_with_the_site_settings_stops_before_writing(tmp_path: Path) -> None:
    """pelicanconf.py keeps its sitemaps: PREVIEW=true alone is refused, with one line."""
    output = tmp_path / "preview"
    build = run_pelican(ROOT / "content", output, extra={"PREVIEW": True, "PREVIEW_OUTPUT": str(output)})
    assert build.returncode == 1
    assert "would publish sitemaps or robots.txt" in " ".join(build.log.split())
    assert "Traceback" not in build.log
    assert not output.exists()


def test_a_preview_whose_output_holds_a_sitemap_stops_and_keeps_the_previous_preview(tmp_path: Path) -> None:
    """Whatever plugin writes a sitemap, the preview checks its own files before the swap."""
    output = tmp_path / "preview"
    first = run_pelican(
        ROOT / "content", output, settings_file=ROOT / "previewconf.py", extra={"PREVIEW_OUTPUT": str(output)}
    )
    assert first.returncode == 0, first.log
    before = sorted(path.relative_to(output) for path in output.rglob("*"))
    plugins = [*read_settings(str(ROOT / "previewconf.py"))["PLUGINS"], "pelican.plugins.sitemap"]
    second = run_pelican(
        ROOT / "content",
        output,
        settings_file=ROOT / "previewconf.py",
        extra={"PREVIEW_OUTPUT": str(output), "PLUGINS": plugins},
    )
    assert second.returncode == 1
    assert "a preview has no sitemap" in " ".join(second.log.split())
    assert "sitemap.xml" in second.log
    assert sorted(path.relative_to(output) for path in output.rglob("*")) == before
    assert not (output / "sitemap.xml").exists()
