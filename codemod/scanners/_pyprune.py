"""Parse only the statements a Python scan can use.

CPython's parser, about ten times faster than LibCST's, lists a module's top-level statements.
Each one that can neither hold a finding nor give one context is blanked: every line of it
becomes a comment line of the same length. LibCST then parses far less, and every offset, line
and column is what it is in the file."""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import List, Optional

from codemod.ftypes import ScanError, SourceText


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
class _Group:
    """Top-level statements that share lines (``import a; import b``): one LibCST statement."""

    first_line: int  # decorators included
    last_line: int
    statements: List[ast.stmt]

    @property
    def is_import(self) -> bool:
        return all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in self.statements)

    @property
    def has_import(self) -> bool:
        return any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in self.statements)

    @property
    def may_be_docstring(self) -> bool:
        only = self.statements[0]
        return len(self.statements) == 1 and isinstance(only, ast.Expr) and isinstance(only.value, (ast.Constant, ast.JoinedStr))


def _groups(tree: ast.Module) -> List[_Group]:
    groups: List[_Group] = []
    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        last = statement.end_lineno or statement.lineno
        if groups and first <= groups[-1].last_line:
            groups[-1].last_line = max(groups[-1].last_line, last)
            groups[-1].statements.append(statement)
        else:
            groups.append(_Group(first, last, [statement]))
    return groups


def pruned_text(source: SourceText, tree: ast.Module, findings: "re.Pattern[str]", context: "re.Pattern[str]") -> str:
    """``source.text`` with the top-level statements blanked that the scan does not need.

    Kept: statements where ``findings`` matches in their lines or in the comments and blank
    lines on either side (LibCST counts those before a statement as its own, and those after
    an indented block as the block's); statements where ``context`` matches; every import; and
    the file's header up to and including its first statement that is not a docstring or an
    import, so that where an import goes is decided as on the whole file."""
    text = source.text
    groups = _groups(tree)

    def offset(line: int) -> int:  # where a line starts; the end of the text past the last
        return source.line_start(line) if line <= source.line_count else len(text)

    in_header = True
    blanked: List[_Group] = []
    for index, group in enumerate(groups):
        keep = in_header or group.has_import
        if in_header and not (group.is_import or (index == 0 and group.may_be_docstring)):
            in_header = False
        if not keep:
            low = offset(groups[index - 1].last_line + 1) if index else 0
            high = offset(groups[index + 1].first_line) if index + 1 < len(groups) else len(text)
            keep = findings.search(text, low, high) is not None
        if not keep:
            keep = context.search(text, offset(group.first_line), offset(group.last_line + 1)) is not None
        if not keep:
            blanked.append(group)
    if not blanked:
        return text
    parts: List[str] = []
    position = 0
    for group in blanked:
        for line in range(group.first_line, group.last_line + 1):
            start = source.line_start(line)
            length = len(source.line_text(line))
            parts.append(text[position:start])
            # A comment, not blanks: LibCST drops a run of blank lines at the end of a file.
            parts.append("#" + " " * (length - 1) if length else "")
            position = start + length
    parts.append(text[position:])
    pruned = "".join(parts)
    if len(pruned) != len(text):  # pragma: no cover - a line count that disagrees with CPython's
        return text
    return pruned
