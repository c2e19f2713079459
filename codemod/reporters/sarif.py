"""SARIF 2.1.0, as GitHub code scanning (``github/codeql-action/upload-sarif``) reads it.

* Levels: error -> error, warning -> warning, notice and info -> note (``none`` would hide
  the result in code scanning).
* Locations are relative to the repository root under ``uriBaseId: %SRCROOT%``, and
  ``originalUriBaseIds`` says where that root was. Columns count characters
  (``columnKind: unicodeCodePoints``); end columns are exclusive, as SARIF wants.
* ``partialFingerprints["v4MigrateFingerprint/v1"]`` is the ``--baseline`` fingerprint, so an
  alert survives lines inserted above it.
* A fixable finding carries ``fixes`` built from ``finding.extra["edit_regions"]``, which the
  engine fills (``codemod.engine.edit_regions``); without it there is nothing to build them from.
* At most 25,000 results (GitHub's limit per run): beyond it the run's notifications and stderr
  say how many there were. ``automationDetails.id`` is the category, ``v4-migrate/``; each rule
  has ``defaultConfiguration.level`` and ``properties["problem.severity"]`` from its findings.
  A fix whose inserted text holds something ``codemod.redact`` would mask (it rewrites source
  around the id: a notebook line, a call) is left out: masked, it would write ``<redacted>``.
* With ``--baseline``, every remaining finding is listed with ``baselineState`` "new" or
  "unchanged": leaving known ones out would close their alerts as if fixed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TextIO
from urllib.parse import quote

from codemod import __version__, redact
from codemod.ftypes import SEVERITY_RANK, Finding
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report
    from codemod.ruledocs import RuleDoc

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning's limit of results per run
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}  # GitHub's rule severities
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "v4MigrateFingerprint/v1"


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    out.write(json.dumps(build(report), indent=2, ensure_ascii=False) + "\n")


def build(report: "Report") -> Dict[str, Any]:
    rule_ids = sorted(report.rules)
    rule_index = {code: index for index, code in enumerate(rule_ids)}
    fingerprints = _shared.fingerprint_by_id(report)
    remaining = report.remaining
    if len(remaining) > MAX_RESULTS:
        report.warnings.append(f"SARIF: {len(remaining)} results, the first {MAX_RESULTS} listed "
                               "(GitHub code scanning takes at most 25,000 per run); --baseline keeps a run under it")
    results = [_result(report, f, rule_index, fingerprints[id(f)]) for f in remaining[:MAX_RESULTS]]
    levels = _levels(remaining)
    run: Dict[str, Any] = {
        "tool": {
            "driver": {
                "name": _shared.TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": _shared.TOOL_URI,
                "rules": [_rule(report.rules[code], levels.get(code, "warning")) for code in rule_ids],
            }
        },
        "automationDetails": {"id": f"{_shared.TOOL_NAME}/"},  # the category GitHub keeps this tool's alerts under
        "originalUriBaseIds": {SRCROOT: {"uri": _shared.repo_root(report).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [_invocation(report)],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _levels(findings: List[Finding]) -> Dict[str, str]:
    """Each rule's SARIF level in this run: that of its most severe finding."""
    levels: Dict[str, str] = {}
    for finding in sorted(findings, key=lambda f: SEVERITY_RANK[f.severity]):
        levels[finding.rule] = _shared.SARIF_LEVEL[finding.severity]
    return levels


def _rule(doc: "RuleDoc", level: str) -> Dict[str, Any]:
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": (doc.sections.get("what") or doc.summary).strip()},
        "help": {"text": doc.explain(), "markdown": _shared.rule_markdown(doc)},
        "helpUri": doc.help_uri,
        "defaultConfiguration": {"enabled": doc.default, "level": level},
        "properties": {"tags": ["migration", "deepseek"], "precision": "very-high", "fix": doc.fix,
                       "problem.severity": PROBLEM_SEVERITY[level]},
    }


def _artifact(report: "Report", finding: Finding) -> Dict[str, Any]:
    return {"uri": quote(_shared.repo_path(report, finding), safe="/"), "uriBaseId": SRCROOT}


def _region(finding: Finding) -> Dict[str, int]:
    return {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
    }


def _result(report: "Report", finding: Finding, rule_index: Dict[str, int], fingerprint: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _shared.SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(report, finding), "region": _region(finding)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": _properties(finding),
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    state = _shared.baseline_state(report, finding)
    if state:
        result["baselineState"] = state
    fix = _fix(report, finding)
    if fix:
        result["fixes"] = [fix]
    return result


def _properties(finding: Finding) -> Dict[str, Any]:
    props: Dict[str, Any] = {"severity": finding.severity}
    for key in ("legacy", "replacement", "fix"):
        value = getattr(finding, key)
        if value is not None:
            props[key] = value
    if "cell" in finding.extra:
        props["cell"] = finding.extra["cell"]
    if "owners" in finding.extra:
        props["owners"] = finding.extra["owners"]
    return props


def _fix(report: "Report", finding: Finding) -> Optional[Dict[str, Any]]:
    regions = finding.extra.get(_shared.EDIT_REGIONS_KEY)
    if not finding.fix or not regions:
        return None
    if any(redact.redact_text(region["insertedText"]) != region["insertedText"] for region in regions):
        return None  # a fix that rewrites source around the id could carry a secret; one masked would be wrong
    replacements: List[Dict[str, Any]] = [
        {
            "deletedRegion": {key: region[key] for key in ("startLine", "startColumn", "endLine", "endColumn")},
            "insertedContent": {"text": region["insertedText"]},
        }
        for region in regions
    ]
    what = f"Replace `{finding.legacy}` with `{finding.replacement}`" if finding.legacy and finding.replacement else "Apply the fix"
    safety = "" if finding.fix == "safe" else " (unsafe: needs --unsafe-fixes)"
    return {
        "description": {"text": what + safety},
        "artifactChanges": [{"artifactLocation": _artifact(report, finding), "replacements": replacements}],
    }


def _invocation(report: "Report") -> Dict[str, Any]:
    # A run with errors (a file or a config not read) is not a successful one: its results
    # may be incomplete, and an upload must not close the alerts it could not see.
    invocation: Dict[str, Any] = {"executionSuccessful": not report.errors}
    notifications = [{"level": "error", "message": {"text": error}} for error in report.errors]
    notifications += [{"level": "warning", "message": {"text": warning}} for warning in report.warnings]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation
