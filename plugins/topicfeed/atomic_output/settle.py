"""Wait for the background work the last build left beside an output folder: ``make settle``.

A build replaces the site and empties the replaced one in the background, keeping its folders as
the next build's skeleton (``OUTPUT_RECYCLE_FOLDERS``); a build that replaced none makes the
skeleton from its own page folders, in the background too. A CI job that saves the build state for
its next run (``.github/workflows/pages.yml``) runs this before the job ends, so the saved state
holds the skeleton and the next deploy does not make every folder of the site again.

Usage: ``PYTHONPATH=plugins python -m topicfeed.atomic_output.settle OUTPUT [--timeout SECONDS]``.
Exit status 0 when nothing is left running, 1 when the timeout passed first (the state is still
sound: the next build then makes its folders).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .swap import skeleton_folder, wait_for_recycling


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path, help="the output folder of the build")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait at most")
    args = parser.parse_args(argv)
    output = args.output.resolve()
    if not wait_for_recycling(output, args.timeout):
        print(
            f"settle: {output.name}'s next skeleton is still being made after {args.timeout:g} s",
            file=sys.stderr,
        )
        return 1
    skeleton = skeleton_folder(output)
    print(f"settle: {skeleton.name} {'is ready' if skeleton.is_dir() else 'is absent'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
