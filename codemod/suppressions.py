"""Suppression comments: ``# v4-migrate: ignore[DS001]`` and Ruff's ``# noqa: DS001``.

A comment after code on line N covers line N only; a comment on a line of its own covers that
line and the next one. A bare ``# v4-migrate: ignore`` covers every rule; a bare ``# noqa`` does
not: it is meant for other linters, and a blanket one must not hide a live call to a retired
model. A directive that covers no finding is itself reported (DS900, like Ruff's RUF100), with a
fix that removes it, or the codes of it that cover nothing. Only the files the scan reads (those
the byte prefilter lets through) are looked at: a comment in a file with no retired id, no
DeepSeek host and no rewrite of this tool's is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Sequence, Tuple

from codemod.ftypes import SAFE, Edit, Finding, SourceText

UNUSED_RULE = "DS900"
OUR_CODE = re.compile(r"DS\d{3}\Z")
# A comment starts with `#`, or `//` / `--` in the formats that use those (`<!-- … -->` in Markdown).
_DIRECTIVE = re.compile(
    r"(?P<opener>#|//|--)[ \t]*(?:v4-migrate:[ \t]*ignore(?:\[(?P<ours>[A-Za-z0-9_,\s]*)\])?|noqa:[ \t]*(?P<noqa>[A-Za-z]+[0-9]+(?:[ \t]*,[ \t]*[A-Za-z]+[0-9]+)*))"
)
# Before a comment on a line of its own: indentation, and in a notebook's JSON the string's quote.
_OWN_LINE_PREFIX = re.compile(r'[ \t]*(?:"|<!)?\Z')


@dataclass(frozen=True)
class Directive:
    line: int
    start: int  # offsets in the file of the comment's opener (`#`, `//`, `--`) and of the directive's end
    end: int
    codes: Tuple[str, ...]  # ours, upper case; () for a bare v4-migrate: ignore
    other_codes: Tuple[str, ...]  # a noqa's codes of other linters
    own_line: bool
    noqa: bool
    opener: str = "#"

    def covers(self, finding: Finding) -> bool:
        lines = (self.line, self.line + 1) if self.own_line else (self.line,)
        return finding.line in lines and (not self.codes and not self.noqa or finding.rule in self.codes)


def directives_in(source: SourceText) -> List[Directive]:
    """The suppression directives of the file, in one scan of its text."""
    found: List[Directive] = []
    for match in _DIRECTIVE.finditer(source.text):
        if match.group("noqa") is not None:
            codes = [c.strip().upper() for c in match.group("noqa").split(",")]
            ours = tuple(c for c in codes if OUR_CODE.match(c))
            if not ours:
                continue  # another linter's
            others = tuple(c for c in codes if not OUR_CODE.match(c))
        else:
            listed = match.group("ours")
            ours = tuple(c.strip().upper() for c in listed.split(",") if c.strip()) if listed else ()
            others = ()
        line, _ = source.position(match.start())
        before = source.text[source.line_start(line):match.start()]
        found.append(Directive(line, match.start(), match.end(), ours, others, own_line=bool(_OWN_LINE_PREFIX.match(before)),
                               noqa=match.group("noqa") is not None, opener=match.group("opener")))
    return found


def is_suppressed(finding: Finding, directives: Sequence[Directive]) -> bool:
    return any(d.covers(finding) for d in directives)


def split(findings: Sequence[Finding], source: SourceText) -> Tuple[List[Finding], List[Directive]]:
    """The findings no directive covers, and every directive of the file."""
    directives = directives_in(source)
    return [f for f in findings if not is_suppressed(f, directives)], directives


def unused(findings: Sequence[Finding], directives: Sequence[Directive], source: SourceText, path: str,
           fixable: bool) -> List[Finding]:
    """A DS900 finding for each directive, or code of one, that covers none of ``findings``
    (every finding the scanner made, selected or not: turning a rule off makes no comment stale).
    ``fixable``: whether the format allows removing a comment (not a notebook's JSON)."""
    reported: List[Finding] = []
    for directive in directives:
        covered = [f for f in findings if directive.covers(f)]
        if directive.codes:
            idle = [c for c in directive.codes if not any(f.rule == c for f in covered)]
        else:
            idle = [] if covered else ["all rules"]
        if not idle:
            continue
        line, column = source.position(directive.start)
        end_line, end_column = source.position(directive.end)
        what = "`" + source.text[directive.start:directive.end] + "`"
        if directive.codes and len(idle) < len(directive.codes):
            message = f"Unused code(s) {', '.join(idle)} in the suppression comment {what}: no such finding on the line it covers"
        else:
            message = f"Unused suppression comment {what}: it covers no finding"
        edits = _removal(directive, idle, source) if fixable else ()
        reported.append(Finding(UNUSED_RULE, "warning", message, line, column, end_line, end_column, path=path,
                                fix=SAFE if edits else None, edits=edits, snippet=what[1:-1]))  # never the line: it may hold a secret
    return reported


def _removal(directive: Directive, idle: List[str], source: SourceText) -> Tuple[Edit, ...]:
    """Remove the unused codes, or the whole directive: its line when it is alone on it, else the
    comment and the blanks before it (only when the comment holds nothing else)."""
    remaining = [c for c in directive.codes if c not in idle] + list(directive.other_codes)
    text = source.text[directive.start:directive.end]
    if remaining and directive.codes:
        if directive.noqa:
            return (Edit(directive.start, directive.end, directive.opener + " noqa: " + ", ".join(remaining)),)
        return (Edit(directive.start, directive.end, text[: text.index("[")] + "[" + ", ".join(remaining) + "]"),)
    line_start = source.line_start(directive.line)
    line_text = source.line_text(directive.line)
    if source.text[directive.end: line_start + len(line_text)].strip():
        return ()  # the comment says more than the directive
    if directive.own_line:
        if line_text[: directive.start - line_start].strip():
            return ()  # a notebook's quoted line: its JSON is not ours to reshape
        next_start = source.line_start(directive.line + 1) if directive.line < source.line_count else len(source.text)
        return (Edit(line_start, next_start, ""),)
    before = source.text[line_start:directive.start]
    blanks = len(before) - len(before.rstrip(" \t"))
    return (Edit(directive.start - blanks, line_start + len(line_text), ""),)
