"""What the language server computes, without the protocol: the findings of a buffer (the
pipeline of ``--stdin-filename``, on the buffer's text), its ``--fix`` edits, one finding's fix
and a suppression comment. One checker per server; its calls run on one thread."""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from codemod import applier, deadline, scanners, suppressions
from codemod.discovery import ALWAYS_SKIPPED_DIRS
from codemod.engine import DecodeError, Engine, RunOptions, decode
from codemod.ftypes import SAFE, UNSAFE, Edit, Finding, SourceText
from codemod.lsp import suppress

CHECK, SAFE_FIX, UNSAFE_FIX = "check", "safe", "unsafe"
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


@dataclass
class Checked:
    """A buffer's findings, and the lines to show the user about it (a broken config)."""

    text: str
    path: str
    fmt: Optional[str]
    findings: List[Finding] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)
    parsed: bool = False  # it passed the byte prefilter and was scanned
    _source: Optional[SourceText] = None

    @property
    def source(self) -> SourceText:
        if self._source is None:
            self._source = SourceText(self.text)
        return self._source


class Checker:
    def __init__(self) -> None:
        self.counts: Counter = Counter()  # checks asked for, from the cache, ruled out by the prefilter, scanned
        self.warnings: List[str] = []  # the config warnings seen (a pyproject.toml that is not TOML)
        self._engines: Dict[str, Engine] = {}
        self._today: Optional[date] = None
        self._cache: Dict[str, Checked] = {}  # by URI: the last check of each buffer

    def reload(self) -> None:
        """Forget every config and result: a pyproject.toml changed."""
        self._engines.clear()
        self._cache.clear()
        self.warnings.clear()

    def forget(self, uri: str) -> None:
        self._cache.pop(uri, None)

    def engine(self, kind: str = CHECK) -> Engine:
        today = deadline.reference_date(None)
        if today != self._today:  # a new day may change severities: new engines, new results
            self._engines.clear()
            self._cache.clear()
            self._today = today
        engine = self._engines.get(kind)
        if engine is None:
            options = RunOptions(today=today, stdin=True, fix=kind != CHECK, unsafe_fixes=kind == UNSAFE_FIX)
            engine = self._engines[kind] = Engine(options)
        return engine

    def check(self, uri: str, text: str, path: str, roots: Tuple[str, ...] = ()) -> Checked:
        """The findings of ``text`` as the file ``path`` (absolute); the last result again when
        the text has not changed since."""
        self.counts["checks"] += 1
        engine = self.engine()  # first: a new day clears the cache
        cached = self._cache.get(uri)
        if cached is not None and cached.text == text and cached.path == path:
            self.counts["cached"] += 1
            return cached
        checked = self._check(engine, text, path, roots)
        self._cache[uri] = checked
        return checked

    def _check(self, engine: Engine, text: str, path: str, roots: Tuple[str, ...]) -> Checked:
        fmt = scanners.format_for(Path(path))
        checked = Checked(text, path, fmt)
        if fmt is None:
            return checked  # a file the CLI would not scan in a folder
        try:
            config = engine.processor.config_for_folder(os.path.dirname(path), real=False)
        except ValueError as exc:  # a broken pyproject.toml governing the file
            checked.problems = str(exc).splitlines()
            return checked
        finally:
            self._note_warnings(engine)
        if self._excluded(engine, path, roots):
            return checked
        raw = buffer_bytes(text, fmt)
        if not engine.processor.is_candidate(raw, config):
            self.counts["prefiltered"] += 1
            return checked
        self.counts["scanned"] += 1
        result = engine.run_stdin(raw, path)
        checked.findings, checked.problems, checked.parsed = result.findings, result.errors, True
        return checked

    def _note_warnings(self, engine: Engine) -> None:
        for line in engine.resolver.warnings:
            if line not in self.warnings:
                self.warnings.append(line)

    def _excluded(self, engine: Engine, path: str, roots: Tuple[str, ...]) -> bool:
        """What a run over the workspace folder would skip: a folder never read (.venv,
        node_modules, ...) below the folder, or a path the config excludes."""
        real = os.path.realpath(path)
        for root in roots:
            relative = os.path.relpath(real, os.path.realpath(root))
            if not relative.startswith(os.pardir):
                if any(part in ALWAYS_SKIPPED_DIRS for part in Path(relative).parts[:-1]):
                    return True
                break
        excluded = engine.exclude_for(os.path.dirname(real))
        if excluded is None:
            return False
        spec, base = excluded
        relative = os.path.relpath(real, base)
        return not relative.startswith(os.pardir) and bool(spec.match_file(relative.replace(os.sep, "/")))

    # -- fixes ------------------------------------------------------------------------------------

    def fix_all(self, checked: Checked, unsafe: bool = False) -> List[Edit]:
        """The edits of ``--fix`` (with ``unsafe``, ``--fix --unsafe-fixes``) on the buffer: the
        same pipeline, so the same checks (the fixed text parses, a second pass changes nothing)."""
        if not checked.parsed or not any(f.edits for f in checked.findings):
            return []
        engine = self.engine(UNSAFE_FIX if unsafe else SAFE_FIX)
        result = engine.run_stdin(buffer_bytes(checked.text, checked.fmt), checked.path)
        if result.fixed_bytes is None:
            return []
        try:
            fixed = decode(result.fixed_bytes, checked.fmt).text
        except DecodeError:
            return []
        kinds = (SAFE, UNSAFE) if unsafe else (SAFE,)
        edits, _ = applier.select_edits([f for f in result.findings if f.fixed], kinds)
        if applier.apply_edits(checked.text, edits) != fixed:  # not the pipeline's edits: the text that changed
            edits = [difference(checked.text, fixed)]
        return edits

    def fix_one(self, checked: Checked, finding: Finding) -> List[Edit]:
        """The edits of one finding's fix, with those of the findings fixed together with it
        (its group in this file), as ``--fix`` chooses them."""
        if finding.fix not in (SAFE, UNSAFE) or not finding.edits:
            return []
        kinds = (SAFE,) if finding.fix == SAFE else (SAFE, UNSAFE)
        together = [finding] + [f for f in checked.findings if finding.group is not None and f.group == finding.group and f is not finding]
        edits, fixed = applier.select_edits(together, kinds)
        return edits if finding in fixed else []

    def suppression(self, checked: Checked, finding: Finding, roots: Tuple[str, ...] = ()) -> List[Edit]:
        """A comment that makes the scan drop ``finding`` and changes nothing else it reports."""
        if not checked.parsed or checked.fmt is None or finding.rule == suppressions.UNUSED_RULE:
            return []
        for place in suppress.placements(checked.source, finding, checked.fmt, checked.path):
            after = applier.apply_edits(checked.text, [place.edit])
            comment = place.edit.replacement.strip()
            if not suppress.is_comment(checked.fmt, checked.text, after, place.line, comment, checked.path):
                continue
            # the rule's findings on the lines it covers go; the rest stay, below it one line down
            # (a directive that gets a code may change what its own DS900 says)
            def kept(f: Finding) -> bool:
                return not (place.joins and f.rule == suppressions.UNUSED_RULE and f.line == place.line)

            expected = sorted(_key(f, place.shift if f.line >= finding.line else 0) for f in checked.findings
                              if not (f.rule == finding.rule and f.line in place.covers) and kept(f))
            again = self._check(self.engine(), after, checked.path, roots)
            if sorted(_key(f) for f in again.findings if kept(f)) == expected:
                return [place.edit]
        return []


def _key(finding: Finding, shift: int = 0) -> Tuple:
    return finding.rule, finding.line + shift, finding.message


def difference(before: str, after: str) -> Edit:
    """One edit from ``before`` to ``after``: the span between their common prefix and suffix."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return Edit(start, len(before) - end, after[start:len(after) - end])


def buffer_bytes(text: str, fmt: Optional[str]) -> bytes:
    """The bytes a buffer would be saved as: a Python file in the encoding its coding cookie
    names (so the pipeline decodes it back to this text), anything else in UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    if fmt == "python":
        cookie = _CODING.search(b"\n".join(data.split(b"\n", 2)[:2]))
        if cookie is not None:
            try:
                if codecs.lookup(cookie.group(1).decode("ascii")).name != "utf-8":
                    return text.encode(cookie.group(1).decode("ascii"))
            except (LookupError, UnicodeError):
                pass  # the pipeline says what is wrong with it
    return data
