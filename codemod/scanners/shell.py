"""Shell scripts and Makefiles: a retired id given to a command as its model (``aider --model
deepseek/deepseek-chat``, ``llm -m deepseek-chat``, ``MODEL=deepseek-chat``) is a value that is
sent, so it is reported as one, with the V4 id as an unsafe fix: a command line cannot carry the
thinking mode, which the tool's own settings must then say. Ids in comments are mentions; any
other occurrence is reported for review. Line-based: nothing is parsed, every byte kept."""

from __future__ import annotations

import re
from typing import List, Optional

from codemod.ftypes import Edit, Finding, ScanContext, SourceText
from codemod.scanners import _common as common
from codemod.scanners._literals import is_plain

LINE_COMMENTS = True  # `#` starts a comment to the end of the line: a suppression comment can be removed

_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$", re.M)


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    findings: List[Finding] = []
    claimed = set()
    for match in common.command_model_arguments(text, ctx):
        claimed.add(match.start)
        # A command line has no quoting the fix could rely on: only a plain id is written.
        edits = (Edit(match.start, match.end, match.replacement),) if is_plain(match.replacement) else ()
        findings.append(common.id_finding(source, ctx, match, common.COMMAND, edits=edits, replacement=match.replacement))
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(text)]
    for match in common.occurrences(text, ctx):
        if match.start in claimed:
            continue
        in_comment = any(start <= match.start < end for start, end in comments)
        decision = common.mention("in a comment") if in_comment else common.review_decision("in a script", fixable=False)
        findings.append(common.id_finding(source, ctx, match, decision))
    return findings


def verify(text: str, original: Optional[str] = None) -> None:
    return None
