"""Parse only the statements a Python scan can use.

A small lexer (``_pylines``; CPython's parser where it is not sure) lists a module's top-level
statements.
Each run of them that can neither hold a finding nor give one context is blanked into a single
statement of the same length and line breaks, mostly a string that LibCST reads as one token.
LibCST then parses far less, and every offset, line and column is what it is in the file."""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Sequence, Set, Tuple

from codemod.ftypes import ScanError, SourceText
from codemod.scanners._pylines import Statement, top_level_statements


def cpython_module(text: str) -> Optional[ast.Module]:
    """CPython's tree of ``text``; None when CPython cannot parse it (LibCST, which knows other
    grammars, then decides). Raises ScanError for source nested too deeply for CPython: LibCST's
    native parser can crash the process (a segfault) or take minutes on it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError as exc:
        if any(s in str(exc.msg) for s in ("too many nested", "too many levels of indentation", "too complex")):
            raise ScanError("too deeply nested to parse") from None
        return None
    except (RecursionError, MemoryError):
        raise ScanError("too deeply nested to parse") from None
    except ValueError:  # NUL bytes: LibCST reports them
        return None


@dataclass
class Group:
    """Top-level statements that share lines (``import a; import b``): one LibCST statement."""

    first_line: int  # decorators included
    last_line: int
    is_import: bool  # every statement of it is an import
    has_import: bool  # one is
    may_be_docstring: bool  # one expression statement that is a string
    indent: str = ""  # the statements of a class body (a large class, scanned in chunks) are indented
    always: bool = False  # kept in every chunk: the line that opens a class whose body is split


def groups_of_lines(statements: Sequence["Statement"]) -> List[Group]:
    """The groups of ``_pylines``'s statements (which already join the statements sharing lines)."""
    return [Group(s.first_line, s.last_line, s.only_imports, s.imports, s.string_first) for s in statements]


def groups_of_tree(tree: ast.Module) -> List[Group]:
    """The groups of CPython's tree: the reference, and the way for a module the lexer is not sure of."""
    groups: List[Group] = []
    members: List[List[ast.stmt]] = []
    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        last = statement.end_lineno or statement.lineno
        if groups and first <= groups[-1].last_line:
            groups[-1].last_line = max(groups[-1].last_line, last)
            members[-1].append(statement)
        else:
            groups.append(Group(first, last, False, False, False))
            members.append([statement])
    for group, statements in zip(groups, members):
        imports = [isinstance(s, (ast.Import, ast.ImportFrom)) for s in statements]
        group.is_import, group.has_import = all(imports), any(imports)
        only = statements[0]
        group.may_be_docstring = (len(statements) == 1 and isinstance(only, ast.Expr)
                                  and isinstance(only.value, (ast.Constant, ast.JoinedStr)))
    return groups


def module_groups(text: str) -> Optional[List[Group]]:
    """The top-level statement groups of ``text``: by the lexer, or by CPython where the lexer is
    not sure; None when neither can tell (LibCST then parses the whole file and decides)."""
    statements = top_level_statements(text)
    if statements is not None:
        return groups_of_lines(statements)
    tree = cpython_module(text)
    return groups_of_tree(tree) if tree is not None else None


class Pruned(NamedTuple):
    text: str
    statement_lines: Optional[List[int]]  # the line each top-level statement of ``text`` starts on


def prune(source: SourceText, groups: Sequence[Group], findings: Sequence[int], context: Sequence[int]) -> Pruned:
    """``source.text`` with the top-level statements blanked that the scan does not need, and
    the line each statement of it starts on (for ``pysource.OffsetPositions``).

    ``findings`` and ``context``: sorted offsets where the patterns of statements to keep match.
    Kept: statements with a ``findings`` offset in their lines or in the comments and blank
    lines on either side (LibCST counts those before a statement as its own, and those after
    an indented block as the block's); statements with a ``context`` offset; every import; the
    first statement; and the header (a docstring, imports). A blanked run is still a statement,
    so where an import goes is decided as on the whole file."""
    always, needed = kept_groups(source, groups, findings, context)
    keep = always | needed
    return Pruned(blanked_except(source, groups, keep), statement_lines(groups, keep))


def statement_lines(groups: Sequence[Group], keep: Set[int]) -> List[int]:
    """The line each top-level statement of the pruned text starts on: a kept group's first
    line, and a blanked run's (its placeholder is one statement)."""
    return [group.first_line for index, group in enumerate(groups) if index in keep or index == 0 or index - 1 in keep]


def kept_groups(source: SourceText, groups: Sequence[Group], findings: Sequence[int],
                context: Sequence[int]) -> Tuple[Set[int], Set[int]]:
    """The indexes of the groups a scan needs: those every scan of the file needs (the header,
    imports, the first statement), and those with a finding or context offset."""
    text = source.text

    def offset(line: int) -> int:  # where a line starts; the end of the text past the last
        return source.line_start(line) if line <= source.line_count else len(text)

    always: Set[int] = set()
    needed: Set[int] = set()
    in_header = True
    for index, group in enumerate(groups):
        if in_header and not (group.is_import or (index == 0 and group.may_be_docstring)):
            in_header = False  # the first statement after the header: kept if it is the first
        if in_header or group.has_import or index == 0 or group.always:
            always.add(index)
            continue
        low = offset(groups[index - 1].last_line + 1) if index else 0
        high = offset(groups[index + 1].first_line) if index + 1 < len(groups) else len(text)
        if _any_in(findings, low, high) or _any_in(context, offset(group.first_line), offset(group.last_line + 1)):
            needed.add(index)
    return always, needed


def blanked_except(source: SourceText, groups: Sequence[Group], keep: Set[int]) -> str:
    """``source.text`` with every group not in ``keep`` blanked: each run of them one statement of
    the same length and line breaks."""
    text = source.text
    runs: List[list] = []  # [first line, last line, last index, indent] of runs of blanked statements
    for index, group in enumerate(groups):
        if index in keep:
            continue
        if runs and runs[-1][2] == index - 1:
            runs[-1][1:3] = [group.last_line, index]
        else:
            runs.append([group.first_line, group.last_line, index, group.indent])
    if not runs:
        return text
    parts: List[str] = []
    position = 0
    for first, last, _, indent in runs:
        start = source.line_start(first) + len(indent)  # a class body's placeholder keeps its indentation
        end = source.line_start(last) + len(source.line_text(last))
        parts += [text[position:start], _placeholder(source, first, last, start, end)]
        position = end
    parts.append(text[position:])
    pruned = "".join(parts)
    if len(pruned) != len(text):  # pragma: no cover - a line count that disagrees with CPython's
        return text
    return pruned


def _any_in(offsets: Sequence[int], low: int, high: int) -> bool:
    index = bisect.bisect_left(offsets, low)
    return index < len(offsets) and offsets[index] < high


_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")


def _spaces_but_line_breaks(text: str) -> str:
    if "\r" not in text:  # the usual case, split by str in C: three times faster
        return "\n".join(" " * len(line) for line in text.split("\n"))
    parts = _LINE_BREAKS.split(text)  # line, break, line, ..., line
    return "".join(part if index % 2 else " " * len(part) for index, part in enumerate(parts))


def _placeholder(source: SourceText, first: int, last: int, start: int, end: int) -> str:
    """One statement of the same length and line breaks for lines ``first``..``last`` (offsets
    ``start``..``end``), which no scan looks into: a string, which LibCST reads as one token;
    where a line is too short for its quotes, ``0`` or an empty tuple."""
    blank = _spaces_but_line_breaks(source.text[start:end])
    first_length = len(source.line_text(first)) - (start - source.line_start(first))
    if first_length >= 3 and len(source.line_text(last)) >= 3 and len(blank) >= 6:
        return '"""' + blank[3:-3] + '"""'
    if first == last:
        return "0" + blank[1:]
    return "(" + blank[1:-1] + ")"
