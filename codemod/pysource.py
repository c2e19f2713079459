"""Small helpers on LibCST nodes and the original text, shared by the Python scanner and the
retry fixer: names, keyword arguments, and adding an item to a bracketed list in its layout."""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import libcst as cst

from codemod.ftypes import SourceText

Span = Callable[[cst.CSTNode], Tuple[int, int]]


def dotted_name(node: Optional[cst.CSTNode]) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def item_insertion(source: SourceText, span: Span, last: Optional[cst.CSTNode], closer: int, text: str) -> Tuple[int, str]:
    """Where and what to insert so that ``text`` becomes the new last item of an argument list
    or a dict whose closing bracket is at offset ``closer``: on the same line for a flat list;
    for a vertical one, on its own line with the last item's indentation."""
    if last is None:
        return closer, text
    last_start, last_end = span(last)
    comma = getattr(last, "comma", None)
    comma = comma if isinstance(comma, cst.Comma) else None
    after_last = span(comma)[1] if comma is not None else last_end
    between = source.text[last_end:closer]
    if "\n" not in between and "\r" not in between:
        return after_last, f" {text}" if comma is not None else f", {text}"
    line_start = source.line_start(source.position(last_start)[0])
    prefix = source.text[line_start:last_start]
    indent = prefix if not prefix.strip() else " " * len(prefix)
    newline = source.newline()
    closer_line_start = source.line_start(source.position(closer)[0])
    if comma is not None and not source.text[closer_line_start:closer].strip():
        # the bracket on its own line: a new line above it keeps comments where they are
        return closer_line_start, f"{indent}{text},{newline}"
    if comma is not None:
        return after_last, f"{newline}{indent}{text},"
    return last_end, f",{newline}{indent}{text}"
