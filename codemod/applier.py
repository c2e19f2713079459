"""Applies every edit of a file at once, checks the result, and writes it atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from codemod.ftypes import Edit, Finding


class OverlapError(ValueError):
    pass


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


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` via a temp file in the same folder and ``os.replace``,
    keeping the file's mode. Returns False (and writes nothing) when nothing changed.

    At every instant the path holds either the old or the new bytes, so an interrupt
    (SIGINT, SIGTERM) can never leave a partial file."""
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return False
    except FileNotFoundError:
        pass
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".v4-migrate.tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return True
