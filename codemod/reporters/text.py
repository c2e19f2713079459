"""``--format text``: findings grouped by file, the line shown, the replacement suggested, and a
summary. Colour (rich) only on a TTY without NO_COLOR; plain text otherwise, without importing rich."""

from __future__ import annotations

from itertools import groupby
from typing import List, TextIO, Tuple

from codemod.ftypes import Finding
from codemod.redact import printable
from codemod.reporters import Report

Segment = Tuple[str, str]  # (text, rich style)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "notice": "cyan", "info": "dim"}


def render(report: Report, out: TextIO, color: bool = False) -> None:
    lines: List[List[Segment]] = []
    if report.mode == "diff":
        for diff in report.diffs:
            lines += [[(line, _diff_style(line))] for line in diff.splitlines()]
    else:
        shown = report.remaining
        if report.baseline is not None:  # known findings are the baseline's business
            shown = [f for f in shown if report.baseline.is_new(f)]
        for path, findings in groupby(shown, key=lambda f: f.path):
            lines.append([(_heading(path), "bold underline")])
            for finding in findings:
                lines += _finding_lines(finding)
            lines.append([])
    if not report.quiet:
        lines.append(_summary(report))
    _write(lines, out, color)


def _heading(path: str) -> str:
    """A file's heading line; a name that starts with `::` would be a GitHub Actions workflow
    command on a line of its own (the runner reads every line of a step's output)."""
    return f"./{path}" if path.lstrip().startswith("::") else path


def _diff_style(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "bold"
    return {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")


def _finding_lines(finding: Finding) -> List[List[Segment]]:
    where = f"  {finding.line}:{finding.column}"
    if "cell" in finding.extra:
        where += f" (cell {finding.extra['cell']}, line {finding.extra.get('cell_line')})"
    marker = {"safe": " [*]", "unsafe": " [unsafe fix]"}.get(finding.fix or "", "")
    lines = [[
        (f"{where}  ", "dim"),
        (f"{finding.rule} ", "bold"),
        (f"{finding.severity:<7} ", SEVERITY_STYLE.get(finding.severity, "")),
        (finding.message, ""),
        (marker, "green" if finding.fix == "safe" else "magenta"),
    ]]
    if finding.snippet:
        lines.append([(f"      {finding.line} | ", "blue"), (finding.snippet, "")])
    if finding.replacement and finding.fix:
        lines.append([("      -> ", "green"), (finding.replacement, "green")])
    return lines


def _summary(report: Report) -> List[Segment]:
    remaining = report.remaining
    if report.mode == "diff":
        return [(f"Would fix findings in {len(report.diffs)} file(s); run with --fix to apply." if report.diffs else "No fixes to apply.", "bold")]
    if not remaining:
        done = f" ({report.fixes_applied} fixed)" if report.fixes_applied else ""
        return [(f"All checks passed{done}: {report.files_scanned} file(s) checked.", "bold green")]
    files = len({f.path for f in remaining})
    safe = sum(1 for f in remaining if f.fix == "safe")
    unsafe = sum(1 for f in remaining if f.fix == "unsafe")
    text = f"Found {len(remaining)} finding(s) in {files} file(s) of {report.files_scanned} checked"
    if report.fixes_applied:
        text += f"; {report.fixes_applied} fixed"
    fixable = []
    if safe:
        fixable.append(f"{safe} fixable with --fix")
    if unsafe:
        fixable.append(f"{unsafe} more with --unsafe-fixes")
    if fixable:
        text += " (" + ", ".join(fixable) + ")"
    if report.baseline is not None:
        text += f". {report.baseline.progress_line()}"
    return [(text + ".", "bold")]


def _write(lines: List[List[Segment]], out: TextIO, color: bool) -> None:
    # Paths, snippets and diffs are printable already; this holds for messages and whatever else
    # a line is made of: a line break or an escape sequence would forge or restyle a line.
    lines = [[(printable(text), style) for text, style in line] for line in lines]
    if not color:
        out.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True)
    for line in lines:
        console.print(Text.assemble(*line))
