"""GitHub Actions workflow commands: one annotation per remaining call site.

``::error file=src/app.py,line=3,col=9,endLine=3,endColumn=24,title=DS001::message``; the
command is error, warning or notice (info findings become notices). Data is escaped as
``@actions/core`` does: ``%``, CR and LF in the message, plus ``:`` and ``,`` in properties;
other control characters are escaped as in every format (``\\x1b``). File names come escaped
already (``\\n``, see ``codemod.discovery``), so none can end a command and start another.
With ``--baseline``, only new call sites are annotated (known ones are accepted debt) and a
final notice reports the progress. At most 10 of each type are written (GitHub's limit per
step); a last notice gives the full count and where the full list is. ``--group-by-owner``
puts each CODEOWNERS owner's annotations in a ``::group::``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, TextIO

from codemod.ftypes import Finding
from codemod.redact import printable
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report


# GitHub shows at most 10 annotations of each type (error, warning, notice) per step, 50 per job:
# the rest would be dropped without a word, so they are left out and the last line counts them.
PER_TYPE, PER_JOB = 10, 50


def escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)  # the other control characters (an escape sequence) as \x1b


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, properties: Dict[str, object]) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(report: "Report", finding: Finding) -> str:
    properties = {
        "file": _shared.repo_path(report, finding),
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": finding.rule,
    }
    return command(_shared.GITHUB_LEVEL[finding.severity], finding.message, properties)


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    shown: Dict[str, int] = {}  # annotations written, per command
    lines: List[str] = []

    def annotate(name: str, text: str) -> None:
        if shown.get(name, 0) < PER_TYPE:
            shown[name] = shown.get(name, 0) + 1
            lines.append(text)

    for error in report.errors:  # first: a run with errors must say so within the cap
        annotate("error", command("error", error, {"title": _shared.TOOL_NAME}))
    new = [f for f in report.remaining if not _shared.is_known(report, f)]
    groups = _shared.owner_groups(report, new) if report.group_by_owner else [("", new)]
    for owner, findings in groups:
        if owner:
            lines.append(f"::group::{escape_data(f'Owner {owner}: {len(findings)} finding(s)')}")
        for finding in findings:
            annotate(_shared.GITHUB_LEVEL[finding.severity], annotation(report, finding))
        if owner:
            lines.append("::endgroup::")
    out.write("".join(line + "\n" for line in lines))
    if new:
        out.write(command("notice", total_line(new, sum(shown.values()) - min(len(report.errors), PER_TYPE)),
                          {"title": f"{_shared.TOOL_NAME} total"}) + "\n")
    if report.baseline is not None:
        out.write(command("notice", report.baseline.progress_line(), {"title": f"{_shared.TOOL_NAME} baseline"}) + "\n")


def total_line(findings: List[Finding], annotated: int) -> str:
    by_level: Dict[str, int] = {}
    for finding in findings:
        level = _shared.GITHUB_LEVEL[finding.severity]
        by_level[level] = by_level.get(level, 0) + 1
    counts = ", ".join(f"{count} {level}{'s' if count != 1 else ''}" for level, count in sorted(by_level.items()))
    shown = "all annotated" if annotated >= len(findings) else (
        f"{annotated} annotated: GitHub shows {PER_TYPE} per type in a step and {PER_JOB} in a job")
    return (f"{len(findings)} finding(s) ({counts}); {shown}. The full list: the job summary "
            '(--format markdown >> "$GITHUB_STEP_SUMMARY") or the SARIF upload')
