"""``--format concise``: one ``path:line:col: CODE [*] message`` line per finding, as Ruff's
concise output, so terminals and editors can jump to each; then the text format's summary."""

from __future__ import annotations

from typing import TextIO

from codemod.reporters import Report
from codemod.reporters import text

FIX_MARKER = {"safe": "[*] ", "unsafe": "[unsafe fix] "}


def render(report: Report, out: TextIO, color: bool = False) -> None:
    if report.mode == "diff":
        text.render(report, out, color)
        return
    lines = []
    for finding in text.shown(report):
        where = f"{text.heading(finding.path)}:{finding.line}:{finding.column}:"
        lines.append([(where, "bold"), (f" {finding.rule} ", "bold red" if finding.severity == "error" else "bold"),
                      (FIX_MARKER.get(finding.fix or "", ""), "green" if finding.fix == "safe" else "magenta"),
                      (finding.message, "")])
    lines += text.fixes(report)
    if not report.quiet:
        lines.append(text.summary(report))
    text.write(lines, out, color)
