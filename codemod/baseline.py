"""The ratchet: ``--baseline FILE`` fails only on call sites that are not in FILE, and
``--write-baseline FILE`` records the current ones.

A finding's fingerprint hashes its rule, path, retired id and whitespace-normalized source line,
plus its occurrence index among findings that share all four. Line numbers stay out, so lines
inserted or removed elsewhere in a file keep every fingerprint valid.

The CLI's part::

    baseline = load(path)                      # BaselineError: exit 2
    outcome = compare(remaining_findings, baseline, scope_of(paths, cwd))
    outcome.new                                # only these count against --fail-on
    outcome.progress_line()                    # "12 of 40 call sites migrated; ..."
    if rewrite_if_shrunk(path, outcome):       # fewer call sites, none new
        exit(EXIT_BASELINE_SHRANK)             # 3, as detect-secrets does

    write(path, remaining_findings)            # --write-baseline

A baseline never grows by itself: ``compare`` never adds entries, and ``rewrite_if_shrunk``
only ever drops entries whose call sites are gone. Only ``--write-baseline`` adds.

Paths are the findings' paths, relative to the working directory, so run v4-migrate from the
same folder (the repository root) when writing and when checking a baseline.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

from codemod import __version__
from codemod.ftypes import Finding

FORMAT_VERSION = 1
FINGERPRINT_LENGTH = 32  # hex digits of the sha256: 128 bits
EXIT_BASELINE_SHRANK = 3

_WHITESPACE = re.compile(r"\s+")


class BaselineError(ValueError):
    """A baseline file that is missing, unreadable or not a v4-migrate baseline."""


# -- fingerprints ---------------------------------------------------------------------------


def _identity(finding: Finding) -> Tuple[str, str, str, str]:
    """What two findings must share to be the same call site, line number aside."""
    snippet = _WHITESPACE.sub(" ", finding.snippet).strip()
    return (finding.rule, finding.path, finding.legacy or "", snippet)


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """The fingerprint of ``finding``, the ``occurrence``-th (0-based, in file order) finding
    with its rule, path, retired id and normalized source line."""
    payload = "\0".join(_identity(finding) + (str(occurrence),))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_LENGTH]


def fingerprints(findings: Sequence[Finding]) -> List[str]:
    """One fingerprint per finding, in the given order (sorted by path, line, column)."""
    seen: Counter = Counter()
    result = []
    for finding in findings:
        key = _identity(finding)
        result.append(fingerprint(finding, seen[key]))
        seen[key] += 1
    return result


# -- the baseline file ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One recorded call site. The retired id itself is deliberately not stored: a baseline
    file holding `deepseek-chat` would be flagged by v4-migrate (and block its own commit)."""

    rule: str
    path: str
    fingerprint: str

    def to_dict(self) -> Dict[str, str]:
        return {"rule": self.rule, "path": self.path, "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class Baseline:
    entries: Tuple[Entry, ...]
    tool_version: str = ""

    def __len__(self) -> int:
        return len(self.entries)


def entries_for(findings: Sequence[Finding]) -> List[Entry]:
    remaining = [f for f in findings if not f.fixed]
    entries = [
        Entry(rule=f.rule, path=f.path, fingerprint=fp)
        for f, fp in zip(remaining, fingerprints(remaining))
    ]
    return sorted(entries, key=lambda e: (e.path, e.rule, e.fingerprint))


def dumps(entries: Iterable[Entry]) -> str:
    """The file's text: sorted entries and keys, so that it diffs well under version control."""
    data = {
        "version": FORMAT_VERSION,
        "tool": "v4-migrate",
        "tool_version": __version__,
        "findings": [e.to_dict() for e in sorted(entries, key=lambda e: (e.path, e.rule, e.fingerprint))],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, findings: Sequence[Finding]) -> int:
    """Record the findings that remain (fixed ones are skipped); returns how many."""
    entries = entries_for(findings)
    _write_text(Path(path), dumps(entries))
    return len(entries)


def _write_text(path: Path, text: str) -> None:
    """Atomically, like a fixed source file: on a full disk the previous baseline stays whole."""
    from codemod.applier import write_text_atomic

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None


def load(path: Path) -> Baseline:
    """Read a baseline file. Raises BaselineError when it is missing or malformed."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline; create it with --write-baseline {path}") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a JSON baseline: {exc}") from None
    return Baseline(entries=_parse_entries(path, data), tool_version=str(data.get("tool_version", "")))


def _parse_entries(path: Path, data: object) -> Tuple[Entry, ...]:
    if not isinstance(data, dict) or data.get("tool") != "v4-migrate" or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a v4-migrate baseline")
    if data.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: baseline format version {data.get('version')!r} is not supported "
            f"(expected {FORMAT_VERSION}); recreate it with --write-baseline"
        )
    entries = []
    for item in data["findings"]:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("rule", "path", "fingerprint")):
            raise BaselineError(f"{path}: malformed baseline entry {item!r}")
        entries.append(Entry(item["rule"], item["path"], item["fingerprint"]))
    return tuple(entries)


# -- comparing ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """The current findings measured against a baseline.

    ``new``: findings not in the baseline (these fail a run); ``known``: findings it records;
    ``gone_count``: entries in scope with no current finding, i.e. migrated call sites;
    ``out_of_scope``: entries for files this run did not cover (pre-commit passes only the
    staged files), neither gone nor dropped when the file is rewritten."""

    new: List[Finding]
    known: List[Finding]
    gone_count: int
    baseline_total: int
    out_of_scope: Tuple[Entry, ...] = ()
    _new_ids: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._new_ids = frozenset(id(f) for f in self.new)

    def is_new(self, finding: Finding) -> bool:
        return id(finding) in self._new_ids

    @property
    def shrank(self) -> bool:
        """True when call sites were migrated and none were added: the baseline can shrink."""
        return self.gone_count > 0 and not self.new

    @property
    def remaining_count(self) -> int:
        return self.baseline_total - self.gone_count

    def to_dict(self) -> Dict[str, object]:
        """Counts for ``--format json``."""
        return {
            "baseline_total": self.baseline_total,
            "gone": self.gone_count,
            "known": len(self.known),
            "new": len(self.new),
            "progress": self.progress_line(),
        }

    def progress_line(self) -> str:
        """For example ``12 of 40 call sites migrated; 28 remain, 2 new``."""
        line = f"{self.gone_count} of {self.baseline_total} call site{_s(self.baseline_total)} migrated"
        line += f"; {self.remaining_count} remain"
        if self.new:
            line += f", {len(self.new)} new"
        return line


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def scope_of(paths: Iterable[str], cwd: Path) -> Tuple[str, ...]:
    """The paths a run covered (as given on the command line), relative to ``cwd`` like the
    findings' paths; "." means everything."""
    scope = []
    for given in paths:
        relative = os.path.relpath(os.path.join(os.path.abspath(cwd), given), os.path.abspath(cwd))
        scope.append(relative.replace(os.sep, "/"))
    return tuple(scope) or (".",)


def in_scope(path: str, scope: Sequence[str]) -> bool:
    return any(s == "." or path == s or path.startswith(s.rstrip("/") + "/") for s in scope)


def compare(findings: Sequence[Finding], baseline: Baseline, scope: Sequence[str] = (".",)) -> Outcome:
    """Split the findings that remain (``fixed`` ones are skipped) into new and known.

    Each baseline entry vouches for at most one finding, so a second copy of a known line
    is new. Entries outside ``scope`` (see ``scope_of``) are kept aside, never counted as gone."""
    remaining = [f for f in findings if not f.fixed]
    covered = [e for e in baseline.entries if in_scope(e.path, scope)]
    budget = Counter((e.rule, e.path, e.fingerprint) for e in covered)
    new, known = [], []
    for finding, fp in zip(remaining, fingerprints(remaining)):
        key = (finding.rule, finding.path, fp)
        if budget[key] > 0:
            budget[key] -= 1
            known.append(finding)
        else:
            new.append(finding)
    return Outcome(
        new=new,
        known=known,
        gone_count=len(covered) - len(known),
        baseline_total=len(baseline),
        out_of_scope=tuple(e for e in baseline.entries if not in_scope(e.path, scope)),
    )


def rewrite_if_shrunk(path: Path, outcome: Outcome) -> bool:
    """Rewrite the baseline without its migrated call sites, when some are gone and none are
    new; entries out of the run's scope stay. Returns True if the file was rewritten: the CLI
    then exits with ``EXIT_BASELINE_SHRANK`` (3) so that a pre-commit hook or CI job shows
    the updated file."""
    if not outcome.shrank:
        return False
    _write_text(Path(path), dumps(entries_for(outcome.known) + list(outcome.out_of_scope)))
    return True
