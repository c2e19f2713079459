"""The fallback for files that do not parse (or templated YAML): ids found by text, no fix.

A ``.env`` file (not valid UTF-8) and a notebook (broken JSON) are never echoed: a .env line is
a secret as often as not, and a notebook's line may carry cell outputs. Their snippet is only
the id (``...deepseek-chat...``), as the .env scanner shows a value."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import List, Optional

from codemod.ftypes import Finding, ScanContext, SourceText
from codemod.scanners import format_for

RULE = "DS005"
UNECHOED_FORMATS = ("dotenv", "notebook")


def scan(source: SourceText, ctx: ScanContext, reason: str = "the file does not parse") -> List[Finding]:
    echo = format_for(PurePosixPath(ctx.path)) not in UNECHOED_FORMATS
    findings = []
    for m in ctx.catalog.find(source.text):
        shown = {} if echo else {"snippet": f"...{m.legacy}..."}
        findings.append(ctx.id_finding(source, m.start, m.end, m, RULE, where=f"({reason}; not fixed)", **shown))
    return findings


def verify(text: str, original: Optional[str] = None) -> None:
    return None
