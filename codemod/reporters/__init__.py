"""One reporter module per output format. Each defines ``render(report, out, color)``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TextIO

from codemod import redact
from codemod.ftypes import SEVERITY_RANK, Finding

if TYPE_CHECKING:  # pragma: no cover
    from codemod.catalog import Catalog
    from codemod.ruledocs import RuleDoc

FORMATS = ("text", "concise", "json", "sarif", "github", "markdown", "junit", "gitlab")


@dataclass
class Report:
    findings: List[Finding]  # sorted by path, line, column; fixed ones carry fixed=True
    files_scanned: int
    errors: List[str]  # one line each
    today: date
    catalog: "Catalog"
    rules: Dict[str, "RuleDoc"]
    cwd: Path
    mode: str = "check"  # "check", "fix" or "diff"
    fixes_applied: int = 0
    files_changed: int = 0
    diffs: List[str] = field(default_factory=list)
    baseline: Optional[Any] = None  # codemod.baseline outcome, when --baseline is given
    group_by_owner: bool = False
    quiet: bool = False  # text: findings only, no summary
    show_fixes: bool = False  # text, concise: list the fixes applied or available, per file
    format: str = "text"  # the --format asked for (--statistics prints JSON for json)
    warnings: List[str] = field(default_factory=list)  # one line each: config files not read

    @property
    def remaining(self) -> List[Finding]:
        return [f for f in self.findings if not f.fixed]

    def counts_by_severity(self) -> Dict[str, int]:
        counts = {name: 0 for name in SEVERITY_RANK}
        for finding in self.remaining:
            counts[finding.severity] += 1
        return counts

    def summary(self) -> Dict[str, Any]:
        return {
            "findings": len(self.remaining),
            "fixed": self.fixes_applied,
            "files_scanned": self.files_scanned,
            "files_changed": self.files_changed,
            "errors": len(self.errors),
            "by_severity": self.counts_by_severity(),
        }


def render(fmt: str, report: Report, out: TextIO, color: bool = False) -> None:
    # Error lines name files and may quote them: one line each, no credential, in every format
    # (and on stderr, which prints them after the report).
    report.errors[:] = map(redact.error_line, report.errors)
    module = importlib.import_module(f"codemod.reporters.{fmt}")
    module.render(report, out, color)
