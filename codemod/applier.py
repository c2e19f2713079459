"""Applies every edit of a file at once, checks the result, and writes it atomically."""

from __future__ import annotations

import bisect
import os
import signal
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from codemod.ftypes import Edit, Finding


class OverlapError(ValueError):
    pass


class ChangedOnDiskError(OSError):
    """The file no longer holds the bytes the fix was computed from."""


def select_edits(findings: Iterable[Finding], fix_kinds: Sequence[str]) -> Tuple[List[Edit], List[Finding]]:
    """The edits to apply and the findings they fix. A finding whose edits collide with an
    earlier finding's is left unfixed, never half-applied; identical edits (the one
    ``import os``) are shared. O(n log n) in edits: a file may hold thousands of findings."""
    chosen = _EditSet()
    fixed: List[Finding] = []
    for finding in findings:
        if finding.fix not in fix_kinds or not finding.edits:
            continue
        new = [e for e in finding.edits if e not in chosen]
        if any(_overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1 :]) or any(map(chosen.collides, new)):
            continue
        for edit in new:
            chosen.add(edit)
        fixed.append(finding)
    return chosen.sorted(), fixed


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:  # two insertions at one point would interleave
        return True
    return a.start < b.end and b.start < a.end


class _EditSet:
    """Edits that do not overlap, kept sorted by (start, end): then their ends are sorted too,
    so a new edit overlaps one of them only if it overlaps the last that starts before it ends,
    or is an insertion where another one is."""

    def __init__(self) -> None:
        self._spans: List[Tuple[int, int]] = []
        self._edits: Dict[Tuple[int, int], Edit] = {}
        self._all: set = set()

    def __contains__(self, edit: Edit) -> bool:
        return edit in self._all

    def collides(self, edit: Edit) -> bool:
        spans = self._spans
        index = bisect.bisect_left(spans, (edit.end,))  # the spans that start before the edit ends
        if index and spans[index - 1][1] > edit.start:
            return True
        return edit.start == edit.end and (edit.start, edit.start) in self._edits

    def add(self, edit: Edit) -> None:
        span = (edit.start, edit.end)
        bisect.insort(self._spans, span)
        self._edits[span] = edit
        self._all.add(edit)

    def sorted(self) -> List[Edit]:
        return [self._edits[span] for span in self._spans]


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
    with interrupts_deferred():
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".v4-migrate.tmp", dir=str(path.parent))
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
