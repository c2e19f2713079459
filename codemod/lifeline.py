"""A worker process lives only as long as the run that started it. Killed with SIGKILL, the
parent can clean nothing up: its workers must notice by themselves, or they would go on
writing files and holding the run's stdout and stderr open (a CI step would never end).

On Linux the kernel kills a worker when its parent dies (``PR_SET_PDEATHSIG``); elsewhere a
thread checks every second. Either way, ``check_parent`` before each write stops a worker
whose parent is gone from writing anything. Standard library only."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Optional

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 1.0  # where the kernel cannot tell a worker, how often it looks
EXIT_PARENT_GONE = 128 + signal.SIGKILL  # as if the kernel had killed it

_parent: Optional[int] = None


class ParentGone(BaseException):
    """The run that started this worker is gone: nothing more may be written. A BaseException,
    so that no handler of a file's errors takes it for one."""


def bind_to_parent(parent_pid: Optional[int], kernel: bool = True) -> None:
    """In a worker just started by ``parent_pid`` (None: by whichever process is its parent
    now, a fork server say): die with it, from now on. ``kernel``: let the kernel kill it where
    it can; else (and where it cannot) a thread does."""
    global _parent
    _parent = os.getppid() if parent_pid is None else parent_pid
    if not (kernel and _die_with_parent()):
        threading.Thread(target=_watch_parent, name="v4-migrate-lifeline", daemon=True).start()
    if not parent_alive():  # it died before the kernel was told
        os._exit(EXIT_PARENT_GONE)


def parent_alive() -> bool:
    """False once this worker's parent is gone (it is then a child of init or a subreaper);
    always True outside a worker."""
    return _parent is None or os.getppid() == _parent


def check_parent() -> None:
    """Raise ParentGone in a worker whose parent is gone: called right before each write."""
    if not parent_alive():
        raise ParentGone(f"the v4-migrate run (process {_parent}) that started this worker is gone")


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies. SIGKILL, not SIGTERM: a worker
    holds SIGTERM back while it writes, and must not finish a write for a dead run."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc to load, or no prctl in it
        return False


def _watch_parent() -> None:
    event = threading.Event()
    while parent_alive():
        event.wait(POLL_SECONDS)
    os._exit(EXIT_PARENT_GONE)
