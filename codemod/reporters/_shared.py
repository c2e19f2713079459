"""What several reporters need: severity maps, repository-relative paths, rule lookups,
deadline tiers, baseline states and fingerprints. Standard library only (no LibCST)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Tuple

from codemod import codeowners, deadline
from codemod.ftypes import SAFE, SEVERITY_RANK, UNSAFE, Finding
from codemod.ruledocs import SECTIONS

if TYPE_CHECKING:  # pragma: no cover
    from codemod.catalog import RetiredModel
    from codemod.reporters import Report
    from codemod.ruledocs import RuleDoc

TOOL_NAME = "v4-migrate"
TOOL_URI = "https://github.com/v4-migrate/v4-migrate"

# SARIF has no "notice"; "note" is its lowest level that viewers still show ("none" hides
# the result in GitHub code scanning), so info and notice both become notes.
SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note", "info": "note"}
# GitHub annotations know error, warning and notice.
GITHUB_LEVEL = {"error": "error", "warning": "warning", "notice": "notice", "info": "notice"}
# GitLab Code Quality. "blocker" is kept for ids the API already rejects (see gitlab_severity).
GITLAB_SEVERITY = {"info": "info", "notice": "minor", "warning": "major", "error": "critical"}

# A JUnit test case fails at or above this severity: the default --fail-on.
JUNIT_FAILURE_SEVERITY = "warning"

EDIT_REGIONS_KEY = "edit_regions"  # filled by the engine (codemod.engine.edit_regions)


def plural(count: int, word: str, many: Optional[str] = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


# -- paths --------------------------------------------------------------------------------


def repo_root(report: "Report") -> Path:
    """The root of the repository the run checked (of its first finding's file; of the working
    directory when there is none): the run may have been pointed outside the working directory."""
    if report.findings:
        return codeowners.root_of(report.findings[0].path, report.cwd)
    return codeowners.repository_root(Path(report.cwd))


def repo_path(report: "Report", finding: Finding) -> str:
    """The finding's path relative to the repository root, as GitHub, GitLab and SARIF expect it."""
    return codeowners.repo_relative(finding.path, report.cwd, repo_root(report))


# -- rules --------------------------------------------------------------------------------


def rule_doc(report: "Report", code: str) -> Optional["RuleDoc"]:
    return report.rules.get(code)


def rule_name(report: "Report", code: str) -> str:
    doc = rule_doc(report, code)
    return doc.name if doc else code


def rule_markdown(doc: "RuleDoc") -> str:
    """The rule's documentation as Markdown, one ``##`` heading per section."""
    parts = [f"**{doc.code}** ({doc.name}): {doc.summary}"]
    for key, title in SECTIONS:
        body = doc.sections.get(key, "").strip()
        if body:
            parts.append(f"## {title}\n\n{body}")
    parts.append(f"[Rule documentation]({doc.help_uri})")
    return "\n\n".join(parts) + "\n"


def fix_marker(findings: Iterable[Finding]) -> str:
    """``[*]`` when some finding has a safe fix, ``[-]`` when only unsafe ones, else ``[ ]``."""
    kinds = {f.fix for f in findings}
    if SAFE in kinds:
        return "[*]"
    if UNSAFE in kinds:
        return "[-]"
    return "[ ]"


# -- deadlines ----------------------------------------------------------------------------


def retired_model(report: "Report", finding: Finding) -> Optional["RetiredModel"]:
    """The retired model a finding names, if its ``legacy`` text is a retired id."""
    if not finding.legacy:
        return None
    match = report.catalog.exact(finding.legacy)
    return match.model if match else None


def tier_of(report: "Report", finding: Finding) -> Optional[str]:
    model = retired_model(report, finding)
    return report.catalog.tier(model, report.today) if model else None


def gitlab_severity(report: "Report", finding: Finding) -> str:
    if finding.severity == "error" and tier_of(report, finding) == deadline.RETIRED:
        return "blocker"
    return GITLAB_SEVERITY[finding.severity]


# -- baseline -----------------------------------------------------------------------------


def baseline_state(report: "Report", finding: Finding) -> Optional[str]:
    """SARIF's ``baselineState`` wording: "new" or "unchanged"; None without --baseline."""
    if report.baseline is None:
        return None
    return "new" if report.baseline.is_new(finding) else "unchanged"


def is_known(report: "Report", finding: Finding) -> bool:
    """True for a finding the baseline records: accepted debt, not a failure."""
    return baseline_state(report, finding) == "unchanged"


def fingerprint_by_id(report: "Report") -> Dict[int, str]:
    """The baseline fingerprint of every remaining finding, keyed by ``id(finding)``."""
    from codemod import baseline  # (hashlib): for the machine formats only, not a terminal's text

    remaining = report.remaining
    return {id(f): fp for f, fp in zip(remaining, baseline.fingerprints(remaining))}


# -- grouping -----------------------------------------------------------------------------


def owners_of(report: "Report") -> Optional[Dict[int, List[str]]]:
    """Owners of every remaining finding, keyed by ``id(finding)``; None when the repository
    has no CODEOWNERS file. Uses ``extra["owners"]`` when the CLI already assigned them."""
    remaining = report.remaining
    if not all(codeowners.OWNERS_KEY in f.extra for f in remaining):
        if codeowners.assign(remaining, report.cwd) is None:
            return None
    return {id(f): list(f.extra[codeowners.OWNERS_KEY]) for f in remaining}


NO_OWNER = "(no owner)"


def owner_groups(report: "Report", findings: Sequence[Finding]) -> List[Tuple[str, List[Finding]]]:
    """The findings grouped by their CODEOWNERS owners (a finding of two owners is listed
    under both, together), owners in name order and the unowned last; one group of all when
    the repository has no CODEOWNERS file."""
    owners = owners_of(report)
    if owners is None:
        return [(NO_OWNER, list(findings))]
    groups: Dict[str, List[Finding]] = {}
    for finding in findings:
        groups.setdefault(" ".join(owners.get(id(finding)) or [NO_OWNER]), []).append(finding)
    return sorted(groups.items(), key=lambda item: (item[0] == NO_OWNER, item[0]))


def top_counts(values: Iterable[str], limit: int) -> List[tuple]:
    """The ``limit`` most common values with their counts, ties in name order."""
    return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0]))[:limit]
