"""The temp files of atomic writes, named after the process that makes them, and the removal of
those a killed run left behind.

A SIGKILL between a temp file's creation and its rename leaves it in the tree (``git status``
shows it). Its name says which process made it (pid, and on Linux that process's start time, so
a reused pid is told apart); a later writing run removes, beside each file it may fix, the temp
files of this pattern whose process is gone. (O_TMPFILE + linkat was the other way: linkat
cannot replace the target, so a named temp file would still exist for a moment before the
rename, and not every file system has O_TMPFILE.)"""

from __future__ import annotations

import os
import re
import stat
from typing import Optional, Set, Tuple

SUFFIX = ".v4-migrate.tmp"
# .<file name>.<pid>[-<start time>].<random>.v4-migrate.tmp
NAME = re.compile(r"^\.(?P<base>.+)\.(?P<pid>[0-9]+)(?:-(?P<start>[0-9]+))?\.[^.]+" + re.escape(SUFFIX) + r"$", re.DOTALL)

_swept: Set[str] = set()  # folders this process has cleaned up already


def make(path: str) -> Tuple[int, str]:
    """A new temp file beside ``path``: (open descriptor, name)."""
    import tempfile  # (with random and shutil) only for a run that writes: not a check's start-up

    folder, base = os.path.split(path)
    return tempfile.mkstemp(prefix=f".{base}.{_process_tag(os.getpid())}.", suffix=SUFFIX, dir=folder or ".")


def remove_stale(path: str) -> None:
    """Remove the temp files left in the folder of ``path`` by processes that are gone; once
    per folder and process. Anything that cannot be read or removed is left as it is."""
    folder = os.path.dirname(path) or "."
    if folder in _swept:
        return
    _swept.add(folder)
    try:
        with os.scandir(folder) as entries:
            stale = [entry.path for entry in entries if entry.name.endswith(SUFFIX) and _is_stale(entry)]
    except OSError:
        return
    for name in stale:
        try:
            os.unlink(name)
        except OSError:
            pass


def _is_stale(entry: os.DirEntry) -> bool:
    match = NAME.match(entry.name)
    if match is None:
        return False
    try:
        if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
            return False
    except OSError:
        return False
    start = match.group("start")
    return not _running(int(match.group("pid")), int(start) if start else None)


_own_tag: Tuple[int, str] = (0, "")


def _process_tag(pid: int) -> str:
    """This process's part of the name (a forked worker has its own)."""
    global _own_tag
    if _own_tag[0] != pid:
        start = _start_time(pid)
        _own_tag = (pid, str(pid) if start is None else f"{pid}-{start}")
    return _own_tag[1]


def _running(pid: int, start: Optional[int]) -> bool:
    if start is not None and os.path.isdir("/proc/self"):
        return _start_time(pid) == start  # None: gone, or a zombie that writes nothing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, say: alive
        return True
    return True


def _start_time(pid: int) -> Optional[int]:
    """A live process's start time (clock ticks since boot, /proc/PID/stat); None without /proc,
    for a process that is gone, and for a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
    except OSError:
        return None
    if len(fields) < 20 or fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])
