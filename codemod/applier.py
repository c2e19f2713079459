"""Applies every edit of a file at once, checks the result, and writes it atomically."""

from __future__ import annotations

import bisect
import errno
import os
import signal
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, TextIO, Tuple

from codemod import lifeline, tempnames
from codemod.ftypes import Edit, Finding


class OverlapError(ValueError):
    pass


class ChangedOnDiskError(OSError):
    """The file no longer holds the bytes the fix was computed from."""


class NotWritableError(OSError):
    """A file this tool does not rewrite; the message says why."""


CHANGED = "changed on disk while it was being fixed"
TEMP_SUFFIX = tempnames.SUFFIX


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


def write_atomic(path: Path, data: bytes, expected: Optional[bytes] = None, root: Optional[str] = None) -> bool:
    """Replace ``path`` with ``data`` via a temp file in the same folder and ``os.replace``,
    keeping the file's mode, owner (when allowed) and extended attributes. Returns False (and
    writes nothing) when nothing changed. A symbolic link is kept: the file it points to is
    rewritten, if it lies inside ``root`` (the real path of the tree; None: anywhere).

    Never rewritten (NotWritableError): a file outside ``root``, one whose mode makes it
    read-only, one with hard links. With ``expected`` (the bytes the new ones were computed
    from), a file changed meanwhile (an editor, a formatter) raises ChangedOnDiskError and keeps
    its bytes: it is checked once more right before the rename, and a write that still reached
    the old file between that check and the rename is found after it and put back.

    At every instant the path holds either the old or the new bytes, so an interrupt
    (SIGINT, SIGTERM) can never leave a partial file; both are held back while the temp file
    exists, so none is left behind either."""
    target = os.path.realpath(path)
    if root is not None and not is_inside(target, root):
        raise NotWritableError(errno.EACCES, outside_message(root))
    with _open_regular(target) as old:
        before = os.fstat(old.fileno())
        current = old.read()
        if current == data:
            return False
        if expected is not None and current != expected:
            raise ChangedOnDiskError(CHANGED)
        refusal = refusal_for(target, before)
        if refusal is not None:
            raise NotWritableError(errno.EACCES, refusal)
        lifeline.check_parent()  # a worker of a killed run writes nothing
        with interrupts_deferred():
            _replace(target, data, old.fileno(), before, lambda: _check_unchanged(path, target, old.fileno(), before, current))
            if _touched(old.fileno(), before, current):
                _put_back(target, old.fileno(), data, before)
                raise ChangedOnDiskError(f"{CHANGED} (written to as the fix was saved; kept as the other program left it)")
    return True


def outside_message(root: str) -> str:
    return f"outside the tree {root}"


def why_not_written(path, expected: Optional[bytes] = None, root: Optional[str] = None) -> Optional[str]:
    """What ``write_atomic`` would refuse, or None: asked of every file of a group before the
    first one is written."""
    target = os.path.realpath(path)
    if root is not None and not is_inside(target, root):
        return outside_message(root)
    try:
        with _open_regular(target) as fh:
            info = os.fstat(fh.fileno())
            current = fh.read()
    except (ChangedOnDiskError, NotWritableError) as exc:
        return exc.strerror or str(exc)
    except OSError:
        return CHANGED  # gone, or no longer readable, since it was read
    if expected is not None and current != expected:
        return CHANGED
    return refusal_for(target, info)


def refusal_for(path: str, info: os.stat_result) -> Optional[str]:
    """Why the file with this stat must not be rewritten, or None."""
    if not _writable(path, info):
        return f"read-only (mode {stat.S_IMODE(info.st_mode):04o})"
    # Refused rather than written in place: an in-place write is not atomic (an interrupt or a
    # full disk could leave a partial file under every name), and a rename splits the link,
    # leaving the other names (maybe outside the tree) with the old text.
    if info.st_nlink > 1:
        return f"{info.st_nlink} hard links (a rewrite would leave the other names with the old text)"
    return None


def _writable(path: str, info: os.stat_result) -> bool:
    """The kernel's answer for this caller, except that root, who may write anything, is held
    to the owner's write bit: `chmod a-w` keeps a file as it is."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return bool(info.st_mode & stat.S_IWUSR)
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


def is_inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def tree_root(cwd: str) -> str:
    """The real path of the tree a run may write in: the git work tree that holds ``cwd``
    (the nearest folder above it with a ``.git``), else ``cwd`` itself."""
    real = os.path.realpath(cwd)
    folder = real
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return real
        folder = parent


def _open_regular(path: str):
    """The file itself, read-only: never through a link that took its place, never a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ChangedOnDiskError(CHANGED) from None
        raise
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise NotWritableError(errno.EINVAL, "not a regular file")
    return handle


@contextmanager
def atomic_output(path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text file (a report, a baseline) that holds either its old content or the complete new
    one: written to a temp file beside it, renamed over it once flushed to disk. On any error
    the temp file is removed and the old file is intact. A symbolic link is kept (its target is
    written); a device or FIFO (``/dev/stdout``) is written to directly."""
    target = os.path.realpath(path)
    try:
        info: Optional[os.stat_result] = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "w", encoding=encoding, newline="\n") as fh:
            yield fh
        return
    if info is not None and not _writable(target, info):
        raise PermissionError(errno.EACCES, f"read-only (mode {stat.S_IMODE(info.st_mode):04o})")
    with interrupts_deferred():
        fd, tmp_name = tempnames.make(str(target))
        try:
            with os.fdopen(fd, "w", encoding=encoding, newline="\n") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                if info is None:
                    os.chmod(tmp_name, 0o666 & ~_umask())  # as open() would have made it
                else:
                    _copy_metadata_of(target, fh.fileno(), tmp_name, info)
            os.replace(tmp_name, target)
        except BaseException:
            _discard(tmp_name)
            raise


def _copy_metadata_of(target: str, dst_fd: int, dst_path: str, info: os.stat_result) -> None:
    try:
        old = open(target, "rb")
    except OSError:  # write-only: its mode and owner, without its extended attributes
        _copy_metadata(None, dst_fd, dst_path, info)
        return
    with old:
        _copy_metadata(old.fileno(), dst_fd, dst_path, info)


def write_text_atomic(path, text: str) -> None:
    with atomic_output(path) as fh:
        fh.write(text)


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def _replace(target: str, data: bytes, old_fd: int, info: os.stat_result, last_check=None) -> None:
    """Write ``data`` to a temp file beside ``target`` with its metadata, run ``last_check``,
    and rename the temp file over ``target``; no temp file is left on any error."""
    fd, tmp_name = tempnames.make(target)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
            _copy_metadata(old_fd, tmp.fileno(), tmp_name, info)
        if last_check is not None:
            last_check()
        lifeline.check_parent()
        os.replace(tmp_name, target)
    except BaseException:
        _discard(tmp_name)
        raise


def _discard(tmp_name: str) -> None:
    """Remove a temp file a failed or interrupted write leaves (gone already is fine)."""
    try:
        os.unlink(tmp_name)
    except OSError:
        pass


def _copy_metadata(src_fd: Optional[int], dst_fd: int, dst_path: str, info: os.stat_result) -> None:
    """Owner (when allowed), then mode (a chown may clear set-id bits), then extended
    attributes (``user.*``, ACLs, SELinux labels: a chown drops file capabilities)."""
    if hasattr(os, "fchown"):
        dst = os.fstat(dst_fd)
        if (dst.st_uid, dst.st_gid) != (info.st_uid, info.st_gid):
            try:
                os.fchown(dst_fd, info.st_uid, info.st_gid)
            except OSError:
                pass
    if hasattr(os, "fchmod"):
        os.fchmod(dst_fd, stat.S_IMODE(info.st_mode))
    else:
        os.chmod(dst_path, stat.S_IMODE(info.st_mode))
    if src_fd is not None:
        _copy_xattrs(src_fd, dst_fd)


# An attribute the file system does not support, or that only a privileged process may set
# (trusted.*, a security.* label the policy sets itself), is not copied: quietly.
_XATTR_SKIPPED = {getattr(errno, name) for name in ("ENOTSUP", "EOPNOTSUPP", "EPERM", "EACCES", "ENODATA") if hasattr(errno, name)}


def _copy_xattrs(src_fd: int, dst_fd: int) -> None:
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(src_fd)
    except OSError as exc:
        if exc.errno in _XATTR_SKIPPED:
            return
        raise
    for name in names:
        try:
            os.setxattr(dst_fd, name, os.getxattr(src_fd, name))
        except OSError as exc:
            if exc.errno not in _XATTR_SKIPPED:
                raise


def _identity(info: os.stat_result) -> Tuple[int, int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _check_unchanged(path, target: str, old_fd: int, before: os.stat_result, current: bytes) -> None:
    """Right before the rename: the path still leads to the file that was read, and that file
    still holds the bytes the fix was computed from."""
    try:
        now = os.lstat(target)
    except FileNotFoundError:
        raise ChangedOnDiskError(CHANGED) from None
    if os.path.realpath(path) != target or _identity(now) != _identity(before) or _read_all(old_fd) != current:
        raise ChangedOnDiskError(CHANGED)


def _touched(old_fd: int, before: os.stat_result, current: bytes) -> bool:
    """Whether the old file (now unlinked, still open) was written to after the last check."""
    now = os.fstat(old_fd)
    return (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or _read_all(old_fd) != current


def _put_back(target: str, old_fd: int, written: bytes, info: os.stat_result) -> None:
    """The other program's bytes (the old file as it left it) in place of the fix, unless the
    path no longer holds the fix either."""
    theirs = _read_all(old_fd)
    with _open_regular(target) as now:
        if now.read() != written:
            return
    _replace(target, theirs, old_fd, info)


def _read_all(fd: int) -> bytes:
    if hasattr(os, "pread"):
        chunks = []
        offset = 0
        while True:
            chunk = os.pread(fd, 1 << 20, offset)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            offset += len(chunk)
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as fh:
        return fh.read()


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
