"""Where a Python module's top-level statements start and end, found without a full CPython
parse (which was nearly half of a scan's time).

Strings and comments are blanked first (one regex, left to right, so a quote in a comment or a
`#` in a string is what it is); in what is left, a line at column 0 starts a statement unless an
open bracket or a backslash continues the line before it, or it continues a compound statement
(`else:`, `except:`..., a decorated definition). Everything else is counting, done by `str`
methods in C.

The result is used only to prune (``_pyprune``): LibCST then parses the pruned text, and a
pruned text that does not parse falls back to the whole file. Any doubt here (a string that
does not end, brackets that do not balance, nesting deep enough for a parser's limits) gives
None, and the caller asks CPython instead."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import List, Optional

from codemod import ftypes

# Strings first: a string that does not end matches `unterminated` (then the lexer is not sure).
# The lookahead skips most positions at once, and possessive runs never backtrack (a run of a
# string's characters can hold no quote that would end it): together a third faster.
_STRINGS_AND_COMMENTS = re.compile(
    r'''(?=["'#])(?:"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""|\'\'\'(?:[^'\\]++|\\[\s\S]|'(?!''))*+\'\'\''''
    r'''|"(?:[^"\\\r\n]++|\\(?:\r\n|[\s\S]))*+"|'(?:[^'\\\r\n]++|\\(?:\r\n|[\s\S]))*+\''''
    r'''|\#[^\r\n]*|(?P<unterminated>"""|\'\'\'|"|'))''',
)
_NOT_BREAK = re.compile(r"[^\r\n]")
_INSIDE_LINE_START = re.compile(r"(\r\n|\r|\n)x")
_LINE_START_CODE = re.compile(r"(?m)^[^ \t\f\r\n\0]")  # a line at column 0 that is not blank (nor in a string)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_COMPOUND = re.compile(r"(?:if|for|while|def|class|with|try|async|match)\b|@")
_IMPORT = re.compile(r"[ \t]*(?:import|from)\b")
_STRING_START = re.compile(r"[rRbBuUfFtT]{0,2}['\"]")
_DEEP_INDENT = re.compile(r"(?m)^[ \t\f]{400}")  # about 100 levels (CPython's limit is 100)
MAX_BRACKET_DEPTH = 150  # CPython stops at 200 nested brackets; LibCST's parser may crash before


@dataclass
class Statement:
    """One top-level statement (with its decorators, and the statements that share its lines)."""

    first_line: int  # 1-based
    last_line: int
    imports: bool  # one of its parts is an import
    only_imports: bool  # every part is
    string_first: bool  # it starts with a string (a docstring, perhaps)


def blanked(text: str) -> Optional[str]:
    """``text`` with every comment replaced by spaces and every string by `x`s (line breaks
    kept: a string is code, a comment is not), or None when a string does not end."""
    unterminated = False

    def blank(match: "re.Match[str]") -> str:
        nonlocal unterminated
        found = match.group()
        if found[0] == "#":
            return " " * len(found)
        if "\n" not in found and "\r" not in found:
            if match.lastgroup == "unterminated":
                unterminated = True
            return "x" * len(found)
        # a string's own lines start with NUL: code, but never a statement at column 0
        return _INSIDE_LINE_START.sub("\\1\0", _NOT_BREAK.sub("x", found))

    result = _STRINGS_AND_COMMENTS.sub(blank, text)
    return None if unterminated else result


def top_level_statements(text: str) -> Optional[List[Statement]]:
    """The module's top-level statements, in order, or None when this lexer is not sure."""
    code = blanked(text)
    if code is None or _DEEP_INDENT.search(code) or _LONE_CR.search(code):
        return None  # (`^` does not see a line that ends in a lone CR: CPython decides those)
    line_starts = ftypes.line_starts(code)  # (blanking keeps every line break)
    statements = _statements_at(text, code, _LINE_START_CODE.finditer(code), 0, "", line_starts)
    if statements is None or _depth_change(code, 0, len(code)) != 0 or _max_depth(code) > MAX_BRACKET_DEPTH:
        return None
    _set_last_lines(code, statements, line_starts)
    return statements


def _statements_at(text: str, code: str, lines, begin: int, indent: str, line_starts: List[int]) -> Optional[List[Statement]]:
    """The statements that start on ``lines`` (matches at a block's own indentation, ``indent``,
    from offset ``begin`` on): not those an open bracket or a backslash continues, nor the
    `else:` or the decorated definition that continues the one before."""
    statements: List[Statement] = []
    depth = 0
    counted = begin  # bracket depth is known up to here
    decorating = False
    for line in lines:
        start = line.start() + len(indent)
        depth += _depth_change(code, counted, start)
        counted = start
        if depth < 0:
            return None
        if depth or _continued(code, line.start()):
            continue
        if statements and (decorating or _CONTINUES.match(code, start)):
            decorating = decorating and code.startswith("@", start)
            continue
        decorating = code.startswith("@", start)
        statements.append(_statement(text, code, start, line_starts))
    return statements


def _depth_change(code: str, start: int, end: int) -> int:
    return (code.count("(", start, end) + code.count("[", start, end) + code.count("{", start, end)
            - code.count(")", start, end) - code.count("]", start, end) - code.count("}", start, end))


def _max_depth(code: str) -> int:
    """The deepest bracket nesting, checked only where brackets are many (CPython's limit)."""
    if code.count("(") + code.count("[") + code.count("{") <= MAX_BRACKET_DEPTH:
        return 0
    depth = deepest = 0
    for char in re.findall(r"[()\[\]{}]", code):
        depth += 1 if char in "([{" else -1
        deepest = max(deepest, depth)
    return deepest


def _continued(code: str, start: int) -> bool:
    """Whether the line before ``start`` ends in a backslash (a continuation)."""
    end = start - 1
    if end >= 1 and code[end] == "\n" and code[end - 1] == "\r":
        end -= 1
    return end >= 1 and code[end - 1] == "\\"


def _statement(text: str, code: str, start: int, line_starts: List[int]) -> Statement:
    line = bisect.bisect_right(line_starts, start)
    line_end = _LINE_BREAK.search(code, start)
    first_logical = code[start:line_end.start() if line_end else len(code)]
    if _COMPOUND.match(code, start):
        imports = only = False
    else:
        parts = [part for part in first_logical.split(";") if part.strip()]
        flags = [bool(_IMPORT.match(part)) for part in parts]
        imports, only = any(flags), bool(flags) and all(flags)
    return Statement(line, line, imports, only, bool(_STRING_START.match(text, start)))


def _set_last_lines(code: str, statements: List[Statement], line_starts: List[int]) -> None:
    """Each statement ends on the last line with code before the next one starts."""
    ends = [line_starts[s.first_line - 1] for s in statements[1:]] + [len(code)]
    for statement, end in zip(statements, ends):
        begin = line_starts[statement.first_line - 1]
        last = begin + len(code[begin:end].rstrip()) - 1  # its last character of code (comments are spaces now)
        statement.last_line = bisect.bisect_right(line_starts, max(last, begin))


def body_statements(text: str, first_line: int, last_line: int) -> Optional[List[Statement]]:
    """The statements of the indented block of the compound statement on lines ``first_line``..
    ``last_line`` (a class body), as ``top_level_statements`` gives a module's; None when unsure."""
    code = blanked(text)
    if code is None or _LONE_CR.search(code):
        return None
    line_starts = ftypes.line_starts(code)  # (blanking keeps every line break)
    begin = line_starts[first_line - 1]
    end = line_starts[last_line] if last_line < len(line_starts) else len(code)
    block = code[begin:end]
    body = re.search(r"(?m)^([ \t]+)[^ \t\f\r\n\0]", block)
    if body is None:
        return None
    indent = body.group(1)
    starts = re.compile(r"(?m)^" + re.escape(indent) + r"[^ \t\f\r\n\0]")
    statements = _statements_at(text, code, starts.finditer(code, begin + body.start(), end), begin, indent, line_starts)
    if not statements:
        return None
    _set_last_lines(code[:end], statements, line_starts)
    return statements
