"""Formats v4-migrate reports but does not fix: Dockerfiles, TOML, INI/.cfg/.conf/.properties,
Terraform, and Go, Rust, Java, Kotlin, Swift, Dart and C# sources. A small lexer, driven by each
format's comment and string syntax (``SYNTAXES``, data), tells comments and strings apart; nothing
is parsed, no edit is offered, every byte is kept.

* a model argument or key (``--model X``, ``MODEL=X``, ``model = "X"``, ``Model: "X"``,
  ``.model("X")``) is a value that is sent: DS001, at the deadline's severity, with no fix;
* a quoted string that is exactly a retired id (and, in config formats, a bare value): DS002, review;
* comments and longer strings: DS003, a mention."""

from __future__ import annotations

import bisect
import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Dict, Iterator, List, Optional, Set, Tuple

from codemod.catalog import IdMatch
from codemod.ftypes import Finding, ScanContext, SourceText
from codemod.scanners import _common as common

LINE_COMMENTS = False  # report-only: not even an unused suppression comment is removed
BINARY_IF_UNDECODABLE = True  # a file of these formats that is not UTF-8 is skipped as a binary

COMMENT, STRING = "comment", "string"


@dataclass(frozen=True)
class Syntax:
    line_comments: Tuple[str, ...] = ()
    block_comments: Tuple[Tuple[str, str], ...] = ()
    quotes: str = "\"'"  # one-line strings, with backslash escapes
    multiline: Tuple[str, ...] = ()  # strings that may span lines, closed by the same delimiter
    comment_at: str = "anywhere"  # "line-start": only as a line's first non-blank; "after-blank": or after one
    bare_values: bool = False  # an unquoted value is a value (config formats): a bare id is live


C_LIKE = Syntax(("//",), (("/*", "*/"),), "\"'", ('"""',))
SYNTAXES: Dict[str, Syntax] = {
    "dockerfile": Syntax(("#",), comment_at="after-blank", bare_values=True),
    "toml": Syntax(("#",), multiline=('"""', "'''")),
    "ini": Syntax(("#", ";"), comment_at="line-start", bare_values=True),
    "properties": Syntax(("#", "!"), comment_at="line-start", bare_values=True),
    "conf": Syntax(("#", ";"), comment_at="after-blank", bare_values=True),
    "terraform": Syntax(("#", "//"), (("/*", "*/"),), '"'),
    "go": Syntax(("//",), (("/*", "*/"),), "\"'", ("`",)),
    "rust": Syntax(("//",), (("/*", "*/"),), '"'),  # `'` also starts a lifetime
    "c-like": C_LIKE,  # Java, Kotlin, Swift, Dart, C#
}

# File-name patterns (those of "other" in scanners.FORMATS) and their syntax, first match wins.
PATTERNS: Tuple[Tuple[str, str], ...] = (
    ("Dockerfile", "dockerfile"), ("Dockerfile.*", "dockerfile"), ("*.dockerfile", "dockerfile"),
    ("*.Dockerfile", "dockerfile"), ("Containerfile", "dockerfile"), ("Containerfile.*", "dockerfile"),
    ("*.toml", "toml"),
    ("*.ini", "ini"), ("*.cfg", "ini"),
    ("*.properties", "properties"),
    ("*.conf", "conf"),
    ("*.tf", "terraform"), ("*.tfvars", "terraform"),
    ("*.go", "go"),
    ("*.rs", "rust"),
    ("*.java", "c-like"), ("*.kt", "c-like"), ("*.kts", "c-like"), ("*.swift", "c-like"), ("*.dart", "c-like"),
    ("*.cs", "c-like"),
)

# A model given by key or setter in code and config: `model = "X"`, `Model: "X"`, `model := "X"`,
# `"model": "X"`, `.modelName("X")` (LangChain4j, Spring AI builders).
_MODEL_KEY = re.compile(
    r"""(?<![\w-])[A-Za-z_]*(?i:model)[A-Za-z0-9_]*["']?[ \t]*(?::=|=|:|\()[ \t]*[@$]?["'`]?(?P<value>[^\s"'`,;)}\]]+)"""
)
# pyproject's own config, `[tool.v4-migrate]` and its subtables, is this tool's, not the project's.
_TOML_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*(?P<name>[^\]\n]*?)[ \t]*\]\]?", re.M)
_OWN_TABLE = re.compile(r"""tool[ \t]*\.[ \t]*(?:v4-migrate|"v4-migrate"|'v4-migrate')(?:[ \t]*\.|\Z)""")

CODE_VALUE = common.Decision(common.VALUE_RULE, None, common.LITERAL,
                             "as a model value (no fix is offered for this format: change it by hand)")
QUOTED = common.review_decision("in a quoted string (no fix is offered for this format)", fixable=False)
BARE_VALUE = common.review_decision("in a value (no fix is offered for this format)", fixable=False)


def syntax_for(path: str) -> Syntax:
    name = PurePosixPath(path.replace("\\", "/")).name
    for pattern, syntax in PATTERNS:
        if fnmatch.fnmatchcase(name, pattern):
            return SYNTAXES[syntax]
    return C_LIKE


def scan(source: SourceText, ctx: ScanContext) -> List[Finding]:
    text = source.text
    if common.is_minified(text):
        return []
    syntax = syntax_for(ctx.path)
    spans = lex(text, syntax)
    starts = [span[0] for span in spans]
    skipped = own_config_spans(text) if syntax is SYNTAXES["toml"] else []
    live = {m.start for m in model_values(text, ctx)}
    findings: List[Finding] = []
    for match in common.occurrences(text, ctx):
        if any(start <= match.start < end for start, end in skipped):
            continue
        decision = classify(text, match, span_at(spans, starts, match.start), match.start in live, syntax)
        findings.append(common.id_finding(source, ctx, match, decision))
    return findings


def classify(text: str, match: IdMatch, span: Optional[Tuple[int, int, str, int, int]], live: bool,
             syntax: Syntax) -> common.Decision:
    if span is not None and span[2] == COMMENT:
        return common.mention("in a comment")
    if live:
        return CODE_VALUE
    if span is not None:  # a string: exactly the id, or an id inside a longer text
        exact = (span[3], span[4]) == (match.start, match.end)
        return QUOTED if exact else common.mention("inside a longer string")
    return BARE_VALUE if syntax.bare_values else common.mention("outside a string")


def model_values(text: str, ctx: ScanContext) -> Iterator[IdMatch]:
    """Retired ids given as a model: a command's argument (as in shell scripts) or a key's value."""
    seen: Set[int] = set()
    for match in common.command_model_arguments(text, ctx):
        seen.add(match.start)
        yield match
    for m in _MODEL_KEY.finditer(text):
        match = ctx.catalog.exact(m.group("value"))
        if match is not None and m.start("value") not in seen:
            yield common.shifted(match, m.start("value"))


def lex(text: str, syntax: Syntax) -> List[Tuple[int, int, str, int, int]]:
    """The comments and strings of ``text``, in order: (start, end, kind, content start, content end)."""
    openers = sorted({*syntax.line_comments, *(o for o, _ in syntax.block_comments), *syntax.multiline, *syntax.quotes},
                     key=len, reverse=True)
    if not openers:
        return []
    opener_re = re.compile("|".join(re.escape(o) for o in openers))
    blocks = dict(syntax.block_comments)
    one_line = {q: re.compile(re.escape(q) + r"(?:[^" + re.escape(q) + r"\\\n]|\\.)*" + re.escape(q)) for q in syntax.quotes}
    spans: List[Tuple[int, int, str, int, int]] = []
    pos = 0
    while True:
        m = opener_re.search(text, pos)
        if m is None:
            return spans
        token, start = m.group(), m.start()
        span = _span_from(text, token, start, syntax, blocks, one_line)
        if span is None:
            pos = start + 1
            continue
        spans.append(span)
        pos = max(span[1], start + 1)


def _span_from(text: str, token: str, start: int, syntax: Syntax, blocks: Dict[str, str],
               one_line: Dict[str, "re.Pattern[str]"]) -> Optional[Tuple[int, int, str, int, int]]:
    after = start + len(token)
    if token in syntax.line_comments:
        if not _comment_may_start(text, start, syntax.comment_at):
            return None
        end = _line_end(text, start)
        return start, end, COMMENT, after, end
    if token in blocks:
        close = text.find(blocks[token], after)
        end = len(text) if close < 0 else close + len(blocks[token])
        return start, end, COMMENT, after, end
    if token in syntax.multiline:
        close = text.find(token, after)
        if close < 0:
            return None
        return start, close + len(token), STRING, after, close
    m = one_line[token].match(text, start)
    if m is None:
        return None  # an apostrophe, a lifetime: no string
    return start, m.end(), STRING, after, m.end() - 1


def _comment_may_start(text: str, start: int, where: str) -> bool:
    if where == "anywhere":
        return True
    before = text[text.rfind("\n", 0, start) + 1:start]
    if where == "line-start":
        return not before.strip()
    return not before or before[-1] in " \t"


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def span_at(spans: List[Tuple[int, int, str, int, int]], starts: List[int],
            offset: int) -> Optional[Tuple[int, int, str, int, int]]:
    """The comment or string holding ``offset`` (spans do not overlap; ``starts`` are theirs, sorted)."""
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and offset < spans[index][1]:
        return spans[index]
    return None


def own_config_spans(text: str) -> List[Tuple[int, int]]:
    """The ranges of ``[tool.v4-migrate]`` and its subtables in a TOML file."""
    headers = list(_TOML_HEADER.finditer(text))
    spans = []
    for index, header in enumerate(headers):
        if _OWN_TABLE.match(header.group("name")):
            end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
            spans.append((header.start(), end))
    return spans


def verify(text: str, original: Optional[str] = None) -> None:
    return None
