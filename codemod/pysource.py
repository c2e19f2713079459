"""Small helpers on LibCST nodes and the original text, shared by the Python scanner and the
retry fixer: names, keyword arguments, adding an item to a bracketed list in its layout; and the
cheap versions of LibCST's own parse (without its checks of each node), walk and positions."""

from __future__ import annotations

import bisect
import dataclasses
import operator
import threading
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst._nodes.base import CSTNode
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


def parse_module(text: str) -> cst.Module:
    """``cst.parse_module(text)``, without the check LibCST runs on each node as the parser makes
    it (``CSTNode.__post_init__`` calls ``_validate``: about 30% of a parse). The check is for
    trees built by hand; a parsed tree is valid as the grammar made it. Where LibCST's nodes are
    checked some other way (another version), this is the plain parse."""
    global _parsing
    if _VALIDATE is None:
        return cst.parse_module(text)
    with _UNCHECKED_PARSE:  # (nodes made by another thread meanwhile go unchecked too)
        _parsing = True
        try:
            return cst.parse_module(text)
        finally:
            _parsing = False


def _validating_post_init(node_class: type) -> Optional[Callable]:
    """``node_class.__post_init__`` (LibCST's CSTNode's) when all it does is call
    ``self._validate()``; else None."""
    post_init = vars(node_class).get("__post_init__")
    code = getattr(post_init, "__code__", None)
    if code is None or code.co_names != ("_validate",) or code.co_argcount != 1:
        return None
    return post_init


def _post_init(self: cst.CSTNode) -> None:
    if not _parsing:
        self._validate()


_parsing = False
_VALIDATE = _validating_post_init(CSTNode)
_UNCHECKED_PARSE = threading.Lock()
if _VALIDATE is not None:
    # set once: a class attribute changed at each parse would reset the interpreter's caches of
    # every node class's attributes, which cost more than the check saved
    CSTNode.__post_init__ = _post_init


# Nodes with no node below them.
LEAVES: FrozenSet[type] = frozenset({cst.SimpleWhitespace, cst.Newline})
# Nodes with only whitespace, comments and punctuation below them.
TRIVIA: FrozenSet[type] = LEAVES | {
    cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment, cst.Comma, cst.Dot, cst.AssignEqual,
    cst.Colon, cst.Semicolon, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace,
}


class Visitor(cst.CSTVisitor):
    """A CSTVisitor that finds its ``visit_<Node>``/``leave_<Node>`` methods once per node type
    and has no per-attribute hooks (nothing here uses them): LibCST's builds and looks up one
    method name per node and visit, and two per attribute."""

    # Node types a subclass has nothing to do with, nor with anything below them: visit_tree
    # does not enter them (no on_visit, no on_leave). Whitespace alone is about 40% of a
    # module's nodes.
    unvisited: FrozenSet[type] = frozenset()

    # per subclass: node type -> its visit_/leave_ method, or None (filled in as types are met)
    _visits: Dict[type, Optional[Callable]] = {}
    _leaves: Dict[type, Optional[Callable]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._visits, cls._leaves = {}, {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        node_type = type(node)
        try:
            method = self._visits[node_type]
        except KeyError:
            method = self._visits[node_type] = getattr(type(self), f"visit_{node_type.__name__}", None)
        return method is None or method(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        node_type = type(original_node)
        try:
            method = self._leaves[node_type]
        except KeyError:
            method = self._leaves[node_type] = getattr(type(self), f"leave_{node_type.__name__}", None)
        if method is not None:
            method(self, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


def visit_tree(node: cst.CSTNode, visitor: Visitor) -> None:
    """``node.visit(visitor)``: the same ``on_visit``/``on_leave`` calls on the same nodes in the
    same order, without the copy of every visited node LibCST's visit builds (about a tenth of
    a file's scan), and none on the nodes of ``visitor.unvisited`` types and below them. The
    attribute hooks are not called: Visitor has none."""
    if visitor.on_visit(node):
        for child in _children(node, visitor.unvisited):
            visit_tree(child, visitor)
    visitor.on_leave(node)


def _children(node: cst.CSTNode, unvisited: FrozenSet[type] = frozenset()) -> List[cst.CSTNode]:
    """The nodes LibCST visits below ``node``, in its order; none of the ``unvisited`` types."""
    node_type = type(node)
    values = _CHILD_VALUES.get(node_type)
    if values is None or (node_type in _UNSEEN and any(getattr(node, name) is not None for name in _UNSEEN[node_type])):
        values = _learn_child_values(node)
    children: List[cst.CSTNode] = []
    is_node = _IS_NODE_TYPE.get
    for value in values(node):
        value_type = type(value)
        if value_type is tuple or value_type is list:
            for item in value:
                item_type = type(item)
                known = is_node(item_type)
                if (known or (known is None and _is_node_type(item_type))) and item_type not in unvisited:
                    children.append(item)
        else:
            known = is_node(value_type)
            if (known or (known is None and _is_node_type(value_type))) and value_type not in unvisited:
                children.append(value)
    return children


# per node type: a function giving the values of the attributes LibCST visits, in its order
_CHILD_VALUES: Dict[type, Callable[[cst.CSTNode], Tuple[object, ...]]] = {}
# A type visits its attributes in a fixed order, but may skip one that is None (an f-string
# expression's ``format_spec``). Per type whose order was learnt where such attributes were
# None: their names; the order is learnt again from the first node that has one of them.
_UNSEEN: Dict[type, Tuple[str, ...]] = {}


def _learn_child_values(node: cst.CSTNode) -> Callable[[cst.CSTNode], Tuple[object, ...]]:
    node_type = type(node)
    order = _visit_order(node)
    unseen = tuple(name for name in _field_names(node_type) if name not in order and getattr(node, name) is None)
    if unseen:
        _UNSEEN[node_type] = unseen
    else:
        _UNSEEN.pop(node_type, None)
    if len(order) > 1:
        values = operator.attrgetter(*order)  # one call in C for all of them
    elif order:
        name = order[0]
        values = lambda child: (getattr(child, name),)  # noqa: E731
    else:
        values = lambda child: ()  # noqa: E731
    _CHILD_VALUES[node_type] = values
    return values


def _field_names(node_type: type) -> Tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(node_type))


def _visit_order(node: cst.CSTNode) -> Tuple[str, ...]:
    """The attributes LibCST visits for ``node``, in its order (not the fields' order): asked of
    LibCST itself."""
    probe = _AttributeOrder()
    node._visit_and_replace_children(probe)
    return tuple(probe.attributes)


class _AttributeOrder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: List[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # only the node probed has its attributes visited

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.attributes.append(attribute)


# type -> whether it is a CSTNode class, found once per type from its MRO (isinstance and
# issubclass on LibCST's abstract classes go through ABCMeta: slow)
_IS_NODE_TYPE: Dict[type, bool] = {}


def _is_node_type(value_type: type) -> bool:
    known = _IS_NODE_TYPE[value_type] = cst.CSTNode in getattr(value_type, "__mro__", ())
    return known


class _OffsetCodegenState(CodegenState):
    """LibCST's position-providing codegen, with plain offsets instead of a CodeRange of two
    CodePositions per node: about five times cheaper, and a file needs few of the ranges.
    ``syntactic`` follows PositionProvider (it narrows ranges exactly where LibCST does);
    ``inclusive`` follows WhitespaceInclusivePositionProvider."""

    def __init__(self, default_indent: str, default_newline: str):
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        # keyed by id(node): a node's own __hash__ is a Python call, an int's is not (every node
        # of the module is recorded, and the module keeps them all alive, so no id is reused)
        self.syntactic: Dict[int, Tuple[int, int]] = {}
        self.inclusive: Dict[int, Tuple[int, int]] = {}
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
        key = id(node)
        self.inclusive[key] = span
        self.syntactic.setdefault(key, span)

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
        start = syntactic[id(self.start_node)][0] if self.start_node is not None else self.start
        end = syntactic[id(self.end_node)][1] if self.end_node is not None else self.state.offset
        syntactic[id(self.node)] = (start, end)


class OffsetPositions(Mapping):
    """PositionProvider's ranges for a module, from a cheap codegen; CodeRange objects are made
    only for the nodes looked up.

    Given the line each top-level statement starts on (``statement_lines``: decorators
    included, leading comments not), the codegen runs a statement at a time, when a span in it
    is first asked for: about half of a pruned module's nodes are never asked about (imports,
    mostly). Each statement run is checked against the text between its start and the next
    one's, and the module's header and footer lines are, so every offset looked up is where the
    whole module's codegen puts it. Without the lines, or where they do not fit the module (a
    file without a final newline, one the lines miscount), the codegen runs on the whole module
    at once, as LibCST's does."""

    def __init__(self, module: cst.Module, source: SourceText, statement_lines: Optional[Sequence[int]] = None):
        self.module = module
        self.source = source
        self._state = _OffsetCodegenState(module.default_indent, module.default_newline)
        self.spans = self._state.syntactic
        self.inclusive = self._state.inclusive
        # per top-level statement: where its text starts (leading comments included), then where
        # the footer starts; None once the whole module is generated
        self._starts: Optional[List[int]] = None
        self._generated: List[bool] = []
        self._owners: Dict[int, int] = {}  # id(node) -> its statement, for the statements walked
        self._walked = 0  # the statements before this one are walked or generated
        if statement_lines is not None:
            self._starts = self._statement_starts(statement_lines)
        if self._starts is None:
            self._generate_all()
        else:
            self._generated = [False] * len(module.body)

    def _generate_all(self, checked: bool = True) -> None:
        state = self._state
        state.tokens, state.offset = [], 0
        self.spans.clear()
        self.inclusive.clear()
        self.module._codegen(state)
        if checked and not self.source.text.startswith("".join(state.tokens)[: len(self.source.text)]):
            raise ValueError("codegen does not reproduce the file")
        self._starts = None

    def _statement_starts(self, lines: Sequence[int]) -> Optional[List[int]]:
        """Each statement's start and the footer's, where they fit the module; their header and
        footer generated and checked."""
        module, source, text = self.module, self.source, self.source.text
        body = module.body
        if not body or len(lines) != len(body) or not module.has_trailing_newline or text[-1:] not in ("\n", "\r"):
            return None
        starts: List[int] = []
        for line, statement in zip(lines, body):
            first = line - len(statement.leading_lines)
            if not 1 <= first <= source.line_count or (starts and source.line_start(first) <= starts[-1]):
                return None
            starts.append(source.line_start(first))
        footer_line = source.line_count - len(module.footer)  # the last line start is the end of the text
        if footer_line < 1 or source.line_start(footer_line) <= starts[-1]:
            return None
        starts.append(source.line_start(footer_line))
        if not (self._generates(module.header, 0, starts[0]) and self._generates(module.footer, starts[-1], len(text))):
            return None
        self.spans[id(module)] = self.inclusive[id(module)] = (0, len(text))
        return starts

    def _generates(self, nodes: Sequence[cst.CSTNode], start: int, end: int) -> bool:
        """Generate ``nodes`` from offset ``start``: whether they give the text up to ``end``."""
        state = self._state
        state.tokens, state.offset = [], start
        for node in nodes:
            node._codegen(state)
        return state.offset == end and self.source.text.startswith("".join(state.tokens), start)

    def _generate(self, index: int) -> None:
        """Generate top-level statement ``index``; ValueError if it is not the text it spans."""
        starts = self._starts
        if not self._generates((self.module.body[index],), starts[index], starts[index + 1]):
            raise ValueError("codegen does not reproduce the file")
        self._generated[index] = True

    def _find(self, key: int) -> bool:
        """Generate the statement holding the node ``id(node) == key``: found by walking the
        statements not generated, in order; the whole module where none holds it."""
        if self._starts is None:
            return False
        owner = self._owners.get(key)
        body = self.module.body
        while owner is None and self._walked < len(body):
            index = self._walked
            self._walked += 1
            if not self._generated[index]:
                for node_id in _subtree_ids(body[index]):
                    self._owners[node_id] = index
                owner = self._owners.get(key)
        try:
            if owner is None:
                self._generate_all()
            elif not self._generated[owner]:
                self._generate(owner)
        except ValueError:  # not what the statement spans: the whole module's offsets, as they come
            self._generate_all(checked=False)
        return key in self.spans

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        try:
            return self.spans[id(node)]
        except KeyError:
            if not self._find(id(node)):
                raise
            return self.spans[id(node)]

    def statements_at(self, offsets: Iterable[int]) -> Set[cst.CSTNode]:
        """The top-level statements whose text (leading comments included) holds an offset
        (generated, if not yet: their spans are asked for next)."""
        body = list(self.module.body)
        if self._starts is not None:
            starts, ends = self._starts[:-1], self._starts[1:]
        else:
            starts = [self.inclusive[id(statement)][0] for statement in body]
            ends = [self.inclusive[id(statement)][1] for statement in body]
        found: Set[cst.CSTNode] = set()
        for offset in offsets:
            index = bisect.bisect_right(starts, offset) - 1
            if index >= 0 and offset < ends[index]:
                if self._starts is not None and not self._generated[index]:
                    self._generate(index)
                found.add(body[index])
        return found

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start, end = self.span(node)
        return CodeRange(self._position(start), self._position(end))

    def _position(self, offset: int) -> CodePosition:
        if offset > len(self.source.text):  # past the final newline codegen adds to a file without one
            return CodePosition(self.source.line_count + 1, 0)
        line, column = self.source.position(offset)
        return CodePosition(line, column - 1)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        if self._starts is not None:
            self._generate_all(checked=False)
        pending: List[cst.CSTNode] = [self.module]
        while pending:  # the module's nodes that the codegen wrote (a few that it does not, it skips)
            node = pending.pop()
            if id(node) in self.spans:
                yield node
            pending += _children(node)

    def __len__(self) -> int:
        if self._starts is not None:
            self._generate_all(checked=False)
        return len(self.spans)


def _subtree_ids(node: cst.CSTNode) -> List[int]:
    ids = [id(node)]
    pending = [node]
    while pending:
        children = _children(pending.pop())
        ids += map(id, children)
        pending += children
    return ids
