"""``--format text``: findings grouped by file, the line shown, the replacement suggested, and a
summary. Colour (rich) only on a TTY without NO_COLOR; plain text otherwise, without importing rich."""

from __future__ import annotations

from itertools import groupby
from typing import List, TextIO, Tuple

from codemod.ftypes import Finding
from codemod.redact import printable
from codemod.reporters import Report, _shared

Segment = Tuple[str, str]  # (text, rich style)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "notice": "cyan", "info": "dim"}


def render(report: Report, out: TextIO, color: bool = False) -> None:
    lines: List[List[Segment]] = []
    if report.mode == "diff":
        for diff in report.diffs:
            lines += [[(line, _diff_style(line))] for line in diff.splitlines()]
    elif report.group_by_owner:
        for owner, owned in _shared.owner_groups(report, shown(report)):
            lines += [[(f"Owner {owner}: {len(owned)} finding(s)", "bold magenta")], []]
            lines += _by_file(owned)
    else:
        lines += _by_file(shown(report))
    lines += fixes(report)
    if not report.quiet and not (report.errors and not report.remaining and not report.files_scanned):
        lines.append(summary(report))  # (a run that checked nothing has only its errors to say)
    write(lines, out, color)


def fixes(report: Report) -> List[List[Segment]]:
    """With --show-fixes, as Ruff: the fixes applied per file and rule (after --fix), or those
    available (a check)."""
    if not report.show_fixes or report.mode == "diff":
        return []
    applied = report.mode == "fix"
    chosen = [f for f in report.findings if f.fixed] if applied else [f for f in report.remaining if f.fix]
    if not chosen:
        return [[("No fixes applied." if applied else "No fixes available.", "bold")], []]
    lines: List[List[Segment]] = [[(f"{'Fixed' if applied else 'Fixable'} {len(chosen)} finding(s):", "bold")]]
    for path, in_file in groupby(sorted(chosen, key=lambda f: (f.path, f.rule)), key=lambda f: f.path):
        lines.append([(f"- {path}:", "bold")])
        for rule, of_rule in groupby(in_file, key=lambda f: f.rule):
            group = list(of_rule)
            doc = report.rules.get(rule)
            kind = "" if applied or group[0].fix == "safe" else " (with --unsafe-fixes)"
            lines.append([(f"    {len(group)} × {rule}", ""), (f" ({doc.name})" if doc else "", "dim"), (kind, "magenta")])
    lines.append([])
    return lines


def _by_file(findings: List[Finding]) -> List[List[Segment]]:
    lines: List[List[Segment]] = []
    for path, in_file in groupby(findings, key=lambda f: f.path):
        lines.append([(heading(path), "bold underline")])
        for finding in in_file:
            lines += _finding_lines(finding)
        lines.append([])
    return lines


def shown(report: Report) -> List[Finding]:
    """The findings to list: the remaining ones, less those a baseline knows."""
    if report.baseline is not None:  # known findings are the baseline's business
        return [f for f in report.remaining if report.baseline.is_new(f)]
    return report.remaining


def heading(path: str) -> str:
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


def summary(report: Report) -> List[Segment]:
    remaining = shown(report)  # with a baseline, the new findings: the known ones are its business
    if report.mode == "diff":
        return [(f"Would fix findings in {len(report.diffs)} file(s); run with --fix to apply." if report.diffs else "No fixes to apply.", "bold")]
    if not remaining and report.errors:  # never "passed": some files or configs were not read
        done = f" ({report.fixes_applied} fixed)" if report.fixes_applied else ""
        return [(f"No findings{done} in {report.files_scanned} file(s) checked, but {len(report.errors)} error(s) occurred.", "bold red")]
    if not remaining:
        done = f" ({report.fixes_applied} fixed)" if report.fixes_applied else ""
        known = f" {report.baseline.progress_line()}." if report.baseline is not None else ""
        return [(f"All checks passed{done}: {report.files_scanned} file(s) checked.{known}", "bold green")]
    files = len({f.path for f in remaining})
    safe = sum(1 for f in remaining if f.fix == "safe")
    unsafe = sum(1 for f in remaining if f.fix == "unsafe")
    new = " new" if report.baseline is not None else ""
    text = f"Found {len(remaining)}{new} finding(s) in {files} file(s) of {report.files_scanned} checked"
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


def write(lines: List[List[Segment]], out: TextIO, color: bool) -> None:
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
