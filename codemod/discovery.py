"""Discover the files to check: git-aware (nested .gitignore), config excludes, no symlink out
of the tree, never a loop."""

from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
import re
import stat
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from codemod.scanners import FORMATS, format_for

if TYPE_CHECKING:  # pragma: no cover - pathspec is imported only when a pattern is in use
    import pathspec

# Folders never worth reading, as in Ruff's defaults.
ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".jj", ".venv", "venv", ".direnv", ".eggs", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".pytype", ".ipynb_checkpoints", "__pycache__",
        "__pypackages__", "site-packages", "node_modules", ".pyenv", ".hypothesis",
    }
)


@dataclass(frozen=True)
class Candidate:
    path: Path  # as given or found; may be relative
    display: str  # relative to the working directory, with / separators
    explicit: bool = False  # named on the command line


class Discovery:
    """Yields candidate files under the given paths; ``problems`` collects one-line notes."""

    def __init__(self, exclude_for: Callable[[Path], Optional[Tuple[pathspec.PathSpec, Path]]], cwd: Optional[Path] = None):
        self.exclude_for = exclude_for  # the exclude spec of the config governing a folder, and its base
        self.cwd = cwd or Path.cwd()
        self.problems: List[str] = []
        # Roots listed by git (not walked) in this run: their files can be prefiltered by `git grep`.
        self.git_roots: List[Path] = []
        # str(candidate.path) -> index in git_roots, for files whose work-tree bytes `git grep`
        # searches (not links, whose blob is the target's path, nor assume-unchanged or
        # skip-worktree entries, which it reads from the index).
        self.git_origin: Dict[str, int] = {}
        self._excluded: Dict[str, Optional[Tuple[pathspec.PathSpec, Path]]] = {}
        self._real_dirs: Dict[str, str] = {}

    def display(self, path: Path) -> str:
        try:
            rel = os.path.relpath(path, self.cwd)
        except ValueError:  # another drive on Windows
            rel = str(path)
        return _printable(rel.replace(os.sep, "/"))

    def files(self, paths: Sequence[str]) -> Iterator[Candidate]:
        seen: Set[str] = set()
        for given in paths:
            path = Path(given)
            try:
                st = os.stat(path)
            except OSError as exc:
                if not os.path.lexists(path):
                    self.problems.append(f"{given}: no such file or directory")
                elif exc.errno == errno.ELOOP:
                    self.problems.append(f"{given}: symbolic link loop; skipped")
                elif os.path.islink(path) and exc.errno == errno.ENOENT:
                    self.problems.append(f"{given}: broken symbolic link; skipped")
                else:
                    self.problems.append(f"{given}: cannot read: {exc.strerror or exc}")
                continue
            if stat.S_ISREG(st.st_mode):
                key = os.path.realpath(path)
                if key not in seen:
                    seen.add(key)
                    yield Candidate(path, self.display(path), explicit=True)
                continue
            if not stat.S_ISDIR(st.st_mode):
                self.problems.append(f"{given}: not a regular file (a FIFO, socket or device); skipped")
                continue
            for candidate, key in self._tree(path):
                if key not in seen:
                    seen.add(key)
                    yield candidate

    def tree(self, root: Path) -> Iterator[Candidate]:
        for candidate, _ in self._tree(root):
            yield candidate

    def _tree(self, root: Path) -> Iterator[Tuple[Candidate, str]]:
        """Candidates under ``root`` with the key that identifies the file (its real path)."""
        real_root = os.path.realpath(root)
        listing = _git_listing(root)
        if listing is None:
            for path in self.walk(root):
                if format_for(path) is None or self.skipped(path, root):
                    continue
                if path.is_symlink():
                    real = os.path.realpath(path)
                    if not _inside(real, real_root):
                        continue  # a link out of the tree
                else:
                    real = self._real_path(str(path))
                yield Candidate(path, self.display(path)), real
            return
        names, unsure = listing
        root_index = len(self.git_roots)
        self.git_roots.append(root)
        try:
            rel_root = os.path.relpath(root, self.cwd).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            rel_root = None
        folders: Dict[str, Optional[Tuple[Path, Optional[Tuple[pathspec.PathSpec, Path]], str]]] = {}
        for name in names:
            folder_name, _, base = name.rpartition("/")
            if not _is_scanned(base):
                continue
            if folder_name in folders:
                folder = folders[folder_name]
            else:
                folder = folders[folder_name] = self._git_folder(root, folder_name)
            if folder is None:
                continue  # under a folder that is always skipped
            folder_path, excluded, real_folder = folder
            path = folder_path / base
            full = str(path)
            if excluded is not None and excluded[0].match_file(os.path.relpath(full, excluded[1]).replace(os.sep, "/")):
                continue
            is_link = False
            try:
                mode = os.lstat(full).st_mode
                if stat.S_ISLNK(mode):
                    is_link = True
                    mode = os.stat(full).st_mode
                    if not stat.S_ISREG(mode):
                        continue  # a link to a folder
                    real = os.path.realpath(full)
                    if not _inside(real, real_root):
                        continue  # a link out of the tree
                elif stat.S_ISREG(mode):
                    real = os.path.join(real_folder, base)
                else:
                    continue  # a submodule, a FIFO
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    self.problems.append(f"{self.display(path)}: symbolic link loop; skipped")
                continue  # deleted from the work tree, or a broken link
            if rel_root is None:
                display = self.display(path)
            else:
                display = _printable(name if rel_root == "." else posixpath.normpath(f"{rel_root}/{name}"))
            if not is_link and name not in unsure:  # git grep reads a link's target path, not the file
                self.git_origin[full] = root_index
            yield Candidate(path, display), real

    def _git_folder(self, root: Path, folder_name: str):
        """For a folder of a git listing: its Path, the exclude spec governing it and its real
        path; None when it lies under a folder that is always skipped."""
        if folder_name and any(part in ALWAYS_SKIPPED_DIRS for part in folder_name.split("/")):
            return None
        folder_path = root / folder_name if folder_name else root
        return folder_path, self._exclusion(folder_path), self._real_dir(str(folder_path))

    def _exclusion(self, folder: Path):
        """The exclude spec governing a folder and its base, asked once per folder."""
        key = str(folder)
        if key not in self._excluded:
            self._excluded[key] = self.exclude_for(folder)
        return self._excluded[key]

    def _real_path(self, file_path: str) -> str:
        """The real path of a file that is not itself a link: its folder's, resolved once."""
        folder, name = os.path.split(file_path)
        return os.path.join(self._real_dir(folder), name)

    def _real_dir(self, folder: str) -> str:
        """os.path.realpath(folder), from its parent's when it is not a link (one lstat)."""
        real = self._real_dirs.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            if not parent or not name or name in (".", "..") or os.path.islink(folder):
                real = os.path.realpath(folder or ".")
            else:
                real = os.path.join(self._real_dir(parent), name)
            self._real_dirs[folder] = real
        return real

    def skipped(self, path: Path, root: Path) -> bool:
        try:
            rel_parts = path.relative_to(root).parts
        except ValueError:
            rel_parts = path.parts
        if any(part in ALWAYS_SKIPPED_DIRS for part in rel_parts[:-1]):
            return True
        return self._excluded_path(path, path.parent)

    def _excluded_path(self, path: Path, folder: Path) -> bool:
        excluded = self._exclusion(folder)
        if excluded is None:
            return False
        spec, base = excluded
        return spec.match_file(os.path.relpath(path, base).replace(os.sep, "/"))

    def walk(self, root: Path) -> Iterator[Path]:
        """Outside a git work tree: a walk that honours nested .gitignore files itself."""
        visited: Set[str] = set()
        real_root = os.path.realpath(root)
        stack: List[Tuple[Path, Tuple[Tuple[Path, pathspec.PathSpec], ...]]] = [(root, ())]
        while stack:
            folder, ignores = stack.pop()
            real = os.path.realpath(folder)
            if real in visited or not _inside(real, real_root):
                continue  # a loop, or a link out of the tree
            visited.add(real)
            if (folder / "pyvenv.cfg").exists():
                continue  # a virtualenv under another name
            ignores = ignores + _gitignore(folder)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                self.problems.append(f"{self.display(folder)}: cannot list folder: {exc.strerror or exc}")
                continue
            for entry in entries:
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir(follow_symlinks=True)
                    is_file = not is_dir and entry.is_file(follow_symlinks=True)
                except OSError as exc:  # a link loop; a file that vanished
                    if exc.errno == errno.ELOOP and _is_scanned(entry.name):
                        self.problems.append(f"{self.display(path)}: symbolic link loop; skipped")
                    continue
                if _ignored(path, is_dir, ignores):
                    continue
                if is_dir:
                    if entry.name not in ALWAYS_SKIPPED_DIRS:
                        stack.append((path, ignores))
                elif is_file:
                    yield path


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _printable(display: str) -> str:
    """A file name that is not valid UTF-8 (surrogate escapes) shown as ``\\xe9``, so reports
    can always be written."""
    try:
        display.encode("utf-8")
        return display
    except UnicodeEncodeError:
        return display.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@lru_cache(maxsize=1)
def _scanned_name_re() -> "re.Pattern[str]":
    """One regex for every file-name pattern of ``scanners.FORMATS`` (as ``format_for`` matches them)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for _, patterns in FORMATS for p in patterns))


def _is_scanned(name: str) -> bool:
    return _scanned_name_re().match(name) is not None


def _gitignore(folder: Path) -> Tuple[Tuple[Path, pathspec.PathSpec], ...]:
    try:
        with open(folder / ".gitignore", encoding="utf-8", errors="replace") as fh:
            import pathspec

            return ((folder, pathspec.GitIgnoreSpec.from_lines(fh)),)
    except OSError:
        return ()


def _ignored(path: Path, is_dir: bool, ignores: Tuple[Tuple[Path, pathspec.PathSpec], ...]) -> bool:
    for base, spec in ignores:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        if spec.match_file(rel):
            return True
    return False


def _git_listing(root: Path) -> Optional[Tuple[List[str], Set[str]]]:
    """``git ls-files`` names (relative to ``root``, with /), and those marked assume-unchanged
    or skip-worktree; None outside a git work tree."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-v", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names: List[str] = []
    unsure: Set[str] = set()
    for entry in os.fsdecode(result.stdout).split("\0"):
        tag, _, name = entry.partition(" ")
        if not name:
            continue
        names.append(name)
        if tag.islower() or tag == "S":  # assume-unchanged, skip-worktree
            unsure.add(name)
    return names, unsure


_SPEC_CACHE: Dict[Tuple[str, ...], Optional[pathspec.PathSpec]] = {}


def exclude_spec(patterns: Tuple[str, ...]) -> Optional[pathspec.PathSpec]:
    if patterns not in _SPEC_CACHE:
        if patterns:
            import pathspec

            _SPEC_CACHE[patterns] = pathspec.GitIgnoreSpec.from_lines(patterns)
        else:
            _SPEC_CACHE[patterns] = None
    return _SPEC_CACHE[patterns]
