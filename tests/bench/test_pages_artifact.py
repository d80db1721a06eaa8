"""The bench measures a site as GitHub Pages receives it: a tar, zlib-compressed at level 6.

Whether a large site deploys depends on that artifact's size, so the measure must count what
the upload action packs (hard links in full, nothing under ``.git``) and compress the way it
does; a constant or a guess would let the report call a site deployable that is not.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import zlib
from pathlib import Path

from bench import pages_artifact


def make_site(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "index.html").write_text("<p>hello</p>\n" * 2000)
    noise = hashlib.shake_256(b"1").digest(50_000)  # does not compress
    (root / "a" / "noise.bin").write_bytes(noise)
    (root / "a" / "b" / "page.html").write_text("<li>story</li>\n" * 500)


def test_sizes_are_the_tar_and_its_level_6_deflate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    sizes = pages_artifact.artifact_sizes(site)
    # the tar holds every file in full, with a 512-byte header per entry, padded to 10 KiB records
    files = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert sizes["tar_bytes"] > files
    assert sizes["tar_bytes"] % 10240 == 0
    # compressed: the repetitive pages shrink, the random bytes do not
    assert 50_000 < sizes["artifact_bytes"] < files
    # the same bytes as compressing the tar in one go
    tar = subprocess.run(pages_artifact.tar_command(site), capture_output=True, check=True).stdout
    assert len(tar) == sizes["tar_bytes"]
    whole = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert len(whole.compress(tar) + whole.flush()) == sizes["artifact_bytes"]
    # and what it packs is the site
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()}
    assert names == {"./index.html", "./a/noise.bin", "./a/b/page.html"}


def test_hard_links_count_in_full_and_git_is_left_out(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    before = pages_artifact.artifact_sizes(site)
    os.link(site / "a" / "noise.bin", site / "noise-again.bin")  # a reused page is a hard link
    (site / ".git").mkdir()
    (site / ".git" / "big").write_bytes(hashlib.shake_256(b"2").digest(80_000))
    after = pages_artifact.artifact_sizes(site)
    assert after["tar_bytes"] - before["tar_bytes"] >= 50_000
    assert after["artifact_bytes"] - before["artifact_bytes"] >= 50_000
    assert after["tar_bytes"] - before["tar_bytes"] < 80_000  # .git is not packed
