"""JSON with positions. The stdlib parser validates and decodes but gives no offsets, so this
small reader walks the (already validated) text once and records the span of every key and
value; edits then touch only the string tokens that change."""

from __future__ import annotations

import json as jsonlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, List, Optional, Tuple

from codemod.ftypes import ScanError

OBJECT, ARRAY, STRING, LITERAL = "object", "array", "string", "literal"

_TOKEN = re.compile(
    r'[ \t\r\n]*(?:(?P<string>"[^"\\]*(?:\\.[^"\\]*)*")|(?P<punct>[{}\[\]:,])|(?P<literal>[^\s{}\[\]:,"]+))',
    re.DOTALL,
)


@dataclass
class JsonNode:
    kind: str  # OBJECT, ARRAY, STRING or LITERAL
    start: int  # the token's span in the text; a string's includes its quotes
    end: int = -1
    value: Any = None  # the decoded text of a string, the raw text of a literal
    members: List[Tuple["JsonNode", "JsonNode"]] = field(default_factory=list)  # (key, value)
    items: List["JsonNode"] = field(default_factory=list)
    _offsets: Optional[List[int]] = field(default=None, repr=False)

    def raw_offset(self, text: str, index: int) -> int:
        """Where character ``index`` of a string's decoded value (or the end, at its length)
        stands in ``text``."""
        if self._offsets is None:
            raw = text[self.start + 1 : self.end - 1]
            self._offsets = decoded_offsets(raw) if "\\" in raw else []  # []: no escapes
        return self.start + 1 + (self._offsets[index] if self._offsets else index)

    def get(self, key: str) -> Optional["JsonNode"]:
        """The value of ``key`` in an object (the last one, as json.loads keeps)."""
        found = None
        for name, value in self.members:
            if name.value == key:
                found = value
        return found

    def strings(self) -> Iterator["JsonNode"]:
        """Every string node below this one, keys included, in text order."""
        if self.kind == STRING:
            yield self
        for key, value in self.members:
            yield key
            yield from value.strings()
        for item in self.items:
            yield from item.strings()


def load(text: str) -> Any:
    """The decoded document. Raises ScanError when the text is not JSON."""
    try:
        # numbers stay text: a 5,000-digit integer is valid JSON, past int()'s digit limit
        return jsonlib.loads(text[1:] if text.startswith("\ufeff") else text, parse_int=str, parse_float=str)
    except jsonlib.JSONDecodeError as exc:
        raise ScanError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ScanError("JSON too deeply nested") from None


def parse(text: str) -> JsonNode:
    """The node tree of a text that ``load`` accepted."""
    root: Optional[JsonNode] = None
    stack: List[JsonNode] = []
    keys: List[Optional[JsonNode]] = []  # per open object: the key awaiting its value

    def attach(node: JsonNode) -> None:
        nonlocal root
        if not stack:
            root = node
        elif stack[-1].kind == ARRAY:
            stack[-1].items.append(node)
        else:
            stack[-1].members.append((keys[-1], node))
            keys[-1] = None

    for m in _TOKEN.finditer(text, 1 if text.startswith("\ufeff") else 0):
        kind = m.lastgroup
        start, end = m.start(kind), m.end()
        token = m.group(kind)
        if kind == STRING:
            node = JsonNode(STRING, start, end, decode_string(token))
            if stack and stack[-1].kind == OBJECT and keys[-1] is None:
                keys[-1] = node
            else:
                attach(node)
        elif kind == "punct" and token in "{[":
            node = JsonNode(OBJECT if token == "{" else ARRAY, start)
            attach(node)
            stack.append(node)
            keys.append(None)
        elif kind == "punct" and token in "}]":
            stack.pop().end = end
            keys.pop()
        elif kind == LITERAL:
            attach(JsonNode(LITERAL, start, end, token))
    if root is None or stack:
        raise ScanError("JSON structure could not be followed")
    return root


def decode_string(token: str) -> str:
    return token[1:-1] if "\\" not in token else jsonlib.loads(token)


def decoded_offsets(raw: str) -> List[int]:
    """For the inside of a string token, the raw offset of each decoded character, plus the
    raw length at the end (an escape is one character; a surrogate pair escape too)."""
    offsets: List[int] = []
    i = 0
    while i < len(raw):
        offsets.append(i)
        if raw[i] != "\\":
            i += 1
        elif raw[i + 1] != "u":
            i += 2
        elif _is_surrogate_pair(raw, i):
            i += 12
        else:
            i += 6
    offsets.append(len(raw))
    return offsets


def _is_surrogate_pair(raw: str, i: int) -> bool:
    high = int(raw[i + 2 : i + 6], 16)
    if not 0xD800 <= high < 0xDC00 or raw[i + 6 : i + 8] != "\\u":
        return False
    return 0xDC00 <= int(raw[i + 8 : i + 12], 16) < 0xE000


def escape(text: str, ensure_ascii: bool) -> str:
    """``text`` as the inside of a JSON string token."""
    return jsonlib.dumps(text, ensure_ascii=ensure_ascii)[1:-1]


def prefers_ascii(text: str) -> bool:
    """Whether the file writes non-ASCII characters as ``\\u`` escapes (json.dump's default)."""
    return "\\u" in text and text.isascii()
