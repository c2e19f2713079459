"""The fallback for files that do not parse (or templated YAML): ids found by text, no fix."""

from __future__ import annotations

from typing import List

from codemod.ftypes import Finding, ScanContext, SourceText

RULE = "DS005"


def scan(source: SourceText, ctx: ScanContext, reason: str = "the file does not parse") -> List[Finding]:
    return [
        ctx.id_finding(source, m.start, m.end, m, RULE, where=f"({reason}; not fixed)")
        for m in ctx.catalog.find(source.text)
    ]


def verify(text: str) -> None:
    return None
