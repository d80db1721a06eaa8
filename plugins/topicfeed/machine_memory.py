"""How much memory this machine, or the container the build runs in, has free now.

``MEMORY_BUDGET_MB = "auto"`` plans the build's extra processes within it. What the kernel says
is available (``MemAvailable`` in ``/proc/meminfo``: free memory plus what it can reclaim) is
not enough inside a container: a container limited to 2 GB on a 64 GB host sees the host's
``/proc/meminfo`` and is killed at 2 GB. So the limits of the build's control groups count too,
each one less what its processes use: the limit (``memory.max`` in cgroup v2,
``memory.limit_in_bytes`` in v1) of the build's own group and of every group above it (a limit
higher up binds the groups below), less the group's usage without its page cache (``memory.current``
less ``file``; v1: ``memory.usage_in_bytes`` less ``total_cache``), which the kernel reclaims
before it kills anything, but with its shared memory (``shmem``, ``total_shmem``: files in
``/dev/shm`` and other tmpfs, counted in the cache and never reclaimed without swap). A build
writes thousands of files: counting their cache as used memory (``docker stats`` leaves out only
the inactive part) refused every process to a corpus build that needs 66 MB in a 200 MB group.
The smallest of all these is what is free.

Linux only; elsewhere (or when nothing can be read) :func:`free_mb` says None.
"""

from __future__ import annotations

from pathlib import Path

MB = 1024 * 1024
#: cgroup v1 writes a huge number (``PAGE_COUNTER_MAX`` in bytes) for "no limit".
_NO_LIMIT = 1 << 60


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def kib_field(text: str | None, name: str) -> int | None:
    """The value of field ``name`` of a ``/proc`` file's ``Name:   N kB`` lines (``meminfo``,
    ``smaps_rollup``), in KiB; None when it is not there."""
    prefix = name + ":"
    for line in (text or "").splitlines():
        if line.startswith(prefix):
            parts = line.split()
            try:
                return int(parts[1])
            except (IndexError, ValueError):
                return None
    return None


def _stat_value(text: str | None, name: str) -> int:
    for line in (text or "").splitlines():
        key, _, value = line.partition(" ")
        if key == name:
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _group_room(folder: Path, limit_file: str, usage_file: str, cache: str, shmem: str) -> int | None:
    """What one control group leaves (its limit less its usage without the page cache it can
    reclaim), or None when it sets no limit."""
    limit_text = _read(folder / limit_file)
    if limit_text is None or limit_text.strip() in ("", "max"):
        return None
    try:
        limit = int(limit_text)
        usage = int(_read(folder / usage_file) or "0")
    except ValueError:
        return None
    if limit >= _NO_LIMIT:
        return None
    stat = _read(folder / "memory.stat")
    usage -= max(0, _stat_value(stat, cache) - _stat_value(stat, shmem))
    return max(0, limit - max(0, usage))


def _groups(mount: Path, group: str) -> list[Path]:
    """The group's folder under ``mount`` and every folder above it, up to ``mount`` itself."""
    folder = mount / group.strip("/")
    found = []
    while True:
        found.append(folder)
        if folder == mount or mount not in folder.parents:
            return found
        folder = folder.parent


def _cgroup_rooms(proc_cgroup: Path, cgroup_root: Path) -> list[int]:
    """What each control group of this process with a memory limit leaves, v2 and v1."""
    rooms: list[int] = []
    for line in (_read(proc_cgroup) or "").splitlines():
        number, _, rest = line.partition(":")
        controllers, _, group = rest.partition(":")
        if number == "0" and controllers == "":
            mount, files = cgroup_root, ("memory.max", "memory.current", "file", "shmem")
        elif "memory" in controllers.split(","):
            mount = cgroup_root / "memory"
            files = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_cache", "total_shmem")
        else:
            continue
        for folder in _groups(mount, group):
            room = _group_room(folder, *files)
            if room is not None:
                rooms.append(room)
    return rooms


def free_mb(
    meminfo: Path = Path("/proc/meminfo"),
    proc_cgroup: Path = Path("/proc/self/cgroup"),
    cgroup_root: Path = Path("/sys/fs/cgroup"),
) -> float | None:
    """The memory free for this process now, in MB (MiB): the smallest of ``MemAvailable`` and
    what each of its memory-limited control groups leaves; None when none can be read."""
    rooms = _cgroup_rooms(proc_cgroup, cgroup_root)
    available = kib_field(_read(meminfo), "MemAvailable")
    if available is not None:
        rooms.append(available * 1024)
    return min(rooms) / MB if rooms else None
