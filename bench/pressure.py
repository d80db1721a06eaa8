"""How much the shared disk held the machine back: Linux pressure stall information (PSI).

The 1-minute load average counts tasks waiting on the disk as load, but only while they wait, and
says nothing about how much of a build's own time went to waiting. On these shared machines the
disk has slow hours: a 100,000-item cold build once took 468 s of wall time for 440 s of CPU on
two cores, where its other rounds took 247 and 267 s. So each round records the disk's pressure
before it (``some``: the share of the last minute in which at least one task waited for I/O),
and each build the share of its wall time in which every runnable task waited for I/O (``full``,
machine-wide, so the build's own writes count too). ``/proc/pressure`` is missing on kernels
without PSI: then nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path

PRESSURE = Path("/proc/pressure")


def _line(resource: str, kind: str, folder: Path) -> dict[str, float] | None:
    """The fields of one line of ``/proc/pressure/<resource>`` (``avg10``, ``avg60``, ``total``...)."""
    try:
        text = (folder / resource).read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == kind:
            try:
                return {key: float(value) for key, value in (word.split("=", 1) for word in words[1:])}
            except ValueError:
                return None
    return None


def io_some_avg60(folder: Path = PRESSURE) -> float | None:
    """Percent of the last minute in which some task waited for I/O; None without PSI."""
    fields = _line("io", "some", folder)
    return None if fields is None else fields.get("avg60")


def io_full_total_us(folder: Path = PRESSURE) -> int | None:
    """Microseconds, since boot, in which every runnable task waited for I/O; None without PSI."""
    fields = _line("io", "full", folder)
    total = None if fields is None else fields.get("total")
    return None if total is None else int(total)


def stalled_share(before_us: int | None, after_us: int | None, wall_s: float) -> float | None:
    """The share (0 to 1) of ``wall_s`` seconds spent fully stalled on I/O, from two totals."""
    if before_us is None or after_us is None or wall_s <= 0:
        return None
    return min(1.0, max(0.0, (after_us - before_us) / 1e6 / wall_s))
