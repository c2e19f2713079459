"""``--statistics``: remaining call sites counted per rule, in Ruff's (and Flake8's) layout::

    12	DS001	[*] legacy-model-id
     3	DS002	[-] legacy-model-id-review
     1	DS003	[ ] legacy-model-id-mention

Columns are tab-separated: count, code, a fix marker and the rule's name, most frequent
first. ``[*]``: ``--fix`` fixes some; ``[-]``: only ``--unsafe-fixes`` does; ``[ ]``: no fix.
The marker column appears only when some rule is fixable, as in Ruff. No findings, no lines.
With ``--format json``, a JSON list of ``{"code", "name", "count", "fixable", "unsafe_fixable"}``.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import TYPE_CHECKING, List, TextIO, Tuple

from codemod.ftypes import Finding
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report

BOLD, RED_BOLD, CYAN, RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[36m", "\x1b[0m"

Row = Tuple[int, str, str, str]  # count, code, marker, name


def rows(report: "Report") -> List[Row]:
    by_rule = sorted(report.remaining, key=lambda f: f.rule)
    table = [_row(report, code, list(group)) for code, group in groupby(by_rule, key=lambda f: f.rule)]
    return sorted(table, key=lambda row: (-row[0], row[1]))


def _row(report: "Report", code: str, findings: List[Finding]) -> Row:
    return len(findings), code, _shared.fix_marker(findings), _shared.rule_name(report, code)


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    table = rows(report)
    if report.format == "json":  # as Ruff's --statistics --output-format json
        entries = [{"code": code, "name": name, "count": count, "fixable": marker == "[*]", "unsafe_fixable": marker == "[-]"}
                   for count, code, marker, name in table]
        out.write(json.dumps(entries, indent=2) + "\n")
        return
    if not table:
        return
    count_width = max(len(str(row[0])) for row in table)
    code_width = max(len(row[1]) for row in table)
    show_marker = any(row[2] != "[ ]" for row in table)
    for count, code, marker, name in table:
        count_text = f"{count:>{count_width}}"
        code_text = f"{code:<{code_width}}"
        if color:
            count_text, code_text = f"{BOLD}{count_text}{RESET}", f"{RED_BOLD}{code_text}{RESET}"
            marker = marker.replace("*", f"{CYAN}*{RESET}")
        out.write(f"{count_text}\t{code_text}\t{marker + ' ' if show_marker else ''}{name}\n")
