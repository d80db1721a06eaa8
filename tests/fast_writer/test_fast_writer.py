"""fast_writer: the same bytes as Pelican's own writer, and a rebuild that redoes only what changed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from support.build import CORPUS, ROOT, Build, run_pelican, tree


def rendering(output: Path) -> dict[str, int]:
    return json.loads(output.with_name(output.name + ".report.json").read_text(encoding="utf-8"))["rendering"]


def test_same_output_as_pelicans_writer(corpus_site: Build, tmp_path: Path) -> None:
    plain = run_pelican(CORPUS, tmp_path / "plain", extra={"RENDER_DEFERRED": False})  # as Pelican renders
    assert plain.returncode == 0, plain.log
    assert tree(plain.output) == tree(corpus_site.output)
    assert rendering(corpus_site.output)["pages_rendered"] == len(list(corpus_site.output.rglob("*.html")))


def test_one_item_changed_redoes_only_what_depends_on_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CORPUS, content)
    out = tmp_path / "site"
    # The writer's own reuse, not the unchanged-build skip nor a rebuild from the model.
    full = {"SKIP_UNCHANGED_BUILD": False, "REBUILD_FROM_MODEL": False}
    assert run_pelican(content, out, extra=full).returncode == 0
    total = rendering(out)["pages_rendered"]
    again = run_pelican(content, out, extra=full)
    assert again.returncode == 0
    assert rendering(out) == {
        "pages_rendered": 0,
        "pages_reused": total,
        "feeds_reused": rendering(out)["feeds_reused"],
    }
    assert rendering(out)["feeds_reused"] > 40
    assert (out / "pagefind" / "shards.json").is_file()  # the unchanged index is kept
    assert "the previous index is kept" in again.log or "Search index" not in again.log

    newest = sorted(content.iterdir())[-1]
    text = newest.read_text(encoding="utf-8")
    newest.write_text(text.replace('excerpt: "', 'excerpt: "Edited: ', 1), encoding="utf-8")
    oldest = sorted(content.iterdir())[0]
    text = oldest.read_text(encoding="utf-8")
    oldest.write_text(re.sub(r'^title: "', 'title: "Renamed: ', text, count=1, flags=re.M), encoding="utf-8")
    assert run_pelican(content, out, extra=full).returncode == 0
    changed = rendering(out)
    assert 2 <= changed["pages_rendered"] <= total // 10, changed

    fresh = run_pelican(content, tmp_path / "fresh")
    assert fresh.returncode == 0
    assert tree(out) == tree(fresh.output)
    assert "Edited: " in (out / "index.html").read_text(encoding="utf-8") or "Edited: " in "".join(
        p.read_text(encoding="utf-8") for p in out.glob("20*/*/*/*/index.html")
    )


def test_template_change_rerenders_everything(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    out = tmp_path / "site"
    assert run_pelican(content, out, extra={"THEME": str(theme)}).returncode == 0
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("Skip to content", "Skip to the stories"), encoding="utf-8"
    )
    assert run_pelican(content, out, extra={"THEME": str(theme)}).returncode == 0
    assert rendering(out)["pages_reused"] == 0
    assert all(
        "Skip to the stories" in p.read_text(encoding="utf-8")
        for p in out.rglob("*.html")
        if p.name == "index.html"
    )
