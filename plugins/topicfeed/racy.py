"""When a file's recorded stat may stand for its bytes: one rule for every step that keeps one.

A step that remembers a file's digest with its stat (the unchanged-build fingerprint, the news
reader's stat table) skips reading the file while the stat is unchanged. A same-size write in
the same clock tick as the one recorded leaves the stat as it was (git calls this the "racy"
case), so a stat counts only for a file that had last changed :data:`RACY_NS` before the record
was taken. Both steps must agree: defined here once.
"""

from __future__ import annotations

#: A file changed this close to (or after) the taking of a record is read again whatever its stat.
RACY_NS = 2_000_000_000


def settled(changed_ns: int, recorded_ns: int) -> bool:
    """Whether a file last changed at ``changed_ns`` had settled when a record was taken at
    ``recorded_ns`` (both in nanoseconds since the epoch)."""
    return changed_ns < recorded_ns - RACY_NS
