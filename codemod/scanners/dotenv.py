"""The .env scanner (``.env``, ``.env.*``, ``*.env``). It reads the syntax python-dotenv and
docker compose accept: ``KEY=value`` and ``export KEY=value``; single-, double- or unquoted
values; inline ``# comments`` after unquoted values (a ``#`` needs whitespace before it);
``${VAR:-default}``; quoted values over several lines; any line ending.

A value that is exactly a retired id becomes the V4 id in place (quotes, ``export``, comment
and line ending untouched); so does the default of ``${VAR:-id}``. An id inside a longer value
or on a commented-out line is a DS003 mention.

.env files hold secrets, so a finding never carries a value: its snippet is ``KEY=<legacy
id>`` (``KEY=...<legacy id>...`` for a longer value), its message names only the key and the id,
and a key that looks secret (``*KEY*``, ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``...) is shown as
``<redacted>``. A line that is not dotenv syntax is never echoed either (DS005, no fix), and
the scanner never raises ScanError, because the engine's text fallback would print lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional

from codemod.catalog import IdMatch
from codemod.ftypes import Edit, Finding, ScanContext, SourceText
from codemod.redact import SECRET_KEY
from codemod.scanners import _common as common
from codemod.scanners._common import Decision
from codemod.scanners._literals import dotenv_value

LINE_COMMENTS = True  # `#` starts a comment to the end of the line: a suppression comment can be removed

# One binding from the start of a line, as python-dotenv reads it.
_BINDING = re.compile(
    r"""
    [^\S\r\n]*
    (?:export[^\S\r\n]+)?
    (?P<key>'[^']+'|[^=\#\s]+)
    [^\S\r\n]*
    (?:
        (?P<equals>=[^\S\r\n]*)
        (?:
            '(?P<single>(?:\\.|[^'\\])*)'
          | "(?P<double>(?:\\.|[^"\\])*)"
          | (?P<unquoted>[^\r\n]*)
        )
    )?
    """,
    re.VERBOSE | re.DOTALL,
)
# Nothing but blanks and a comment up to the end of the line: a line of its own, or what may
# follow a quoted value.
_COMMENT_TO_EOL = re.compile(r"[^\S\r\n]*(?:#[^\r\n]*)?(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
_INLINE_COMMENT = re.compile(r"\s+#")


@dataclass(frozen=True)
class Comment:
    start: int
    end: int


@dataclass(frozen=True)
class Binding:
    key: str
    value: str  # as written, quotes excluded
    value_start: int  # offset of the value in the file
    quote: str  # "'", '"' or ""
    comment: Optional[Comment] = None  # an inline `# comment` after the value


@dataclass(frozen=True)
class Unparsed:
    start: int
    end: int


def parse(text: str) -> Iterator[object]:
    """Bindings, comments and unparsable lines, in order."""
    pos = 1 if text.startswith("\ufeff") else 0
    while pos < len(text):
        blank = _COMMENT_TO_EOL.match(text, pos)
        if blank and blank.end() > pos:
            if "#" in blank.group():
                yield Comment(text.index("#", pos), blank.end())
            pos = blank.end()
            continue
        item, pos = _read_binding(text, pos)
        yield item


def _read_binding(text: str, pos: int):
    m = _BINDING.match(text, pos)
    if m is None or not m.group("key"):
        return _unparsed(text, pos)
    key = _unquote_key(m.group("key"))
    if m.group("equals") is None:
        end = _COMMENT_TO_EOL.match(text, m.end())
        if end is None:
            return _unparsed(text, pos)
        return Binding(key, "", m.end(), "", _comment_in(text, end.start(), end.end())), end.end()
    for quote, group in (("'", "single"), ('"', "double")):
        if m.group(group) is not None:
            end = _COMMENT_TO_EOL.match(text, m.end())
            if end is None:
                return _unparsed(text, pos)
            comment = _comment_in(text, end.start(), end.end())
            return Binding(key, m.group(group), m.start(group), quote, comment), end.end()
    raw = m.group("unquoted")
    if raw.startswith(("'", '"')):  # a quote that never closes
        return _unparsed(text, pos)
    start = m.start("unquoted")
    if m.group("equals") != "=" and raw.startswith("#"):  # `KEY= # comment`: empty value
        value, comment = "", Comment(start, m.end())
    else:
        split = _INLINE_COMMENT.search(raw)
        value = (raw[: split.start()] if split else raw).rstrip()
        comment = Comment(start + split.end() - 1, m.end()) if split else None
    rest = _REST_OF_LINE.match(text, m.end())
    return Binding(key, value, start, "", comment), rest.end()


def _comment_in(text: str, start: int, end: int) -> Optional[Comment]:
    at = text.find("#", start, end)
    return Comment(at, end) if at >= 0 else None


def _unparsed(text: str, pos: int):
    rest = _REST_OF_LINE.match(text, pos)
    return Unparsed(pos, rest.end()), rest.end()


def _unquote_key(key: str) -> str:
    return key[1:-1] if key.startswith("'") else key


def verify(text: str, original: Optional[str] = None) -> None:
    """Nothing to reject: like python-dotenv, the reader accepts any text, and an edit only
    replaces an id inside a value with another id (no quote, `#`, `$` or line break), so every
    binding keeps its extent. Reading the text once still proves the reader copes with it."""
    for _ in parse(text):
        pass


# -- scanning -------------------------------------------------------------------------------------


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    if not common.occurrences(source.text, ctx):
        return []
    findings: List[Finding] = []
    for item in parse(source.text):
        if isinstance(item, Binding):
            findings += binding_findings(source, ctx, item)
        elif isinstance(item, Comment):
            findings += comment_findings(source, ctx, item)
        else:
            decision = common.unparsed("on a line that is not .env syntax; not fixed")
            findings += _redacted(source, ctx, item.start, item.end, decision, "")
    return findings


def binding_findings(source: SourceText, ctx: ScanContext, binding: Binding) -> List[Finding]:
    start = binding.value_start
    shown = display_key(binding.key)
    whole = ctx.catalog.exact(binding.value)
    if whole is not None:
        decision = common.value_decision(where=f"in .env variable {shown}")
        finding = _value_finding(source, ctx, common.shifted(whole, start), decision, f"{shown}={whole.legacy}", binding.quote)
        return [finding] + comment_findings(source, ctx, binding.comment)
    findings = []
    claimed = set()
    for default in common.parameter_defaults(binding.value, ctx):
        decision = common.value_decision(where=f"as the default in .env variable {shown}")
        snippet = f"{shown}=...{default.legacy}..."
        findings.append(_value_finding(source, ctx, common.shifted(default, start), decision, snippet, binding.quote, True))
        claimed.add(default.start)
    mention = common.mention(f"inside the longer value of .env variable {shown}")
    for match in common.occurrences(binding.value, ctx):
        if match.start not in claimed:
            located = common.shifted(match, start)
            findings.append(common.id_finding(source, ctx, located, mention, snippet=f"{shown}=...{match.legacy}..."))
    return findings + comment_findings(source, ctx, binding.comment)


def comment_findings(source: SourceText, ctx: ScanContext, comment: Optional[Comment]) -> List[Finding]:
    if comment is None:
        return []
    return _redacted(source, ctx, comment.start, comment.end, common.mention("in a .env comment"), "# ")


def _value_finding(source: SourceText, ctx: ScanContext, match: IdMatch, decision: Decision, snippet: str,
                   quote: str, in_default: bool = False) -> Finding:
    # Neither escapes nor quotes can occur inside an id, so the id's span is its raw text; the
    # successor is written as the value's quoting needs it, or not at all.
    written = dotenv_value(match.replacement, quote, in_default)
    edits = (Edit(match.start, match.end, written),) if written is not None else ()
    return common.id_finding(source, ctx, match, decision, edits=edits, snippet=snippet)


def _redacted(
    source: SourceText, ctx: ScanContext, start: int, end: int, decision: Decision, lead: str
) -> List[Finding]:
    return [
        common.id_finding(source, ctx, common.shifted(m, start), decision, snippet=f"{lead}...{m.legacy}...")
        for m in common.occurrences(source.text[start:end], ctx)
    ]


def display_key(key: str) -> str:
    """The key as findings may show it."""
    return "<redacted>" if SECRET_KEY.search(key) else key
