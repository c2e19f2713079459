"""Discover the files to check: git-aware (nested .gitignore), config excludes, no symlink out
of the tree, never a loop."""

from __future__ import annotations

import errno
import fnmatch
import os
import posixpath
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from codemod import gitcmd
from codemod.gitcmd import BackgroundCommand
from codemod.redact import printable
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


class Candidate:
    """A file to check. Cheap to make: no Path until one is asked for."""

    __slots__ = ("path_str", "display", "explicit", "folder", "git_root", "git_name", "git_grep_reads", "_path")

    def __init__(self, path, display: str, explicit: bool = False, folder: Optional[str] = None,
                 git_root: Optional[int] = None, git_name: Optional[str] = None, git_grep_reads: bool = False):
        self.path_str: str = os.fspath(path)  # as given or found; may be relative
        self._path: Optional[Path] = path if isinstance(path, Path) else None
        self.display = display  # relative to the working directory, with / separators
        self.explicit = explicit  # named on the command line
        self.folder = folder  # the real path of its folder, when discovery knows it
        # A file of a git listing: the listing (its index in Discovery.git_roots) and the name
        # there; and whether `git grep` reads its work-tree bytes (tracked, and neither
        # assume-unchanged nor skip-worktree: git reads those from the index).
        self.git_root = git_root
        self.git_name = git_name
        self.git_grep_reads = git_grep_reads

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.path_str)
        return self._path

    def __repr__(self) -> str:
        return f"Candidate({self.display!r})"


class Discovery:
    """Yields candidate files under the given paths; ``problems`` collects one-line notes."""

    def __init__(self, exclude_for: Callable[[str], Optional[Tuple[pathspec.PathSpec, str]]], cwd: Optional[Path] = None):
        # The exclude spec of the config governing a folder (given by its real path), and the
        # real folder its patterns are relative to.
        self.exclude_for = exclude_for
        self.cwd = cwd or Path.cwd()
        self.problems: List[str] = []
        # Folders given that git lists (not walked): their files can be prefiltered by `git grep`.
        self._git: List[_GitRoot] = []
        # Tracked regular files of the git work trees, per folder (see ``files``).
        self.git_batches: List[GitBatch] = []
        self._seen: Set[str] = set()  # real paths of the files found so far
        self._listings: Dict[str, BackgroundCommand] = {}  # started early, by folder given
        self._excluded: Dict[str, Optional[Tuple[pathspec.PathSpec, str]]] = {}
        self._real_dirs: Dict[str, str] = {}

    def start_listings(self, folders: Iterable[str]) -> None:
        """Start `git ls-files` in these folders now, to be read when they are discovered."""
        for folder in folders:
            self._listings.setdefault(str(Path(folder)), gitcmd.take(gitcmd.ls_files_command(Path(folder))))

    def stop(self) -> None:
        for command in self._listings.values():
            command.stop()
        self._listings.clear()

    @property
    def git_roots(self) -> List[Path]:
        return [git.path for git in self._git]

    def _git_root(self, root: Path) -> "_GitRoot":
        """The git listing of a folder given, registered once."""
        for git in self._git:
            if git.path == root:
                return git
        git = _GitRoot(self, len(self._git), root)
        self._git.append(git)
        return git

    def root_index(self, root: Path) -> int:
        """The ``Candidate.git_root`` of the files listed under a folder given."""
        return self._git_root(root).index

    def display(self, path: Path) -> str:
        try:
            rel = os.path.relpath(path, self.cwd)
        except ValueError:  # another drive on Windows
            rel = str(path)
        return _printable(rel.replace(os.sep, "/"))

    def files(self, paths: Sequence[str]) -> Iterator[Candidate]:
        """The files to check, once each (by real path). Tracked regular files of a git work
        tree are not made one by one: they are collected in ``git_batches``, per folder, for
        the engine to take the few that `git grep` finds."""
        seen = self._seen
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

    def every_file(self, paths: Sequence[str]) -> Iterator[Candidate]:
        """``files`` and then every file of ``git_batches``."""
        yield from self.files(paths)
        for batch in self.git_batches:
            for base in batch.bases:
                yield self.batch_candidate(batch, base)

    def _tree(self, root: Path) -> Iterator[Tuple[Candidate, str]]:
        """Candidates under ``root`` with the key that identifies the file (its real path)."""
        real_root = os.path.realpath(root)
        listing = _git_listing(root, self._listings.pop(str(root), None))
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
                yield Candidate(path, self.display(path), folder=self._real_dir(str(path.parent))), real
            return
        git = self._git_root(root)
        regular, special = listing
        folder_of = git.folder
        # Tracked regular files, per folder: no lstat (the index gives the mode), no Candidate.
        by_folder: Dict[str, List[str]] = {}
        scanned = _scanned_name_re().match
        for name in regular:
            folder_name, _, base = name.rpartition("/")
            if scanned(base):
                if folder_name in by_folder:
                    by_folder[folder_name].append(base)
                else:
                    by_folder[folder_name] = [base]
        seen = self._seen
        for folder_name, bases in by_folder.items():
            folder = folder_of(folder_name)
            if folder is None:
                continue  # under a folder that is always skipped
            if folder.excluded is not None:
                bases = [b for b in bases if not folder.excluded.match_file(folder.rel_to_exclude_base + b)]
            keys = [folder.real_prefix + b for b in bases]
            if not seen.isdisjoint(keys):  # also given, or found under another path given
                bases = [b for b, key in zip(bases, keys) if key not in seen]
            seen.update(keys)
            if bases:
                self.git_batches.append(GitBatch(git.index, folder_name, folder, bases))
        # The rest (untracked files, links, assume-unchanged entries) one by one, after the
        # regular files, so a link to one of those is not checked twice.
        for name, kind in special:
            folder_name, _, base = name.rpartition("/")
            if not scanned(base):
                continue
            folder = folder_of(folder_name)
            if folder is None or (folder.excluded is not None and folder.excluded.match_file(folder.rel_to_exclude_base + base)):
                continue
            # (an assume-unchanged or skip-worktree entry may be absent: a sparse checkout)
            found = self._checked_entry(folder, base, git.real)
            if found is not None:
                full, real = found
                yield Candidate(full, git.display(folder, base), folder=folder.real, git_root=git.index, git_name=name), real

    def git_found(self, root: Path, names: Iterable[str], again: bool = False) -> List[Candidate]:
        """Candidates, in name order, for the files `git grep` found under ``root`` (a folder
        given, in a git work tree), before its listing is read: each checked as the listing
        would check it (a scanned name, not under a skipped folder, not excluded) and a regular
        file now (a link waits for the listing). None of them is listed again."""
        git = self._git_root(root)
        scanned = _scanned_name_re().match
        found: List[Candidate] = []
        for name in sorted(names):
            folder_name, _, base = name.rpartition("/")
            folder = git.folder(folder_name) if scanned(base) else None
            if folder is None or (folder.excluded is not None and folder.excluded.match_file(folder.rel_to_exclude_base + base)):
                continue
            full, key = folder.prefix + base, folder.real_prefix + base
            try:
                if not stat.S_ISREG(os.lstat(full).st_mode) or (key in self._seen and not again):
                    continue
            except OSError:
                continue
            self._seen.add(key)  # ``again``: files the run may have listed before (a second phase)
            found.append(Candidate(full, git.display(folder, base), folder=folder.real, git_root=git.index, git_name=name, git_grep_reads=True))
        return found

    def deleted(self, root: int) -> Set[str]:
        """The names of the tracked files of a git listing that are gone from the work tree.
        The listing has them (telling them apart costs an lstat per file) and `git grep` skips
        them; only a run that reads the listed files itself asks."""
        result = gitcmd.BackgroundCommand(gitcmd.deleted_command(self._git[root].path)).result(timeout=120)
        if result is None or result[0] != 0:
            return set()  # then such a file is reported as vanished, as one that goes mid-run
        return set(os.fsdecode(result[1]).split("\0"))

    def batch_candidate(self, batch: "GitBatch", base: str) -> Candidate:
        """The Candidate of one file of a batch (`git grep` found a term in it)."""
        git = self._git[batch.root]
        name = f"{batch.folder_name}/{base}" if batch.folder_name else base
        return Candidate(
            batch.folder.prefix + base, git.display(batch.folder, base), folder=batch.folder.real,
            git_root=git.index, git_name=name, git_grep_reads=True,
        )

    def confirm(self, candidate: Candidate) -> bool:
        """For a file of a git listing, about to be read: False when it now lies out of the
        tree, through a link git has not been told of (the file or a folder above it)."""
        if candidate.git_root is None:
            return True
        return _inside(os.path.realpath(candidate.path_str), self._git[candidate.git_root].real)

    def _checked_entry(self, folder: "_GitFolder", base: str, real_root: str) -> Optional[Tuple[str, str]]:
        """(path, real path) of an untracked file or a link, after lstat; None to skip it."""
        full = folder.prefix + base
        try:
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                if not stat.S_ISREG(os.stat(full).st_mode):
                    return None  # a link to a folder
                real = os.path.realpath(full)
                if not _inside(real, real_root):
                    return None  # a link out of the tree
                return full, real
            if stat.S_ISREG(mode):
                return full, folder.real_prefix + base
            return None  # a FIFO, a socket
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.problems.append(f"{self.display(Path(full))}: symbolic link loop; skipped")
            return None  # deleted from the work tree, or a broken link

    def _exclusion(self, real_folder: str) -> Optional[Tuple[pathspec.PathSpec, str]]:
        """The exclude spec governing a folder and its base, asked once per folder."""
        if real_folder not in self._excluded:
            self._excluded[real_folder] = self.exclude_for(real_folder)
        return self._excluded[real_folder]

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
        real_folder = self._real_dir(str(folder))
        excluded = self._exclusion(real_folder)
        if excluded is None:
            return False
        spec, base = excluded
        return spec.match_file(os.path.relpath(os.path.join(real_folder, path.name), base).replace(os.sep, "/"))

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
    can always be written, and one with a line break or another control character escaped
    (``\\n``), so that it cannot forge a line of any output (``::error``)."""
    try:
        display.encode("utf-8")
    except UnicodeEncodeError:
        display = display.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return printable(display)


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


_UNSURE = "unsure"  # tracked, assume-unchanged or skip-worktree: `git grep` reads the index
_UNTRACKED = "untracked"  # not in the index: lstat decides
_LINK = "link"  # a link in the index: lstat decides


class _GitFolder(NamedTuple):
    prefix: str  # the folder's path as discovery builds file paths, with a trailing separator
    real: str
    real_prefix: str
    excluded: Optional[pathspec.PathSpec]
    rel_to_exclude_base: str  # the folder relative to its exclude patterns' base, with "/"
    display_prefix: str


class _GitRoot:
    """A folder given that git lists, and what the files of each of its folders share."""

    def __init__(self, discovery: "Discovery", index: int, path: Path):
        self.discovery = discovery
        self.index = index  # in Discovery.git_roots
        self.path = path
        self.real = os.path.realpath(path)
        try:
            self.rel: Optional[str] = os.path.relpath(path, discovery.cwd).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            self.rel = None
        self._folders: Dict[str, Optional[_GitFolder]] = {}

    def folder(self, folder_name: str) -> Optional[_GitFolder]:
        """A folder of the listing (relative, with /); None when it lies under a folder that
        is always skipped."""
        if folder_name not in self._folders:
            self._folders[folder_name] = self._folder(folder_name)
        return self._folders[folder_name]

    def _folder(self, folder_name: str) -> Optional[_GitFolder]:
        if folder_name and any(part in ALWAYS_SKIPPED_DIRS for part in folder_name.split("/")):
            return None
        root = str(self.path)
        native = folder_name.replace("/", os.sep)
        folder_path = (native if root == "." else os.path.join(root, native)) if folder_name else root
        # git lists no file below a linked folder, so the real path is the root's plus the name
        # (a folder that became a link since is caught by Discovery.confirm)
        real = os.path.join(self.real, native) if folder_name else self.real
        excluded = self.discovery._exclusion(real)
        rel = ""
        if excluded is not None:
            rel = os.path.relpath(real, excluded[1]).replace(os.sep, "/")
            rel = "" if rel == "." else rel + "/"
        display = ""
        if self.rel is not None:
            display = posixpath.normpath(f"{self.rel}/{folder_name}" if folder_name else self.rel)
            display = "" if display == "." else display + "/"
        return _GitFolder(
            prefix="" if folder_path == "." else folder_path + os.sep,
            real=real,
            real_prefix=real.rstrip(os.sep) + os.sep,
            excluded=excluded[0] if excluded is not None else None,
            rel_to_exclude_base=rel,
            display_prefix=display,
        )

    def display(self, folder: _GitFolder, base: str) -> str:
        if self.rel is None:
            return self.discovery.display(Path(folder.prefix + base))
        return _printable(folder.display_prefix + base)


class GitBatch(NamedTuple):
    """Tracked regular files of one folder of a git listing, to be checked if `git grep` finds
    a term in them (it reads their work-tree bytes)."""

    root: int  # index in Discovery.git_roots
    folder_name: str  # relative to the root, with /
    folder: _GitFolder
    bases: List[str]  # file names


def _git_listing(root: Path, command: Optional[BackgroundCommand] = None) -> Optional[Tuple[List[str], List[Tuple[str, str]]]]:
    """``git ls-files`` names (relative to ``root``, with /): the tracked regular files (some
    may be gone from the work tree, see Discovery.deleted), and the other entries with their
    kind; None outside a git work tree. The index gives each tracked entry's mode, so no file
    needs an lstat here. ``command``: the listing, started earlier."""
    result = (command or gitcmd.take(gitcmd.ls_files_command(root))).result(timeout=120)
    if result is None or result[0] != 0:
        return None
    regular: List[str] = []
    special: List[Tuple[str, str]] = []
    last = ""
    for entry in os.fsdecode(result[1]).split("\0"):
        # "<tag> <mode> <object> <stage>\t<name>", or "? <name>" for an untracked file
        if entry[:2] == "H " and entry[2:8] in ("100644", "100755"):
            name = entry[entry.index("\t") + 1 :]
            regular.append(name)
            last = name
        elif entry.startswith("? "):
            special.append((entry[2:], _UNTRACKED))
        elif "\t" in entry:
            info, _, name = entry.partition("\t")
            tag, _, mode = info.partition(" ")
            if mode.startswith("160000") or name == last or (special and special[-1][0] == name):
                continue  # a submodule; another stage of a conflicted entry
            last = name
            if mode.startswith("120000"):
                special.append((name, _LINK))
            elif tag.islower() or tag == "S":  # assume-unchanged, skip-worktree
                special.append((name, _UNSURE))
            else:
                regular.append(name)
    return regular, special


_SPEC_CACHE: Dict[Tuple[str, ...], Optional[pathspec.PathSpec]] = {}


def exclude_spec(patterns: Tuple[str, ...]) -> Optional[pathspec.PathSpec]:
    if patterns not in _SPEC_CACHE:
        if patterns:
            import pathspec

            _SPEC_CACHE[patterns] = pathspec.GitIgnoreSpec.from_lines(patterns)
        else:
            _SPEC_CACHE[patterns] = None
    return _SPEC_CACHE[patterns]
