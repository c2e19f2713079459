"""Tree-sitter for the JavaScript/TypeScript scanner: the grammar of each file kind, the
`<script>` blocks of Vue and Svelte files, offsets between tree-sitter's UTF-8 bytes and the
decoded text, and small questions asked of nodes.

Tree-sitter recovers from syntax errors instead of failing, so a tree with an ERROR or MISSING
node is treated as a file that does not parse: it is reported by text and never fixed."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, List, Optional, Tuple

from tree_sitter import Language, Node, Parser

JAVASCRIPT, TYPESCRIPT, TSX = "javascript", "typescript", "tsx"
SFC_SUFFIXES = (".vue", ".svelte")

_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_TS_LANG = re.compile(r"""\blang\s*=\s*["']?(?:ts|typescript)\b""", re.I)


@lru_cache(maxsize=None)
def parser(dialect: str) -> Parser:
    if dialect == JAVASCRIPT:
        import tree_sitter_javascript as grammar

        return Parser(Language(grammar.language()))
    import tree_sitter_typescript as grammar

    return Parser(Language(grammar.language_tsx() if dialect == TSX else grammar.language_typescript()))


def dialect_for(path: str) -> str:
    """The grammar of a file by its name. `.js`/`.jsx` take the JavaScript grammar, which has JSX."""
    lower = path.lower()
    if lower.endswith(".tsx"):
        return TSX
    if lower.endswith((".ts", ".mts", ".cts")):
        return TYPESCRIPT
    return JAVASCRIPT


def is_typescript(dialect: str) -> bool:
    return dialect in (TYPESCRIPT, TSX)


@dataclass(frozen=True)
class Block:
    """A region of a file that is JavaScript or TypeScript: the whole file, or a `<script>`."""

    start: int  # offset into the decoded file
    end: int
    dialect: str


def blocks(text: str, path: str) -> List[Block]:
    if not path.lower().endswith(SFC_SUFFIXES):
        return [Block(0, len(text), dialect_for(path))]
    return [Block(m.start("body"), m.end("body"), TYPESCRIPT if _TS_LANG.search(m.group("attrs")) else JAVASCRIPT)
            for m in _SCRIPT.finditer(text)]


class Offsets:
    """Offsets between the UTF-8 bytes tree-sitter counts in and the characters of the text."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self._bytes: List[int] = []  # the byte offset of each non-ASCII character...
        self._extra: List[int] = []  # ...and the bytes more than one seen before and at it
        if not self.ascii:
            extra = 0
            position = 0
            for index, char in enumerate(text):
                width = len(char.encode("utf-8", "surrogatepass"))
                if width > 1:
                    self._bytes.append(position)
                    extra += width - 1
                    self._extra.append(extra)
                position += width

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        index = bisect.bisect_left(self._bytes, byte) - 1  # the wide characters wholly before it
        return byte - (self._extra[index] if index >= 0 else 0)

    def byte(self, char: int) -> int:
        if self.ascii:
            return char
        low, high = char, char + (self._extra[-1] if self._extra else 0)
        while low < high:  # the smallest byte offset whose character offset is `char`
            middle = (low + high) // 2
            if self.char(middle) < char:
                low = middle + 1
            else:
                high = middle
        return low


def has_syntax_error(node: Node) -> bool:
    return node.has_error


def first_error(node: Node) -> Optional[Node]:
    """The first ERROR or MISSING node under ``node``."""
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = first_error(child)
            if found is not None:
                return found
    return None


def text_of(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def string_value(node: Optional[Node]) -> Optional[str]:
    """The value of a string literal, or of a template literal without substitutions; None for
    anything else (or a literal with escapes, whose value is not its text)."""
    if node is None:
        return None
    if node.type == "string":
        inner = text_of(node)[1:-1]
    elif node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        inner = text_of(node)[1:-1]
    else:
        return None
    return None if "\\" in inner else inner


def key_name(pair: Node) -> Optional[str]:
    """The key of an object `pair` (or the name of a shorthand property), as a string."""
    if pair.type in ("shorthand_property_identifier", "shorthand_property_identifier_pattern"):
        return text_of(pair)
    key = pair.child_by_field_name("key")
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier", "private_property_identifier"):
        return text_of(key)
    return string_value(key)


def object_members(obj: Node) -> List[Node]:
    """The named members of an object literal: pairs, shorthand properties, spreads, methods."""
    return [child for child in obj.named_children if child.type != "comment"]


def member(obj: Node, name: str) -> Optional[Node]:
    """The member of an object literal with key ``name`` (a pair or a shorthand property)."""
    for child in object_members(obj):
        if child.type in ("pair", "shorthand_property_identifier") and key_name(child) == name:
            return child
    return None


def member_value(obj: Node, name: str) -> Optional[Node]:
    found = member(obj, name)
    if found is None:
        return None
    return found if found.type == "shorthand_property_identifier" else found.child_by_field_name("value")


def unwrap(node: Optional[Node]) -> Optional[Node]:
    """The expression inside parentheses and TypeScript's `as`, `satisfies` and `!`."""
    while node is not None and node.type in ("parenthesized_expression", "as_expression", "satisfies_expression",
                                               "non_null_expression", "type_assertion"):
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if node.type != "type_assertion" else (inner[-1] if inner else None)
    return node


def callee(call: Node) -> str:
    """`client.chat.completions.create` for a call of it; "" when the callee is not a name chain.
    A chain that starts at a call or `new` (`new OpenAI().chat...`) keeps only its names."""
    func = call.child_by_field_name("function") if call.type == "call_expression" else call.child_by_field_name("constructor")
    parts: List[str] = []
    while func is not None:
        if func.type in ("identifier", "property_identifier", "this"):
            parts.append(text_of(func))
            break
        if func.type == "member_expression":
            prop = func.child_by_field_name("property")
            parts.append(text_of(prop) if prop is not None else "")
            func = func.child_by_field_name("object")
            continue
        if func.type in ("call_expression", "new_expression", "await_expression", "parenthesized_expression"):
            break
        return ""
    return ".".join(reversed(parts))


def receiver(call: Node) -> Optional[Node]:
    """The node a method chain starts at: ``client`` in ``client.chat.completions.create()``."""
    func = call.child_by_field_name("function")
    while func is not None and func.type == "member_expression":
        func = func.child_by_field_name("object")
    return unwrap(func)


def arguments(call: Node) -> List[Node]:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [child for child in args.named_children if child.type != "comment"]


def nodes_of(root: Node, kinds: Tuple[str, ...], language: Optional[Language] = None) -> List[Node]:
    """The nodes of these kinds under ``root``, in source order: found by one tree-sitter query
    of ``language``, in C, or by a walk without one (or where the query cannot be made)."""
    query = _query(language, kinds)
    if query is None:
        return [node for node in walk(root) if node.type in kinds]
    from tree_sitter import QueryCursor

    found = [node for nodes in QueryCursor(query).captures(root).values() for node in nodes]
    return sorted(found, key=lambda node: (node.start_byte, -node.end_byte))


_QUERIES: dict = {}


def _query(language, kinds: Tuple[str, ...]):
    if language is None:
        return None
    key = (id(language), kinds)
    if key not in _QUERIES:
        try:
            from tree_sitter import Query

            known = [kind for kind in kinds if language.id_for_node_kind(kind, True)]
            _QUERIES[key] = Query(language, " ".join(f"({kind}) @n" for kind in known)) if known else None
        except Exception:  # an older binding without Query/QueryCursor: walk instead
            _QUERIES[key] = None
    return _QUERIES[key]


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node``, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def line_indent(text: str, offset: int) -> str:
    """The blanks at the start of the line holding ``offset``."""
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def enclosing(node: Node, *types: str) -> Optional[Node]:
    parent = node.parent
    while parent is not None and parent.type not in types:
        parent = parent.parent
    return parent


def spans(node: Node) -> Tuple[int, int]:
    return node.start_byte, node.end_byte
