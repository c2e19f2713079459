"""Keep secrets and forged lines out of every output. Whatever v4-migrate prints that it did not
write itself (a source line, a diff, a file name, an error about a file) goes through here:

* ``snippet(line, column)``: a finding's source line, masked, cut to a window of at most
  ``MAX_SNIPPET`` characters around the finding, control characters escaped;
* ``redact_line(text)``: a line of source with ``<redacted>`` for credentials in URLs
  (``postgres://user:<redacted>@host``), the value of every secret-looking key (``api_key=``,
  ``"password": ``, ``--token``, ``Authorization: Bearer``), tokens of known shapes (``sk-…``,
  ``ghp_…``, ``AKIA…``, JWTs), long random-looking strings and private key blocks;
* ``redact_values(text)``: only the credentials, tokens and keys, for a finding's message and the
  ids it names (a base URL of the source may carry a password);
* ``error_line(text)``: an error line of this tool, masked the same way (except that a file
  name such as ``auth.py:`` at its start is no key) and printable;
* ``redact_diff(diff)``: a unified diff, line by line (a private key block across lines too),
  and ``redact_text(text)`` for other lines of source a printer shows (a fix's inserted text);
* ``printable(text)``: line breaks, escape sequences and bidi overrides escaped (``\\n``,
  ``\\x1b``, ``\\u202e``), so that no name or line can start a line of its own (``::error``).

Every function is linear in the length of its input: no pattern scans the same stretch of
text from many start positions (the previous key pattern took 23 s on a 20,000-character line).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import List, Optional, Tuple

REDACTED = "<redacted>"
MAX_SNIPPET = 200  # characters of a snippet; a longer line is shown as a window around the finding
_BEFORE = 60  # characters of the window before the finding
ELLIPSIS = "…"

# -- what is secret --------------------------------------------------------------------------------

# Words that make a key secret, as a part of a longer name (DEEPSEEK_API_KEY, dbPassword).
_SECRET_WORDS = (
    r"key|token|secret|passw(?:or)?d|passphrase|pwd|credential|auth|cookie|dsn|signature"
    r"|(?<![a-z])pass(?![a-z])|(?<![a-z])pw(?![a-z])"
)
SECRET_KEY = re.compile(_SECRET_WORDS, re.IGNORECASE)
_SECRET_STEMS = ("key", "token", "secret", "pass", "pw", "credential", "auth", "cookie", "dsn", "signature")
# Names that hold a secret word but no secret: counts of tokens, keywords, authors.
_NOT_SECRET = re.compile(r"tokens|tokeniz|keyword|keyboard|monkey|author(?!i[sz])", re.IGNORECASE)
# A whole word (key name) with a secret word in it; the lookahead stays inside the word and
# the lookbehind makes only a word's first character a start, so each word is read once.
_SECRET_NAME = re.compile(rf"(?<![\w.-])(?=[\w.-]*?(?:{_SECRET_WORDS}))[\w.-]+", re.IGNORECASE)

_QUOTED = r""""(?:[^"\\]|\\.)*\\?(?:"|\Z)|'(?:[^'\\]|\\.)*\\?(?:'|\Z)"""  # an unclosed one runs to the end
# What follows a secret name: a separator (`=`, `:`, `=>`, the `is` of a comment) and an optional
# auth scheme. The value is not a mapping or a list (`"auth": {"model": ...}` keeps its content).
_ASSIGNED = re.compile(
    r"""["'`]?[^\S\r\n]*(?P<sep>==?|:=|=>|:|(?<=[ \t])(?:is|was)(?=[ \t]))[^\S\r\n]*(?:(?i:bearer|basic|token|digest)[^\S\r\n]+)?(?![\s{\[(])"""
)
# After `:` (YAML, JSON, annotations) and after `KEY=` at the start of a line (.env, shell), the
# value runs to the next `,` `)` `}` `]`, a ` #` comment or the end of the line, quoted parts
# whole: `api_key: str = "x"`, `PASSWORD=two words`. After `=` elsewhere (`api_key="x", ...`,
# `--token=x --model ...`), it is one run of non-blanks.
_VALUE_TO_END = re.compile(rf"""(?:{_QUOTED}|[^\s,;)}}\]"'#]|(?<![ \t])\#|;(?!\s|\Z)|[ \t]+(?![#\s]))+""")
_VALUE_RUN = re.compile(rf"""(?:{_QUOTED}|[^\s,;)}}\]"']|;(?!\s|\Z))+""")
_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}\Z")  # `auth.py`, `secrets.yaml`: in an error line, a path
_LINE_START = re.compile(r"[^\S\r\n]*(?:export[^\S\r\n]+)?")
# A command-line flag takes its value after a blank: `--password hunter2`.
_FLAG_VALUE = re.compile(rf"""[^\S\r\n]+(?P<value>{_QUOTED}|[^\s"'`]+)""")
# A value that only names where the secret is: shown, as it is the point of the line. A read of
# a variable may have an empty default (`os.getenv("KEY", "")`); any other default may be the secret.
_REFERENCE = re.compile(
    r"""["'`]?(?:os\.environ\[\s*(["'])[\w.-]+\1\s*\]"""
    r"""|os\.(?:environ\.get|getenv)\(\s*(["'])[\w.-]+\2\s*(?:,\s*(?:""|''|None)\s*)?\)"""
    r"""|\$\{\{\s*(?:secrets|vars|env)\.[\w-]+\s*\}\}|\$\{[A-Z_][A-Z0-9_]*\}|\$[A-Z_][A-Z0-9_]*|process\.env\.\w+"""
    r"""|True|False|None|true|false|null|not)["'`]?(?=[\s,;:)}\]]|\Z)"""
)
# A read of a variable with a default: the default of a secret's variable may be the secret itself.
_GETENV_DEFAULT = re.compile(
    rf"""(?<![\w.])(?:os\.)?(?:environ\.get|environ\.setdefault|getenv)\(\s*(["'])(?P<name>[\w.-]+)\1\s*,\s*(?P<default>{_QUOTED})"""
)
# The rest of a call a value's run stopped in (`settings.get("token", "<the key>")`), quoted parts whole.
_CALL_REST = re.compile(rf"""(?:{_QUOTED}|[^()"'\r\n])*\)""")
# A fallback after a secret's value (`os.getenv("K") or "<the key>"`, `... if x else "<the key>"`);
# the condition of an `if` is bounded, so that a line of many such names stays linear.
_FALLBACK = re.compile(rf"""(?:[^\S\r\n]+if[^\S\r\n][^\r\n#]{{0,200}}?)?[^\S\r\n]+(?:or|else)[^\S\r\n]+(?P<value>{_QUOTED})""")
_URL_PASSWORD = re.compile(r"""://[^\s/@:"'`<>]*:(?P<value>[^\s/"'`<>]+)@""")
_KNOWN_TOKEN = re.compile(
    r"""\b(?:(?:sk|pk|rk)[-_][A-Za-z0-9_\-]{6,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{20,}"""
    r"""|xox[abposr]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[\w-]{35}|hf_[A-Za-z0-9]{30,}"""
    r"""|npm_[A-Za-z0-9]{36}|(?<![\w-])eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*)"""  # a JWT: tried once per run
)
_PRIVATE_KEY = re.compile(r"-----BEGIN[A-Z0-9 ]* PRIVATE KEY-----(?P<value>.*?)(?=-----END|\Z)")
_PRIVATE_KEY_END = re.compile(r"-----END[A-Z0-9 ]* PRIVATE KEY-----")
# A long run of base64 or hex: a key, a hash, a signature, unless it reads as a name.
_OPAQUE = re.compile(r"(?<![A-Za-z0-9+/_])[A-Za-z0-9+/_]{32,}={0,2}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGIT = re.compile(r"[0-9]")
_CLASS_RUNS = re.compile(r"[A-Z]+|[a-z]+|[0-9]+|[^A-Za-z0-9]+")


def _looks_random(run: str) -> bool:
    """Hex with digits and letters, or base64 with upper case, lower case and digits that changes
    between them at almost every other character (0.64 on random text; names stay far below)."""
    run = run.rstrip("=")
    if _HEX.fullmatch(run):
        return not run.isdigit() and not run.isalpha()
    if run.lower() == run or run.upper() == run or not _DIGIT.search(run):
        return False
    changes = len(_CLASS_RUNS.findall(run)) - 1
    return changes >= 0.45 * len(run)


def is_secret_key(name: str) -> bool:
    return bool(SECRET_KEY.search(_NOT_SECRET.sub(" ", name)))


# -- finding it in a line --------------------------------------------------------------------------


def _value_spans(text: str) -> List[Tuple[int, int]]:
    spans = [m.span("value") for m in _URL_PASSWORD.finditer(text)]
    spans += [m.span() for m in _KNOWN_TOKEN.finditer(text)]
    spans += [m.span() for m in _OPAQUE.finditer(text) if _looks_random(m.group())]
    if "PRIVATE KEY-----" in text:
        spans += [m.span("value") for m in _PRIVATE_KEY.finditer(text)]
    return spans


def _key_spans(text: str, skip_file_names: bool = False) -> List[Tuple[int, int]]:
    spans: List[Tuple[int, int]] = []
    folded = text.casefold()  # what IGNORECASE matches, found at the speed of `in`
    if not any(stem in folded for stem in _SECRET_STEMS):
        return spans
    done = 0  # names inside a value already masked are not keys
    first_word = _LINE_START.match(text).end()
    for read in _GETENV_DEFAULT.finditer(text):  # os.getenv("API_KEY", "<the key itself>")
        if is_secret_key(read.group("name")) and len(read.group("default")) > 2:
            spans.append(read.span("default"))
    for name in _SECRET_NAME.finditer(text):
        if name.start() < done or not is_secret_key(name.group()):
            continue
        if skip_file_names and (_FILE_NAME.search(name.group()) or text[name.start() - 1: name.start()] == "/"):
            continue
        span = _value_after(text, name, name.start() == first_word)
        if span is not None:
            spans.append(span)
            done = span[1]
    return spans


def _value_after(text: str, name: "re.Match[str]", starts_line: bool) -> Optional[Tuple[int, int]]:
    """Where the value assigned to a secret name is, if one is."""
    assigned = _ASSIGNED.match(text, name.end())
    if assigned is not None:
        to_end = assigned.group("sep") == ":" or (assigned.group("sep") == "=" and starts_line)
        value = (_VALUE_TO_END if to_end else _VALUE_RUN).match(text, assigned.end())
        found = value and (value.start(), value.group())
    elif name.group().startswith("-"):
        flag = _FLAG_VALUE.match(text, name.end())
        found = flag and (flag.start("value"), flag.group("value"))
    else:
        return None
    if not found:
        return None
    start, end = found[0], found[0] + len(found[1].rstrip())
    reference = _REFERENCE.match(text, start)
    if reference is not None:  # shown, but not a fallback after it
        fallback = _FALLBACK.match(text, reference.end())
        return fallback.span("value") if fallback else None
    if found[1].count("(") > found[1].count(")"):  # a call: its other arguments too
        rest = _CALL_REST.match(text, end)
        end = rest.end() if rest else end
    fallback = _FALLBACK.match(text, end)
    return start, fallback.end() if fallback else end


def _merged(spans: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class _Masked:
    """A text with its secret spans replaced, and where each original offset went."""

    def __init__(self, text: str, spans: List[Tuple[int, int]]):
        pieces, self.starts, self.shifts = [], [], []
        last = shift = 0
        for start, end in spans:
            pieces += [text[last:start], REDACTED]
            self.starts.append(start)
            self.shifts.append(shift)
            shift += len(REDACTED) - (end - start)
            last = end
        pieces.append(text[last:])
        self.text = "".join(pieces)
        self.ends = [end for _, end in spans]
        self.final_shift = shift

    def offset(self, original: int) -> int:
        index = bisect.bisect_right(self.starts, original) - 1
        if index < 0:
            return original
        if original < self.ends[index]:  # inside a masked span: its marker
            return self.starts[index] + self.shifts[index]
        following = self.shifts[index + 1] if index + 1 < len(self.shifts) else self.final_shift
        return original + following


@lru_cache(maxsize=8)  # one long line holds many findings (a minified JSON file)
def _masked_line(text: str) -> _Masked:
    return _Masked(text, _merged(_value_spans(text) + _key_spans(text)))


def redact_line(text: str) -> str:
    """A source line with everything that may be a secret masked."""
    return _masked_line(text).text


@lru_cache(maxsize=256)  # a message repeats for every finding of its kind
def redact_values(text: str) -> str:
    """Credentials in URLs, tokens and keys masked, key names left alone: for what this tool writes
    around a value it quotes (a finding's message, ``legacy`` and ``replacement`` may name a base
    URL of the source, ``https://user:<redacted>@api.deepseek.com``)."""
    spans = _value_spans(text)
    return _Masked(text, _merged(spans)).text if spans else text


def redact_error(text: str) -> str:
    """``redact_line`` for this tool's own lines (errors), which start with a path: a file name
    (``app/auth.py: ...``, ``secrets.yaml: ...``) is not a key whose value follows."""
    return _Masked(text, _merged(_value_spans(text) + _key_spans(text, skip_file_names=True))).text


# -- printing -------------------------------------------------------------------------------------

# Line breaks and other C0/C1 controls (the tab aside), DEL, Unicode line and paragraph separators,
# bidi controls, and lone surrogates (a file name that is not UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(m: "re.Match[str]") -> str:
    char = m.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte it stands for
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as one line that cannot end or restyle the line it is printed on."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def error_line(text: str) -> str:
    """An error line as printed: one line, no credential or token in it."""
    return printable(redact_error(text))


def snippet(line: str, column: int = 0) -> str:
    """The snippet of a finding at ``column`` (0-based, in ``line``): the stripped line, masked,
    at most ``MAX_SNIPPET`` characters around the finding (``…`` where it is cut), printable."""
    stripped = line.strip()
    masked = _masked_line(stripped)
    text = masked.text
    if len(text) > MAX_SNIPPET:
        lead = len(line) - len(line.lstrip())
        at = masked.offset(min(max(column - lead, 0), len(stripped)))
        start = max(0, min(at - _BEFORE, len(text) - MAX_SNIPPET))
        end = start + MAX_SNIPPET
        text = (ELLIPSIS if start else "") + text[start:end] + (ELLIPSIS if end < len(text) else "")
    return printable(text)


# -- diffs ----------------------------------------------------------------------------------------

_DIFF_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def redact_diff(diff: str) -> str:
    """A unified diff with every file line masked as ``redact_line`` masks a line, and the lines
    of a private key block masked whole; headers, hunk markers and line prefixes kept."""
    out: List[str] = []
    in_key = False
    for index, line in enumerate(_DIFF_LINE.findall(diff)):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if index < 2 or body.startswith(("@@", "\\")):  # the ---/+++ headers of the one file
            out.append(printable(body) + ending)
            continue
        prefix, content = body[:1], body[1:]
        content, in_key = _diff_content(content, in_key)
        out.append(prefix + printable(content) + ending)
    return "".join(out)


def redact_text(text: str) -> str:
    """Lines of source (a fix's inserted text, a fragment of a file), each masked and printable,
    line breaks kept; a private key block is masked across lines, as in a diff."""
    out: List[str] = []
    in_key = False
    for line in _DIFF_LINE.findall(text):
        body = line.rstrip("\r\n")
        masked, in_key = _diff_content(body, in_key)
        out.append(printable(masked) + line[len(body):])
    return "".join(out)


def _diff_content(content: str, in_key: bool) -> Tuple[str, bool]:
    """One line of a file in a diff, and whether a private key block continues after it."""
    if in_key:
        end = _PRIVATE_KEY_END.search(content)
        if end is None:
            return REDACTED, True
        before = content[: end.start()]
        return (REDACTED if before.strip() else before) + redact_line(content[end.start():]), False
    begins = content.rfind("PRIVATE KEY-----")
    opened = begins >= 0 and "-----BEGIN" in content and not _PRIVATE_KEY_END.search(content, begins)
    return redact_line(content), opened
