"""Discover the files to check: git-aware (nested .gitignore), config excludes, no symlink out
of the tree, never a loop."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import pathspec

from codemod.scanners import format_for

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

    def display(self, path: Path) -> str:
        try:
            rel = os.path.relpath(path, self.cwd)
        except ValueError:  # another drive on Windows
            rel = str(path)
        return rel.replace(os.sep, "/")

    def files(self, paths: Sequence[str]) -> Iterator[Candidate]:
        seen: Set[str] = set()
        for given in paths:
            path = Path(given)
            if not os.path.lexists(path):
                self.problems.append(f"{given}: no such file or directory")
                continue
            if path.is_file():
                key = os.path.realpath(path)
                if key not in seen:
                    seen.add(key)
                    yield Candidate(path, self.display(path), explicit=True)
                continue
            for candidate in self.tree(path):
                key = os.path.realpath(candidate.path)
                if key not in seen:
                    seen.add(key)
                    yield candidate

    def tree(self, root: Path) -> Iterator[Candidate]:
        listed = git_listed_files(root)
        source = listed if listed is not None else self.walk(root)
        real_root = os.path.realpath(root)
        for path in source:
            if format_for(path) is None or self.skipped(path, root):
                continue
            if path.is_symlink() and not _inside(os.path.realpath(path), real_root):
                continue  # a link out of the tree
            yield Candidate(path, self.display(path))

    def skipped(self, path: Path, root: Path) -> bool:
        try:
            rel_parts = path.relative_to(root).parts
        except ValueError:
            rel_parts = path.parts
        if any(part in ALWAYS_SKIPPED_DIRS for part in rel_parts[:-1]):
            return True
        excluded = self.exclude_for(path.parent)
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
                is_dir = entry.is_dir(follow_symlinks=True)
                if _ignored(path, is_dir, ignores):
                    continue
                if is_dir:
                    if entry.name not in ALWAYS_SKIPPED_DIRS:
                        stack.append((path, ignores))
                elif entry.is_file(follow_symlinks=True):
                    yield path


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _gitignore(folder: Path) -> Tuple[Tuple[Path, pathspec.PathSpec], ...]:
    try:
        with open(folder / ".gitignore", encoding="utf-8", errors="replace") as fh:
            return ((folder, pathspec.GitIgnoreSpec.from_lines(fh)),)
    except OSError:
        return ()


def _ignored(path: Path, is_dir: bool, ignores: Tuple[Tuple[Path, pathspec.PathSpec], ...]) -> bool:
    for base, spec in ignores:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        if spec.match_file(rel):
            return True
    return False


def git_listed_files(root: Path) -> Optional[List[Path]]:
    """Tracked and untracked-but-not-ignored files under ``root``, or None outside git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    files = []
    for name in names:
        if not name:
            continue
        path = root / name
        if path.is_file():  # skips deleted files, submodules and links to folders
            files.append(path)
    return files


_SPEC_CACHE: Dict[Tuple[str, ...], Optional[pathspec.PathSpec]] = {}


def exclude_spec(patterns: Tuple[str, ...]) -> Optional[pathspec.PathSpec]:
    if patterns not in _SPEC_CACHE:
        _SPEC_CACHE[patterns] = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None
    return _SPEC_CACHE[patterns]
