"""Who owns a call site, read from a CODEOWNERS file with GitHub's rules.

GitHub reads the first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and ``docs/CODEOWNERS``;
patterns follow gitignore, the last matching line wins, and a line with no owners leaves its
paths unowned. Unlike gitignore, ``docs/*`` matches only files directly in ``docs/``, and
``!`` negation does not exist (such lines are skipped, as GitHub ignores them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from posixpath import dirname
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from codemod.ftypes import Finding

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
OWNERS_KEY = "owners"  # the Finding.extra key that assign() fills

Matcher = Callable[[str], bool]


def _pattern_class():
    # pathspec >= 0.12 deprecates GitWildMatchPattern in favour of GitIgnoreSpecPattern.
    try:
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

        return GitIgnoreSpecPattern
    except ImportError:  # pragma: no cover - older pathspec
        from pathspec.patterns import GitWildMatchPattern

        return GitWildMatchPattern


def _matcher(pattern: str) -> Matcher:
    compiled = _pattern_class()(pattern)
    if pattern.endswith("/*"):
        # GitHub: `docs/*` owns docs/a.md but not docs/sub/b.md, although gitignore would
        # match the folder docs/sub and so everything in it.
        def direct_children_only(path: str) -> bool:
            return bool(compiled.match_file(path)) and not compiled.match_file(dirname(path))

        return direct_children_only
    return lambda path: bool(compiled.match_file(path))


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: Tuple[str, ...]
    matches: Matcher


def parse(text: str, problems: Optional[List[str]] = None, source: str = "CODEOWNERS") -> List[Rule]:
    """The rules of a CODEOWNERS text. A line whose pattern is invalid (``foo\\``) is skipped,
    as GitHub skips it, with one line in ``problems``."""
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("!"):
            continue
        pattern, owners = _split_line(line)
        try:
            rules.append(Rule(pattern, owners, _matcher(pattern)))
        except ValueError as exc:  # pathspec's GitIgnorePatternError
            if problems is not None:
                problems.append(f"{source}:{number}: invalid pattern, line ignored ({_plain(str(exc))})")
    return rules


def _plain(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def _split_line(line: str) -> Tuple[str, Tuple[str, ...]]:
    """The pattern (``\\ `` and ``\\#`` escapes kept for the matcher) and the owners up to an
    inline ``#`` comment."""
    pattern_end = 0
    while pattern_end < len(line) and not line[pattern_end].isspace():
        pattern_end += 2 if line[pattern_end] == "\\" else 1
    owners: List[str] = []
    for token in line[pattern_end:].split():
        if token.startswith("#"):
            break
        owners.append(token)
    return line[:pattern_end], tuple(owners)


class CodeOwners:
    def __init__(self, rules: Sequence[Rule], source: Path, problems: Sequence[str] = ()):
        self.rules = list(rules)
        self.source = source
        self.problems = list(problems)  # one line per line of the file that was skipped

    def owners_for(self, path: str) -> List[str]:
        """Owners of ``path`` (relative to the repository root, ``/``-separated); [] if none."""
        path = path.lstrip("/")
        for rule in reversed(self.rules):
            if rule.matches(path):
                return list(rule.owners)
        return []


def find(root: Path) -> Optional[Path]:
    for location in LOCATIONS:
        candidate = Path(root) / location
        if candidate.is_file():
            return candidate
    return None


def load(root: Path) -> Optional[CodeOwners]:
    """The CODEOWNERS file GitHub would use for a repository rooted at ``root``, or None."""
    source = find(root)
    if source is None:
        return None
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    problems: List[str] = []
    rules = parse(text, problems, _shown_path(source))
    return CodeOwners(rules, source, problems)


def _shown_path(source: Path) -> str:
    try:
        return os.path.relpath(source).replace(os.sep, "/")
    except ValueError:  # another drive
        return str(source)


@lru_cache(maxsize=32)
def repository_root(start: Path) -> Path:
    """The closest folder at or above ``start`` holding ``.git``; ``start`` if there is none."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


@lru_cache(maxsize=4096)
def _git_root_of_folder(folder: str) -> Optional[Path]:
    for candidate in (Path(folder), *Path(folder).parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def root_of(path: str, cwd: Path) -> Path:
    """The repository root of a finding's file (its path relative to ``cwd``): the run may have
    been pointed at a repository outside the working directory. Outside any repository, that
    of ``cwd`` (``cwd`` itself when there is none)."""
    folder = os.path.dirname(os.path.normpath(os.path.join(os.path.abspath(cwd), path)))
    return _git_root_of_folder(folder) or repository_root(Path(cwd))


def repo_relative(path: str, cwd: Path, root: Optional[Path] = None) -> str:
    """A finding's path (relative to ``cwd``) made relative to its repository's root (or ``root``)."""
    absolute = os.path.normpath(os.path.join(os.path.abspath(cwd), path))
    return os.path.relpath(absolute, root or root_of(path, cwd)).replace(os.sep, "/")


def assign(findings: Iterable[Finding], cwd: Path) -> Optional[CodeOwners]:
    """Set ``finding.extra["owners"]`` (a list, [] when unowned) on every finding, from the
    CODEOWNERS of the repository holding ``cwd``. Returns None, and sets nothing, when the
    repository has no CODEOWNERS file."""
    findings = list(findings)
    owners = load(root_of(findings[0].path, cwd) if findings else repository_root(Path(cwd)))
    if owners is None:
        return None
    for finding in findings:
        finding.extra[OWNERS_KEY] = owners.owners_for(repo_relative(finding.path, cwd))
    return owners
