"""Applies every edit of a file at once, checks the result, and writes it atomically."""

from __future__ import annotations

import os
import signal
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from codemod import lifeline, tempnames
from codemod.ftypes import Edit, Finding


class OverlapError(ValueError):
    pass


class ChangedOnDiskError(OSError):
    """The file no longer holds the bytes the fix was computed from."""


def select_edits(findings: Iterable[Finding], fix_kinds: Sequence[str]) -> Tuple[List[Edit], List[Finding]]:
    """The edits to apply and the findings they fix. A finding whose edits collide with an
    earlier finding's is left unfixed, never half-applied; identical edits (the one
    ``import os``) are shared."""
    chosen: List[Edit] = []
    fixed: List[Finding] = []
    taken = set()
    for finding in findings:
        if finding.fix not in fix_kinds or not finding.edits:
            continue
        new = [e for e in finding.edits if e not in taken]
        if any(_overlaps(e, other) for e in new for other in chosen) or any(
            _overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1 :]
        ):
            continue
        chosen.extend(new)
        taken.update(new)
        fixed.append(finding)
    return sorted(chosen), fixed


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:  # two insertions at one point would interleave
        return True
    return a.start < b.end and b.start < a.end


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Splice sorted, non-overlapping edits into the original text; nothing else changes."""
    pieces: List[str] = []
    cursor = 0
    for edit in sorted(edits):
        if edit.start < cursor:
            raise OverlapError(f"overlapping edits at offset {edit.start}")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.replacement)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def write_atomic(path: Path, data: bytes, expected: Optional[bytes] = None) -> bool:
    """Replace ``path`` with ``data`` via a temp file in the same folder and ``os.replace``,
    keeping the file's mode (and owner, when allowed). Returns False (and writes nothing) when
    nothing changed. A symbolic link is kept: the file it points to is rewritten. With
    ``expected`` (the bytes the new ones were computed from), a file that was changed in the
    meantime (an editor, a formatter) raises ChangedOnDiskError and is left as it is.

    At every instant the path holds either the old or the new bytes, so an interrupt
    (SIGINT, SIGTERM) can never leave a partial file; both are held back while the temp file
    exists, so none is left behind either."""
    path = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        with open(path, "rb") as fh:
            current = fh.read()
        if current == data:
            return False
        if expected is not None and current != expected:
            raise ChangedOnDiskError("it changed on disk while it was being fixed")
    except FileNotFoundError:
        pass
    info = os.stat(path)
    lifeline.check_parent()  # a worker of a killed run writes nothing
    with interrupts_deferred():
        fd, tmp_name = tempnames.make(str(path))
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(tmp_name):
                try:
                    os.chown(tmp_name, info.st_uid, info.st_gid)
                except OSError:
                    pass
            lifeline.check_parent()
            os.replace(tmp_name, path)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            raise
    return True


def _owner(path: str) -> Tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


_DEFERRED_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


@contextmanager
def interrupts_deferred():
    """Hold SIGINT, SIGTERM and SIGHUP back (they are delivered on leaving), on POSIX in the
    main thread, where Python runs its signal handlers."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
