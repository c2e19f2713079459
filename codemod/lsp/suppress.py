"""The "add a suppression comment" action: ``# v4-migrate: ignore[DS001]`` (``//`` in JS/TS) at the
end of the finding's line, or on a line of its own above it where the end of the line cannot
take a comment (a Makefile's variable would keep the blanks before it), or the code added to a
directive that is already there.

A placement is offered only where the comment is a comment of the format (not the text of a
multi-line string, a block scalar or a here-document) and the file still reads as it did;
``Checker.suppression`` then also checks that a new scan no longer reports the finding and
reports nothing new. Formats without line comments (JSON, notebooks) and the report-only
ones get no such action."""

from __future__ import annotations

import ast
import io
import re
import shlex
import tokenize
import warnings
from pathlib import PurePath
from typing import Callable, Dict, Iterator, List, Tuple

from codemod import suppressions
from codemod.ftypes import Edit, Finding, SourceText

OPENERS = {"python": "#", "javascript": "//", "yaml": "#", "dotenv": "#", "shell": "#"}
_MAKEFILES = re.compile(r"(?:GNUmakefile|[Mm]akefile|.*\.mk)\Z")


def directive(opener: str, codes: List[str]) -> str:
    return f"{opener} v4-migrate: ignore[{', '.join(codes)}]"


class Placement:
    """An edit that adds the comment, and the line the comment is on in the edited text."""

    def __init__(self, edit: Edit, line: int, shift: int, covers: Tuple[int, ...], joins: bool = False):
        self.edit = edit
        self.line = line
        self.shift = shift  # lines added above the finding's line
        self.covers = covers  # the lines of the text before whose findings of the rule the comment covers
        self.joins = joins  # a code added to a directive already there


def placements(source: SourceText, finding: Finding, fmt: str, path: str) -> Iterator[Placement]:
    """Where the comment could go, best first (each still to be checked)."""
    opener = OPENERS.get(fmt)
    if opener is None:
        return
    line = finding.line
    for found in suppressions.directives_in(source):
        covers_line = found.line == line or (found.own_line and found.line == line - 1)
        if covers_line and found.codes and not found.noqa and found.opener == opener:
            text = source.text[found.start:found.end]
            codes = list(found.codes) + [finding.rule]
            covers = (found.line, found.line + 1) if found.own_line else (found.line,)
            yield Placement(Edit(found.start, found.end, text[: text.index("[")] + "[" + ", ".join(codes) + "]"), found.line, 0,
                            covers, joins=True)
            return
    start = source.line_start(line)
    text = source.line_text(line)
    comment = directive(opener, [finding.rule])
    if not (fmt == "shell" and _MAKEFILES.match(PurePath(path).name)):
        yield Placement(Edit(start + len(text), start + len(text), "  " + comment), line, 0, (line,))
    indent = "" if fmt == "shell" else text[: len(text) - len(text.lstrip(" \t"))]
    yield Placement(Edit(start, start, indent + comment + source.newline()), line, 1, (line,))


def is_comment(fmt: str, before: str, after: str, line: int, comment: str, path: str) -> bool:
    """Whether ``comment``, on ``line`` of ``after``, is a comment there and the file otherwise
    reads as ``before`` does."""
    check = _CHECKS.get(fmt)
    try:
        return check is not None and check(before, after, line, comment, path)
    except Exception:  # a reader that cannot cope with the text: not offered
        return False


def _python(before: str, after: str, line: int, comment: str, path: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in the file are not ours to report
        if _parses(before) and not _parses(after):
            return False
    tokens = tokenize.generate_tokens(io.StringIO(after).readline)
    return any(t.type == tokenize.COMMENT and t.start[0] == line and comment in t.string for t in tokens)


def _parses(text: str) -> bool:
    try:
        compile(text, "<buffer>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except (SyntaxError, ValueError):
        return False


def _javascript(before: str, after: str, line: int, comment: str, path: str) -> bool:
    from codemod.scanners import _jstree as tree

    offsets = tree.Offsets(after)
    source = SourceText(after)
    for block in tree.blocks(after, path):
        start = offsets.byte(block.start)
        root = tree.parser(block.dialect).parse(offsets.data[start:offsets.byte(block.end)]).root_node
        if root.has_error:
            return False
        for node in tree.nodes_of(root, ("comment",)):
            at = offsets.char(start + node.start_byte)
            if source.position(at)[0] == line and comment in tree.text_of(node):
                return True
    return False


def _yaml(before: str, after: str, line: int, comment: str, path: str) -> bool:
    import yaml

    def events(text: str) -> List[Tuple]:
        return [(type(e).__name__, getattr(e, "value", None), getattr(e, "tag", None), getattr(e, "anchor", None))
                for e in yaml.parse(text, Loader=yaml.SafeLoader)]

    return events(before) == events(after) and comment in SourceText(after).line_text(line)


def _dotenv(before: str, after: str, line: int, comment: str, path: str) -> bool:
    from codemod.scanners import dotenv

    def bindings(text: str) -> List[Tuple[str, str]]:
        return [(item.key, item.value) for item in dotenv.parse(text) if isinstance(item, dotenv.Binding)]

    source = SourceText(after)
    items = list(dotenv.parse(after))
    comments = [item for item in items if isinstance(item, dotenv.Comment)]
    comments += [item.comment for item in items if isinstance(item, dotenv.Binding) and item.comment is not None]
    return bindings(before) == bindings(after) and any(
        source.position(c.start)[0] == line and comment in after[c.start:c.end] for c in comments)


def _shell(before: str, after: str, line: int, comment: str, path: str) -> bool:
    """Shell has no reader here: the line must split into the same words with and without the
    comment (so it opens no quote), no line above may continue onto it or open a here-document."""
    source = SourceText(after)
    text = source.line_text(line)
    if "<<" in after[: source.line_start(line)]:
        return False
    if text.strip() == comment and line > 1 and source.line_text(line - 1).endswith("\\"):
        return False  # a line of its own inside a continued command
    at = text.index(comment)
    if at and not text[at - 1].isspace():
        return False

    def words(part: str) -> List[str]:
        lexer = shlex.shlex(part, posix=True, punctuation_chars=True)
        lexer.commenters = "#"
        return list(lexer)

    return words(text[:at]) == words(text) and not text[:at].rstrip().endswith("\\")


_CHECKS: Dict[str, Callable[[str, str, int, str, str], bool]] = {
    "python": _python, "javascript": _javascript, "yaml": _yaml, "dotenv": _dotenv, "shell": _shell,
}
