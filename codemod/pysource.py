"""Small helpers on LibCST nodes and the original text, shared by the Python scanner and the
retry fixer: names, keyword arguments, adding an item to a bracketed list in its layout, and
cheap exact positions."""

from __future__ import annotations

import bisect
from typing import Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

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


def node_span(source: SourceText, positions: Mapping[cst.CSTNode, CodeRange], node: cst.CSTNode) -> Tuple[int, int]:
    """A node's offsets in the text, from OffsetPositions directly or from any CodeRange mapping."""
    if isinstance(positions, OffsetPositions):
        return positions.span(node)
    code_range = positions[node]
    return (
        source.offset(code_range.start.line, code_range.start.column),
        source.offset(code_range.end.line, code_range.end.column),
    )


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


class Visitor(cst.CSTVisitor):
    """A CSTVisitor that finds its ``visit_<Node>``/``leave_<Node>`` methods once per node type
    and has no per-attribute hooks (nothing here uses them): LibCST's builds and looks up one
    method name per node and visit, and two per attribute."""

    _dispatch: Dict[Tuple[type, str, type], Optional[Callable]] = {}

    def _method(self, prefix: str, node_type: type) -> Optional[Callable]:
        key = (type(self), prefix, node_type)
        if key not in Visitor._dispatch:
            Visitor._dispatch[key] = getattr(type(self), f"{prefix}{node_type.__name__}", None)
        return Visitor._dispatch[key]

    def on_visit(self, node: cst.CSTNode) -> bool:
        method = self._method("visit_", type(node))
        return method is None or method(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        method = self._method("leave_", type(original_node))
        if method is not None:
            method(self, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


def visit_tree(node: cst.CSTNode, visitor: Visitor) -> None:
    """``node.visit(visitor)``: the same ``on_visit``/``on_leave`` calls on the same nodes in the
    same order, without the copy of every visited node LibCST's visit builds (about a tenth of
    a file's scan). The attribute hooks are not called: Visitor has none."""
    if visitor.on_visit(node):
        for child in _children(node):
            visit_tree(child, visitor)
    visitor.on_leave(node)


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    children: List[cst.CSTNode] = []
    for name in _visit_order(node):
        value = getattr(node, name)
        if type(value) in _NODE_TYPES:
            children.append(value)
        elif type(value) is tuple or type(value) is list:
            children += [item for item in value if type(item) in _NODE_TYPES]
    return children


_VISIT_ORDER: Dict[type, Tuple[str, ...]] = {}


def _visit_order(node: cst.CSTNode) -> Tuple[str, ...]:
    """The attributes LibCST visits, in its order (not the fields' order): asked of LibCST itself,
    once per node type, as each type visits its attributes in a fixed order."""
    order = _VISIT_ORDER.get(type(node))
    if order is None:
        probe = _AttributeOrder()
        node._visit_and_replace_children(probe)
        order = _VISIT_ORDER[type(node)] = tuple(probe.attributes)
    return order


class _AttributeOrder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: List[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # only the node probed has its attributes visited

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.attributes.append(attribute)


class _NodeTypes(dict):
    """``type in _NODE_TYPES``: whether a type is a CSTNode class, found once per type from its
    MRO (isinstance and issubclass on LibCST's abstract classes go through ABCMeta: slow)."""

    def __contains__(self, value_type: object) -> bool:
        known = self.get(value_type)
        if known is None:
            known = self[value_type] = cst.CSTNode in getattr(value_type, "__mro__", ())
        return known


_NODE_TYPES = _NodeTypes()


class _OffsetCodegenState(CodegenState):
    """LibCST's position-providing codegen, with plain offsets instead of a CodeRange of two
    CodePositions per node: about five times cheaper, and a file needs few of the ranges.
    ``syntactic`` follows PositionProvider (it narrows ranges exactly where LibCST does);
    ``inclusive`` follows WhitespaceInclusivePositionProvider."""

    def __init__(self, default_indent: str, default_newline: str):
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.syntactic: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self.inclusive: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self._starts: List[int] = []

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        self.offset += sum(len(token) for token in self.indent_tokens)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        span = (self._starts.pop(), self.offset)
        self.inclusive[node] = span
        self.syntactic.setdefault(node, span)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None) -> "_SyntacticSpan":
        return _SyntacticSpan(self, node, start_node, end_node)


class _SyntacticSpan:
    """``with state.record_syntactic_position(node)``: a plain class, as it is entered for
    most nodes (a @contextmanager generator costs about three times as much)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _OffsetCodegenState, node, start_node, end_node):
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:  # nothing recorded; an interrupt unwinding through here goes on
            return
        syntactic = self.state.syntactic
        start = syntactic[self.start_node][0] if self.start_node is not None else self.start
        end = syntactic[self.end_node][1] if self.end_node is not None else self.state.offset
        syntactic[self.node] = (start, end)


class OffsetPositions(Mapping):
    """PositionProvider's ranges for a module, from one cheap codegen pass; CodeRange objects
    are made only for the nodes looked up."""

    def __init__(self, module: cst.Module, source: SourceText):
        state = _OffsetCodegenState(module.default_indent, module.default_newline)
        module._codegen(state)
        if not source.text.startswith("".join(state.tokens)[: len(source.text)]):
            raise ValueError("codegen does not reproduce the file")
        self.module = module
        self.source = source
        self.spans = state.syntactic
        self.inclusive = state.inclusive

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        return self.spans[node]

    def statements_at(self, offsets: Iterable[int]) -> Set[cst.CSTNode]:
        """The top-level statements whose text (leading comments included) holds an offset."""
        body = list(self.module.body)
        starts = [self.inclusive[statement][0] for statement in body]
        found: Set[cst.CSTNode] = set()
        for offset in offsets:
            index = bisect.bisect_right(starts, offset) - 1
            if index >= 0 and offset < self.inclusive[body[index]][1]:
                found.add(body[index])
        return found

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start, end = self.spans[node]
        return CodeRange(self._position(start), self._position(end))

    def _position(self, offset: int) -> CodePosition:
        if offset > len(self.source.text):  # past the final newline codegen adds to a file without one
            return CodePosition(self.source.line_count + 1, 0)
        line, column = self.source.position(offset)
        return CodePosition(line, column - 1)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)
