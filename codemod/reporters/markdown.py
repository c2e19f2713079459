"""Markdown for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Sections: a headline; the deadline of each retired id still present (days left or since);
totals by rule and by severity; the top directories; with ``--group-by-owner`` and a
CODEOWNERS file, totals by owner; with ``--baseline``, the progress; and a collapsed
``<details>`` list of the call sites (at most ``MAX_LISTED``, as comments are limited to
65,536 characters). Owners, paths and ids are code spans, so nobody is @-mentioned.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from typing import TYPE_CHECKING, Dict, Iterable, List, Sequence, TextIO

from codemod import deadline
from codemod.ftypes import SEVERITIES, Finding
from codemod.redact import printable
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report

MAX_LISTED = 500
TOP_DIRECTORIES = 10
TOP_OWNERS = 25
NO_OWNER = _shared.NO_OWNER


# -- Markdown pieces ------------------------------------------------------------------------


def code(text: str) -> str:
    """A code span for a table cell: fenced past any backticks inside, pipes escaped (GFM
    splits table rows on ``|`` even inside code spans); control characters escaped (``\\n``)."""
    text = printable(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """Text for a table cell or a list item, with HTML and table syntax neutralized and control
    characters escaped (``\\n``)."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def table(header: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> List[str]:
    """A GFM table; columns whose index is in ``right`` are right-aligned (counts)."""
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def section(title: str, body: List[str]) -> List[str]:
    return [f"### {title}", ""] + body


# -- sections -------------------------------------------------------------------------------


def headline(report: "Report") -> List[str]:
    remaining = report.remaining
    files = len({f.path for f in remaining})
    scanned = f"{_shared.plural(report.files_scanned, 'file')} scanned"
    if report.fixes_applied:
        scanned += f"; fixed {_shared.plural(report.fixes_applied, 'call site')} in {_shared.plural(report.files_changed, 'file')}"
    if not remaining and report.errors:  # an incomplete run never reads as a clean one
        return [f"**{_shared.plural(len(report.errors), 'error')}**: the run is incomplete; no call sites found ({scanned}).", ""]
    if not remaining:
        return [f"No call sites of retired DeepSeek model ids remain ({scanned}).", ""]
    sites = _shared.plural(len(remaining), "call site")
    verb = "remains" if len(remaining) == 1 else "remain"
    return [f"**{sites}** of retired DeepSeek model ids {verb} in **{_shared.plural(files, 'file')}** ({scanned}).", ""]


def deadlines(report: "Report") -> List[str]:
    counts: Counter = Counter()
    models = {}
    for finding in report.remaining:
        model = _shared.retired_model(report, finding)
        if model:
            counts[model.id] += 1
            models[model.id] = model
    if not counts:
        return []
    rows = [
        (
            code(model_id),
            deadline.describe_deadline(models[model_id].retired_at, report.today),
            report.catalog.tier(models[model_id], report.today),
            code(models[model_id].replacement),
            counts[model_id],
        )
        for model_id in sorted(counts)
    ]
    return section("Deadlines", table(["Retired id", "Status", "Tier", "Successor", "Call sites"], rows, right=[4]))


def by_rule(report: "Report") -> List[str]:
    grouped: Dict[str, List[Finding]] = {}
    for finding in report.remaining:
        grouped.setdefault(finding.rule, []).append(finding)
    rows = []
    for rule in sorted(grouped, key=lambda r: (-len(grouped[r]), r)):
        doc = _shared.rule_doc(report, rule)
        label = f"[{rule}]({doc.help_uri})" if doc else rule
        rows.append((label, plain(_shared.rule_name(report, rule)), len(grouped[rule]), _shared.fix_marker(grouped[rule])))
    return section("By rule", table(["Rule", "Name", "Call sites", "Fix"], rows, right=[2]))


def by_severity(report: "Report") -> List[str]:
    counts = report.counts_by_severity()
    rows = [(name, counts[name]) for name in reversed(SEVERITIES) if counts[name]]
    return section("By severity", table(["Severity", "Call sites"], rows, right=[1]))


def top_directories(report: "Report") -> List[str]:
    folders = (posixpath.dirname(f.path) or "." for f in report.remaining)
    rows = [(code(folder + "/" if folder != "." else "./"), count) for folder, count in _shared.top_counts(folders, TOP_DIRECTORIES)]
    return section("Top directories", table(["Directory", "Call sites"], rows, right=[1]))


def by_owner(report: "Report") -> List[str]:
    owners = _shared.owners_of(report)
    if owners is None:
        return section("By owner", ["No CODEOWNERS file (looked in `.github/`, the root and `docs/`).", ""])
    names = [name for found in owners.values() for name in (found or [NO_OWNER])]
    rows = [(code(name) if name != NO_OWNER else name, count) for name, count in _shared.top_counts(names, TOP_OWNERS)]
    return section("By owner", table(["Owner", "Call sites"], rows, right=[1]))


def baseline(report: "Report") -> List[str]:
    return section("Baseline", [plain(report.baseline.progress_line()) + ".", ""])


def call_sites(report: "Report") -> List[str]:
    remaining = report.remaining
    header = ["Location", "Rule", "Severity", "Found", "Suggested"]
    with_baseline = report.baseline is not None
    if with_baseline:
        header.append("Baseline")
    rows = []
    for finding in remaining[:MAX_LISTED]:
        row = [
            code(f"{finding.path}:{finding.line}:{finding.column}"),
            finding.rule,
            finding.severity,
            code(finding.legacy) if finding.legacy else "",
            code(finding.replacement) if finding.replacement else "",
        ]
        if with_baseline:
            row.append("known" if _shared.is_known(report, finding) else "**new**")
        rows.append(row)
    body = ["<details>", f"<summary>{_shared.plural(len(remaining), 'call site')}</summary>", ""]
    body += table(header, rows)
    if len(remaining) > MAX_LISTED:
        body += [f"… and {len(remaining) - MAX_LISTED} more.", ""]
    return body + ["</details>", ""]


def errors(report: "Report") -> List[str]:
    items = [f"- {plain(error)}" for error in report.errors]
    return ["<details>", f"<summary>{_shared.plural(len(report.errors), 'error')}</summary>", ""] + items + ["", "</details>", ""]


def build(report: "Report") -> str:
    lines = [f"## {_shared.TOOL_NAME}", ""] + headline(report)
    if report.remaining:
        lines += deadlines(report) + by_rule(report) + by_severity(report) + top_directories(report)
        if report.group_by_owner:
            lines += by_owner(report)
    if report.baseline is not None:
        lines += baseline(report)
    if report.remaining:
        lines += call_sites(report)
    if report.errors:
        lines += errors(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    out.write(build(report))
