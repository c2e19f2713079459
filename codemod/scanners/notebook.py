"""The Jupyter notebook scanner (.ipynb, nbformat 4).

Code cells go through the Python scanner; markdown and raw cells are prose (DS003). Outputs and
metadata are never scanned nor rewritten: they are regenerated when the cell runs.

IPython syntax is masked before parsing so that it cannot break a cell: a line magic or shell
line (``%pip …``, ``!ollama pull …``, ``files = !ls``, ``obj?``, automagic ``pip install``) has
its first character replaced by ``#``, which keeps every offset; a continued line (trailing
``\\``) is masked with it. A cell whose first line is a cell magic is Python only for
``%%time``, ``%%timeit``, ``%%capture`` and the like (first line masked); any other (``%%bash``,
``%%writefile``) is not parsed. Ids on masked lines, in non-Python cells and in cells that do not
parse are DS005 (found by text, not fixed).

Where a finding is: ``line`` and ``column`` (and their ends) are the absolute position in the
.ipynb file, that is inside the JSON string token of the source line, so every reporter points
at a real line of the file; ``extra["cell"]`` is the 1-based index of the cell among all cells
(as VS Code and nbQA number them) and ``extra["cell_line"]`` the 1-based line within the cell.
The snippet is the cell's line, not the JSON line.

A fix is a set of edits on the .ipynb text: an edit inside one source line re-encodes only the
changed characters of that JSON string token; an edit that adds lines (``import os\\n``) adds
elements to the cell's ``source`` list, with the list's own indentation; ``source`` given as
one string is edited inside that string. Indentation, key order, outputs, metadata and the
trailing newline of the file never change. Each cell is scanned alone, so a fix may add
``import os`` to a cell even when an earlier cell imports it.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple

from codemod import redact
from codemod.catalog import IdMatch
from codemod.ftypes import Edit, Finding, ScanContext, ScanError, SourceText
from codemod.scanners import _common as common
from codemod.scanners import _jsontree
from codemod.scanners._common import Decision
from codemod.scanners._jsontree import ARRAY, OBJECT, STRING, JsonNode

# Lines IPython transforms before Python sees them.
_IPYTHON_LINE = re.compile(
    r"""[ \t]*(?:
        [!%]                                              # %magic, !shell
      | [\w.]+(?:[ \t]*,[ \t]*[\w.]+)*[ \t]*=[ \t]*[!%]   # x = !ls, y = %time f()
      | \?{1,2}[\w.]                                      # ?obj
      | [\w.]+\?{1,2}[ \t]*$                              # obj?
      | (?:pip|conda|mamba|uv[ \t]+pip)[ \t]+(?:install|uninstall)\b   # automagic
    )""",
    re.VERBOSE,
)
# Cell magics whose body is Python.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "python", "python3", "debug"})
_SOURCE_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # an element of a `source` list, as nbformat splits
_PYTHON_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line as Python (and SourceText) count them
_PARSE_FLAGS = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


@dataclass
class Piece:
    node: JsonNode  # a string token of the cell's source
    start: int  # its decoded text's span in the cell text
    end: int


@dataclass
class Cell:
    number: int  # 1-based, among all cells
    kind: str  # "code", "markdown" or "raw"
    source: JsonNode  # the `source` value: a list of strings or one string
    pieces: List[Piece]
    text: str

    def piece_at(self, offset: int, is_end: bool = False) -> Piece:
        """The piece holding a cell offset; at a boundary, the following piece (the one before,
        for the end of a span)."""
        for piece in self.pieces:
            if piece.start <= offset < piece.end or (is_end and piece.start < offset <= piece.end):
                return piece
        return self.pieces[-1]

    def to_file(self, file_text: str, offset: int, is_end: bool = False) -> int:
        piece = self.piece_at(offset, is_end)
        return piece.node.raw_offset(file_text, offset - piece.start)


def read_cells(root: JsonNode) -> List[Cell]:
    cells_node = root.get("cells") if root.kind == OBJECT else None
    if cells_node is None or cells_node.kind != ARRAY:
        raise ScanError("not an nbformat 4 notebook (no `cells` list)")
    cells = []
    for number, node in enumerate(cells_node.items, start=1):
        if node.kind != OBJECT:
            continue
        kind, source = node.get("cell_type"), node.get("source")
        if source is None or kind is None or kind.kind != STRING:
            continue
        nodes = [source] if source.kind == STRING else [n for n in source.items if n.kind == STRING]
        pieces, offset = [], 0
        for string in nodes:
            pieces.append(Piece(string, offset, offset + len(string.value)))
            offset += len(string.value)
        if pieces:
            cells.append(Cell(number, kind.value, source, pieces, "".join(p.node.value for p in pieces)))
    return cells


def language(data: Any) -> str:
    """The kernel's language, lower-case; Python when the metadata does not say."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    for table, key in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(table) if isinstance(metadata, dict) else None
        value = section.get(key) if isinstance(section, dict) else None
        if isinstance(value, str) and value:
            return value.lower()
    return "python"


# -- masking IPython syntax -----------------------------------------------------------------------


def cell_magic(text: str) -> Optional[str]:
    """The name of the cell magic on the first line (`bash` for `%%bash`), or None."""
    m = re.match(r"[ \t]*%%(\w+)", text)
    return m.group(1) if m else None


def mask(text: str) -> Tuple[str, Set[int]]:
    """The cell with IPython-only lines turned into same-length comments, and their 1-based
    line numbers."""
    lines = _PYTHON_LINE.findall(text)
    masked: Set[int] = set()
    continued = False
    for index, line in enumerate(lines):
        is_magic = (index == 0 and cell_magic(line) is not None) or _IPYTHON_LINE.match(line) is not None
        if continued or is_magic:
            masked.add(index + 1)
            stripped = line.lstrip(" \t")
            if stripped and stripped[0] not in "\r\n":
                lines[index] = line[: len(line) - len(stripped)] + "#" + stripped[1:]
            continued = line.rstrip("\r\n").endswith("\\")
    return "".join(lines), masked


def is_python_cell(cell: Cell, notebook_language: str) -> bool:
    magic = cell_magic(cell.text)
    return cell.kind == "code" and notebook_language == "python" and (magic is None or magic in PYTHON_CELL_MAGICS)


# -- scanning -------------------------------------------------------------------------------------


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    data = _jsontree.load(source.text)
    cells = read_cells(_jsontree.parse(source.text))
    notebook_language = language(data)
    findings: List[Finding] = []
    for cell in cells:
        # The engine's byte prefilter, on the decoded cell: JSON escapes hide `deepseek-"`.
        if ctx.catalog.may_contain(cell.text.encode("utf-8", "surrogatepass")):
            findings += CellScan(source, ctx, cell, notebook_language).run()
    return findings


def verify(text: str, original: Optional[str] = None) -> None:
    """The file is still JSON and every Python code cell still parses (IPython lines masked),
    unless the same cell of ``original`` did not parse either: a fix of one cell is not held
    back by another that was broken before it."""
    data = _jsontree.load(text)
    notebook_language = language(data)
    broken_before = _broken_cells(original) if original is not None else {}
    for cell in read_cells(_jsontree.parse(text)):
        if is_python_cell(cell, notebook_language):
            problem = _cell_problem(cell)
            if problem and broken_before.get(cell.number) != cell.text:
                raise ScanError(f"cell {cell.number} does not parse: {problem}")


def _cell_problem(cell) -> Optional[str]:
    try:
        compile(mask(cell.text)[0], f"<cell {cell.number}>", "exec", flags=_PARSE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return str(exc)
    return None


def _broken_cells(text: str) -> Dict[int, str]:
    """The Python cells of a notebook that do not parse, by number, with their text."""
    try:
        data = _jsontree.load(text)
        cells = read_cells(_jsontree.parse(text))
    except (ScanError, ValueError):
        return {}
    notebook_language = language(data)
    return {cell.number: cell.text for cell in cells if is_python_cell(cell, notebook_language) and _cell_problem(cell)}


class CellScan:
    """The findings of one cell, located in the .ipynb file."""

    def __init__(self, source: SourceText, ctx: ScanContext, cell: Cell, notebook_language: str):
        self.source = source
        self.ctx = ctx
        self.cell = cell
        self.cell_source = SourceText(cell.text)
        self.language = notebook_language

    def run(self) -> List[Finding]:
        cell = self.cell
        if cell.kind != "code":
            return self.text_findings(common.mention(f"in a {cell.kind} cell"))
        if self.language != "python":
            return self.text_findings(common.unparsed(f"in a {self.language} code cell; not fixed"))
        magic = cell_magic(cell.text)
        if magic is not None and magic not in PYTHON_CELL_MAGICS:
            return self.text_findings(common.unparsed(f"in a %%{magic} cell; not fixed"))
        return self.python_findings()

    def python_findings(self) -> List[Finding]:
        from codemod.scanners import python as python_scanner

        masked_text, masked_lines = mask(self.cell.text)
        try:
            found = python_scanner.scan(SourceText(masked_text), self.ctx)
        except ScanError as exc:
            return self.text_findings(common.unparsed(f"in a code cell that does not parse ({exc}); not fixed"))
        findings = [self.relocate(f) for f in found if f.line not in masked_lines]
        magic_line = common.unparsed("on an IPython magic or shell line; not fixed")
        for line in sorted(masked_lines):
            start = self.cell_source.line_start(line)
            findings += self.text_findings(magic_line, start, start + len(self.cell_source.line_text(line)))
        return findings

    # -- locating -------------------------------------------------------------------------------

    def located(self, start: int, end: int) -> Tuple[int, int]:
        """File offsets of a span of the cell text."""
        text = self.source.text
        if start == end:
            at = self.cell.to_file(text, start)
            return at, at
        return self.cell.to_file(text, start), self.cell.to_file(text, end, is_end=True)

    def where(self, cell_offset: int) -> Dict[str, Any]:
        line, column = self.cell_source.position(cell_offset)
        snippet = redact.snippet(self.cell_source.line_text(line), column - 1)
        return {"extra": {"cell": self.cell.number, "cell_line": line}, "snippet": snippet}

    def text_findings(self, decision: Decision, start: int = 0, end: Optional[int] = None) -> List[Finding]:
        """A finding without a fix for each id in the cell text (or a span of it)."""
        findings = []
        for match in common.occurrences(self.cell.text[start:end], self.ctx):
            cell_start = start + match.start
            file_start, file_end = self.located(cell_start, cell_start + len(match.legacy))
            located = IdMatch(file_start, file_end, match.model, match.prefix)
            findings.append(common.id_finding(self.source, self.ctx, located, decision, **self.where(cell_start)))
        return findings

    def relocate(self, finding: Finding) -> Finding:
        """A Python scanner finding on the cell, moved into the .ipynb file."""
        start = self.cell_source.offset(finding.line, finding.column - 1)
        end = self.cell_source.offset(finding.end_line, finding.end_column - 1)
        file_start, file_end = self.located(start, end)
        line, column = self.source.position(file_start)
        end_line, end_column = self.source.position(file_end)
        where = self.where(start)
        return dataclasses.replace(
            finding,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            edits=tuple(self.translate(edit) for edit in finding.edits),
            snippet=where["snippet"],
            extra={**finding.extra, **where["extra"]},
        )

    # -- edits ----------------------------------------------------------------------------------

    def translate(self, edit: Edit) -> Edit:
        """An edit of the cell text as an edit of the .ipynb text."""
        cell, text = self.cell, self.source.text
        ascii_only = _jsontree.prefers_ascii(text)
        start, end = self.located(edit.start, edit.end)
        first = cell.piece_at(edit.start)
        last = cell.piece_at(edit.end, is_end=True) if edit.end > edit.start else first
        one_string = cell.source.kind == STRING
        if one_string or (first is last and "\n" not in edit.replacement):
            return Edit(start, end, _jsontree.escape(edit.replacement, ascii_only))
        encode = lambda line: '"' + _jsontree.escape(line, ascii_only) + '"'  # noqa: E731
        gap = self.list_gap()
        if edit.start == edit.end == first.start and edit.replacement.endswith("\n"):
            # Whole new lines before a line: new list elements.
            added = "".join(encode(line) + "," + gap for line in _SOURCE_LINE.findall(edit.replacement))
            return Edit(first.node.start, first.node.start, added)
        # Anything else: rewrite the elements the edit touches, split into lines again.
        new_text = (
            first.node.value[: edit.start - first.start] + edit.replacement + last.node.value[edit.end - last.start :]
        )
        elements = ("," + gap).join(encode(line) for line in _SOURCE_LINE.findall(new_text))
        return Edit(first.node.start, last.node.end, elements)

    def list_gap(self) -> str:
        """The whitespace the source list puts before its elements."""
        first = self.cell.pieces[0].node
        gap = self.source.text[self.cell.source.start + 1 : first.start]
        return gap if gap.strip() == "" and gap else " "
