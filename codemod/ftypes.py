"""The types the pipeline passes along: edits, findings, the text of a file and per-file results."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from codemod import redact

if TYPE_CHECKING:  # pragma: no cover
    from codemod.catalog import Catalog, IdMatch
    from codemod.config import Config

SEVERITIES = ("info", "notice", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
SAFE = "safe"
UNSAFE = "unsafe"

_NEWLINE = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> List[int]:
    """Where each line starts: after each line break (CR LF, CR or LF), as Python sees them."""
    if "\r" in text:
        return [0] + [m.end() for m in _NEWLINE.finditer(text)]
    starts = list(accumulate([len(line) + 1 for line in text.split("\n")], initial=0))  # (a third of the time)
    starts.pop()  # the end of the text, past its last line
    return starts


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` of the decoded file with ``replacement``."""

    start: int
    end: int
    replacement: str


# The first line of the runtime shim this tool vendors (``--vendor-shim``): such a file holds the
# retired ids on purpose and is never reported or rewritten.
VENDORED_MARKER = b"# v4-migrate: vendored runtime shim; generated, never reported or rewritten"


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    path: str = ""  # relative to the working directory, with / separators
    legacy: Optional[str] = None
    replacement: Optional[str] = None  # the suggested replacement text, for display
    fix: Optional[str] = None  # SAFE, UNSAFE or None
    edits: Tuple[Edit, ...] = ()
    snippet: str = ""  # the stripped source line, masked and cut by codemod.redact.snippet
    extra: Dict[str, Any] = field(default_factory=dict)  # format-specific, e.g. notebook cell
    fixed: bool = False
    # Findings of one group are fixed together or not at all, across files: a module constant
    # and the requests in other modules that send it with the thinking mode it implied.
    group: Optional[str] = None
    # Said only when no request in the project sends this group's value (the engine decides, once
    # it has seen every file): what to send with it.
    pending_hint: str = ""
    unless_sent: bool = False  # dropped when a request of the project sends this group's value
    # with pending_hint: its fix writes the bare V4 id, which says nothing of the thinking mode, so
    # the fix is unsafe unless a request of the project sends the value (and so its mode)
    bare_rewrite: bool = False
    # A mock expectation of a request's exact arguments: the edits that make it expect the thinking
    # mode too, added once a request of the project gets one for this group (None: no such check;
    # empty: its request's library is not known, so it is reported instead).
    thinking_if_sent: Optional[Tuple[Edit, ...]] = None
    # The default of a parameter of a function other modules may import, whose request gets the
    # thinking mode it implied. The engine makes the fix unsafe where an importer's call passes
    # a value of another mode, or one not known (its request would get this mode too).
    default_of: Optional["ParamDefault"] = None

    def to_dict(self) -> Dict[str, Any]:
        data = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "legacy": self.legacy,
            "replacement": self.replacement,
            "fix": self.fix,
            "fixed": self.fixed,
        }
        if self.group is not None:
            data["group"] = self.group
        data.update(self.extra)
        return data


class SourceText:
    """A decoded file with offset <-> (line, column) mapping; line breaks as Python sees them."""

    def __init__(self, text: str):
        self.text = text
        self._starts = line_starts(text)
        self._lines: Dict[int, str] = {}

    def with_same_lines(self, text: str) -> "SourceText":
        """Another text with the same length and line breaks (a pruned one): same line starts."""
        other = SourceText.__new__(SourceText)
        other.text = text
        other._starts = self._starts
        other._lines = {}
        return other

    def position(self, offset: int) -> Tuple[int, int]:
        """1-based line and column of an offset."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def offset(self, line: int, column0: int) -> int:
        """Offset of a 1-based line and 0-based column (LibCST's convention)."""
        return self._starts[line - 1] + column0

    def line_text(self, line: int) -> str:
        # One string per line, however many findings it holds: its hash is computed once, so
        # the per-line caches (masking, suppression comments) cost no pass over a long line.
        text = self._lines.get(line)
        if text is None:
            start = self._starts[line - 1]
            end = self._starts[line] if line < len(self._starts) else len(self.text)
            text = self._lines[line] = self.text[start:end].rstrip("\r\n")
        return text

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def newline(self) -> str:
        """The file's first line break, for inserted lines."""
        m = _NEWLINE.search(self.text)
        return m.group(0) if m else "\n"


# Why a fix to the bare V4 id is unsafe where no request sends the thinking mode the old id had
# and that mode is not V4's own default (V4 thinks unless told: DeepSeek docs, guides/thinking_mode).
BARE_UNSENT = "; unsafe: the bare V4 id it becomes says nothing of that thinking mode"
V4_DEFAULT_THINKING = "enabled"


@dataclass(frozen=True)
class ParamDefault:
    """A retired id as a parameter's default, in a function other modules may import."""

    group: str  # the function's group (``app/llm.py:ask``; ``Class`` for a constructor, ``Class.method``)
    param: str
    index: Optional[int]  # its position at a call (None: keyword-only)
    mode: str  # the thinking mode the function's request gets for it
    option: bool = False  # a key of an options object at ``index`` (JavaScript's `{ model = "..." } = {}`)


# What an options object passed at one position sets: (key, mode) pairs, or None when it is not
# an object literal whose keys are all known (it may set anything).
OptionKeys = Optional[Tuple[Tuple[str, Optional[str]], ...]]


@dataclass(frozen=True)
class ExportCall:
    """A call, in an importer, of another module's function whose parameter default is a retired
    id: the thinking mode each argument implies (None: another id, no id, or not known)."""

    group: str  # the function's group (``app/llm.py:ask``)
    where: str  # path:line of the call
    positional: Tuple[Optional[str], ...]
    keywords: Tuple[Tuple[str, Optional[str]], ...]
    starred: bool  # *args or **kwargs (a spread in JavaScript): it may pass anything
    options: Tuple[OptionKeys, ...] = ()  # per position, the keys an object literal sets (JavaScript)

    def passes(self, default: ParamDefault) -> Tuple[bool, Optional[str]]:
        """(whether the call passes the default's parameter, the mode of what it passes)."""
        if self.starred:
            return True, None
        index = default.index
        given = index is not None and index < len(self.positional)
        if default.option:  # nothing at that position, or an object without the key: the default
            if not given:
                return False, None
            keys = self.options[index] if index < len(self.options) else None
            if keys is None:
                return True, None
            return next(((True, mode) for key, mode in keys if key == default.param), (False, None))
        for keyword, mode in self.keywords:
            if keyword == default.param:
                return True, mode
        if given:
            return True, self.positional[index]
        return False, None


@dataclass
class ScanContext:
    """What a scanner needs besides the text: where the file is, the catalog, the config."""

    path: str  # display path
    catalog: "Catalog"
    config: "Config"
    today: date
    facts: Any = None  # what other modules of the project define (scanners._pyflow.Facts), for Python
    sent: Set[str] = field(default_factory=set)  # the groups of other files' values this file's requests send
    thinking_sent: Set[str] = field(default_factory=set)  # the groups whose requests here get a thinking edit
    export_calls: List[ExportCall] = field(default_factory=list)  # calls of other modules' functions (``default_of``)
    file: str = ""  # the file's path on disk (relative to the working directory, or absolute), for what is beside it

    def finding(
        self,
        source: SourceText,
        start: int,
        end: int,
        rule: str,
        severity: str,
        message: str,
        **kwargs: Any,
    ) -> Finding:
        line, column = source.position(start)
        end_line, end_column = source.position(end)
        if "snippet" not in kwargs:
            kwargs["snippet"] = redact.snippet(source.line_text(line), column - 1)
        for quoted in ("legacy", "replacement"):  # a base URL of the source, as written
            if kwargs.get(quoted):
                kwargs[quoted] = redact.redact_values(kwargs[quoted])
        return Finding(
            rule=rule,
            severity=severity,
            message=redact.redact_values(message),
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            path=self.path,
            **kwargs,
        )

    def id_finding(
        self, source: SourceText, start: int, end: int, match: "IdMatch", rule: str, where: str = "", hint: str = "", **kwargs: Any
    ) -> Finding:
        """A finding for a retired id, with the tiered severity and the catalog's message."""
        kwargs.setdefault("severity", self.catalog.severity(match.model, self.today))
        kwargs.setdefault("legacy", match.legacy)
        kwargs.setdefault("replacement", match.replacement)
        message = kwargs.pop("message", None) or self.catalog.legacy_message(match, self.today, where, hint)
        return self.finding(source, start, end, rule, message=message, **kwargs)


class ScanError(Exception):
    """A file a scanner cannot parse. Its message is one line, without the path."""


@dataclass
class FileResult:
    path: str
    findings: List[Finding] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # one line each, path included
    fixed: int = 0
    changed: bool = False
    diff: str = ""
    sent: Set[str] = field(default_factory=set)  # the groups of values this file's requests send
    thinking_sent: Set[str] = field(default_factory=set)  # the groups whose requests here get a thinking edit
    export_calls: List[ExportCall] = field(default_factory=list)
    fixed_bytes: Optional[bytes] = None  # the fixed text of a file that came on stdin
