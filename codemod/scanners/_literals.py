"""Text that a fix inserts, built as a literal of the format it goes into. The config's
strings (a replacement id, an environment variable) are validated where they are read; these
builders are the second line: whatever a string holds, it can only ever be data, never code,
a new .env binding or a comment."""

from __future__ import annotations

import re
from typing import Optional

# What needs no quoting anywhere: a model id, a variable name (schema.MODEL_ID).
_PLAIN = re.compile(r"[A-Za-z0-9._:/-]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None


def is_identifier(text: str) -> bool:
    return _IDENTIFIER.fullmatch(text) is not None


def python_string(value: str, quote: str = '"', prefix: str = "") -> str:
    """A Python string literal that evaluates to ``value``, in the quote style (``'``, ``"``
    or a triple quote) and with the prefix of the literal it replaces; escaped as repr
    escapes, so no character of ``value`` can end the literal."""
    mark = quote[0]
    if value.isprintable() and value.isascii() and "\\" not in value and mark not in value:
        return f"{prefix}{quote}{value}{quote}"
    prefix = prefix.replace("r", "").replace("R", "")  # a raw literal cannot hold an escape
    as_bytes = "b" in prefix.lower()
    return f"{prefix}{quote}{''.join(_python_char(c, mark, as_bytes) for c in value)}{quote}"


def _python_char(char: str, mark: str, as_bytes: bool) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char == mark:
        return "\\" + char
    if char.isprintable() and (char.isascii() or not as_bytes):
        return char
    if as_bytes:
        return "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def dotenv_value(value: str, quote: str, in_default: bool = False) -> Optional[str]:
    """``value`` as it must be written inside a .env value quoted with ``quote`` (``'``, ``"``
    or nothing) to read back as itself in python-dotenv and docker compose; None when it
    cannot be (then there is no fix). ``in_default``: inside ``${VAR:-...}``."""
    if in_default and ("}" in value or "$" in value):
        return None
    if not value.isprintable():  # a line break would start a new binding
        return None
    if quote == "'":  # the two readers differ on escapes in single quotes: none at all
        return None if "'" in value or "\\" in value else value
    if quote == '"':
        return None if "$" in value else value.replace("\\", "\\\\").replace('"', '\\"')
    return value if is_plain(value) else None  # unquoted: ` #` starts a comment, blanks end it
