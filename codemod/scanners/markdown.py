"""Markdown (``.md``, ``.mdx``), reStructuredText and plain text: reported, never fixed.

An id in a code example (a Markdown fence, an RST literal block after ``::`` or a
``.. code-block::``) is a live example: reported at the deadline's severity, as DS001 when it is
a model argument (``--model X``, ``model="X"``, ``MODEL=X``) and DS002 otherwise. Everything else
is prose (DS003, info), except that a model argument in a plain-text file counts as live: a
``.txt`` has no markup to set an example apart."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import List, Optional, Tuple

from codemod.ftypes import Finding, ScanContext, SourceText
from codemod.scanners import _common as common
from codemod.scanners.other import CODE_VALUE, model_values

LINE_COMMENTS = False  # report-only
BINARY_IF_UNDECODABLE = True

_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})", re.M)
_RST_LITERAL = re.compile(r"::[ \t]*$|^[ \t]*\.\.[ \t]+(?:code-block|code|sourcecode)::")

EXAMPLE = common.review_decision("in a code example (no fix is offered for this format)", fixable=False)
PROSE = common.mention("in prose")


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    if common.is_minified(text):
        return []
    suffix = PurePosixPath(ctx.path.replace("\\", "/")).suffix.lower()
    blocks = rst_literal_blocks(text) if suffix == ".rst" else [] if suffix == ".txt" else fenced_blocks(text)
    live = {m.start for m in model_values(text, ctx)}
    findings = []
    for match in common.occurrences(text, ctx):
        in_example = any(start <= match.start < end for start, end in blocks)
        if in_example or (suffix == ".txt" and match.start in live):
            decision = CODE_VALUE if match.start in live else EXAMPLE
        else:
            decision = PROSE
        findings.append(common.id_finding(source, ctx, match, decision))
    return findings


def fenced_blocks(text: str) -> List[Tuple[int, int]]:
    """The (start, end) offsets of each fenced code block's body; an unclosed fence runs to the end
    (CommonMark)."""
    blocks = []
    pos = 0
    while True:
        opening = _FENCE.search(text, pos)
        if opening is None:
            return blocks
        fence = opening.group("fence")
        body = _next_line(text, opening.end())
        closing = re.compile(r"^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        close = closing.search(text, body)
        end = len(text) if close is None else close.start()
        blocks.append((body, end))
        pos = len(text) if close is None else close.end()


def rst_literal_blocks(text: str) -> List[Tuple[int, int]]:
    """The indented blocks that follow a line ending in ``::`` (which covers ``.. code-block::``)."""
    lines = text.splitlines(keepends=True)
    blocks = []
    offset = 0
    block_start: Optional[int] = None
    expecting = False
    for line in lines:
        indented = line[:1] in (" ", "\t")
        if block_start is not None and line.strip() and not indented:
            blocks.append((block_start, offset))
            block_start = None
        if expecting and line.strip():
            if indented:
                block_start = offset
            expecting = False
        if block_start is None and not expecting and _RST_LITERAL.search(line.rstrip("\r\n")):
            expecting = True
        offset += len(line)
    if block_start is not None:
        blocks.append((block_start, offset))
    return blocks


def _next_line(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


def verify(text: str, original: Optional[str] = None) -> None:
    return None
