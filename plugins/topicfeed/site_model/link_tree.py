"""Hard-link a built site into a building folder, but the files a rebuild writes anew.

Run as a process of its own (standard library only, ``python -S``) by a rebuild from the site
model, beside the rendering: at 10,000 items the site is about 27,000 files, and linking them
took the rebuild 0.9 to 2.8 s of system calls, which the rendering need not wait for (the files
it writes are left out here, and each side makes the folders it needs). A forked process would
not do: while it lives, every page of memory the rebuild writes to is copied first.

Arguments: the site, the building folder, the rebuild's process id, then the top-level names
to leave alone (the output step carries them over). Standard input: the files (relative, with
``/``) and folders (ending with ``/``) not to link, one per line. Prints the number of files
linked. It asks the kernel to kill it with the rebuild (Linux), so a killed rebuild leaves
nothing linking into its building folder (as ``fast_writer``'s helper does).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Collection

_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: it ends once done
        pass
    if os.getppid() != parent:
        os._exit(1)


def link_tree(site: str, into: str, leave: Collection[str], kept: Collection[str]) -> int:
    """Link every file of ``site`` into ``into`` at its place, but ``leave`` and ``kept``."""
    folders = {name for name in leave if name.endswith("/")}
    cut = len(site) + 1
    linked = 0
    for folder, dirs, files in os.walk(site):
        relative = folder[cut:].replace(os.sep, "/")
        prefix = f"{relative}/" if relative else ""
        if not prefix:
            dirs[:] = [d for d in dirs if d not in kept]
            files = [f for f in files if f not in kept]
        dirs[:] = [d for d in dirs if f"{prefix}{d}/" not in folders]
        made = os.path.join(into, relative)
        os.makedirs(made, exist_ok=True)
        for name in files:
            if prefix + name in leave:
                continue
            os.link(os.path.join(folder, name), os.path.join(made, name))
            linked += 1
    return linked


def main() -> None:
    site, into, parent, *kept = sys.argv[1:]
    _die_with(int(parent))
    leave = {line.rstrip("\n") for line in sys.stdin if line.strip()}
    print(link_tree(site.rstrip(os.sep), into, leave, set(kept)))


if __name__ == "__main__":
    main()
