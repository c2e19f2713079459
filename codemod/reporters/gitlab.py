"""GitLab Code Quality (a Code Climate subset): a JSON list, one issue per remaining call site.

Severity: info -> info, notice -> minor, warning -> major, error -> critical, and blocker for
an id the API already rejects (its retirement date has passed). Paths are relative to the
repository root. The fingerprint is the ``--baseline`` one, so GitLab's merge-request diff
follows a call site across unrelated edits. Known baseline entries are still listed:
GitLab does its own comparison against the target branch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, TextIO

from codemod.ftypes import Finding
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    out.write(json.dumps(build(report), indent=2, ensure_ascii=False) + "\n")


def build(report: "Report") -> List[Dict[str, Any]]:
    fingerprints = _shared.fingerprint_by_id(report)
    return [_issue(report, f, fingerprints[id(f)]) for f in report.remaining]


def _issue(report: "Report", finding: Finding, fingerprint: str) -> Dict[str, Any]:
    return {
        "type": "issue",
        "description": f"{finding.rule} {_shared.rule_name(report, finding.rule)}: {finding.message}",
        "check_name": finding.rule,
        "categories": ["Compatibility"],
        "fingerprint": fingerprint,
        "severity": _shared.gitlab_severity(report, finding),
        "location": {"path": _shared.repo_path(report, finding), "lines": {"begin": finding.line}},
    }
