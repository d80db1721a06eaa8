"""How big a built site is as GitHub Pages receives it: the deploy artifact, not the folder.

GitHub documents that a published Pages site "may be no larger than 1 GB" without saying
what is measured. What the tools check is the artifact: ``actions/upload-pages-artifact`` packs
the folder with GNU tar (``--dereference --hard-dereference``, so a hard-linked page counts in
full), ``actions/upload-artifact`` stores that tar zlib-compressed at level 6 (its default), and
``actions/deploy-pages`` warns when the stored artifact is over 1 GiB ("Deployment might fail").
The tar itself may reach 10 GB before Pages refuses it outright.

So the bench reports three sizes of each output: the files' bytes (the strict reading of the
limit), the tar, and the compressed artifact. The compressed size is the deflate stream of the
tar at level 6 without the zip container's few hundred bytes of headers.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

#: ``actions/upload-artifact``'s default ``compression-level``.
LEVEL = 6
CHUNK = 1 << 20


def tar_command(folder: Path) -> list[str]:
    """The archive step of ``actions/upload-pages-artifact`` (Linux), writing to stdout."""
    tar = shutil.which("tar") or "tar"
    return [
        tar,
        "--dereference",
        "--hard-dereference",
        "--directory",
        str(folder),
        "-cf",
        "-",
        "--exclude=.git",
        "--exclude=.github",
        ".",
    ]


def artifact_sizes(folder: Path) -> dict[str, int]:
    """``{"tar_bytes": ..., "artifact_bytes": ...}`` for ``folder`` as GitHub Pages would get it.

    The tar is streamed through the compressor, never written, so a 3 GB site needs no disk.
    """
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    tar_bytes = artifact_bytes = 0
    with subprocess.Popen(tar_command(folder), stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        while chunk := process.stdout.read(CHUNK):
            tar_bytes += len(chunk)
            artifact_bytes += len(compressor.compress(chunk))
    if process.returncode != 0:
        raise RuntimeError(f"tar of {folder} failed with exit status {process.returncode}")
    artifact_bytes += len(compressor.flush())
    return {"tar_bytes": tar_bytes, "artifact_bytes": artifact_bytes}
