"""The pipeline for one file, and the loop over many: read, prefilter, decode, scan, select,
suppress, fix (all edits at once, re-parsed, second pass must change nothing), write atomically."""

from __future__ import annotations

import codecs
import gc
import io
import os
import re
import signal
import stat
import tokenize
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from codemod import applier, gitcmd, lifeline, redact, scanners, suppressions, tempnames
from codemod.config import CliOverrides, Config, ConfigResolver
from codemod.discovery import Candidate, Discovery, GitBatch, exclude_spec
from codemod.ftypes import BARE_UNSENT, SAFE, UNSAFE, VENDORED_MARKER, ExportCall, FileResult, Finding, ScanContext, ScanError, SourceText
from codemod.ruledocs import default_codes

# Below this many candidate files a process pool costs more than it saves.
# The work, in bytes of candidate text, from which a run's process pool pays for its start-up: on
# 2 cores the 0.5% benchmark tree (100 candidate files, 450 KB) took 0.87 s alone, 0.66 s in a pool.
MIN_BYTES_FOR_POOL = 192 * 1024
POOL_BYTES_ENV = "V4_MIGRATE_POOL_MIN_BYTES"  # another threshold (tests of the pool set 0)
# A check sends a worker this many files per task: a task costs about 0.3 ms of the pool's
# machinery on both sides, a tenth of a file's scan (batches of 8: 9-12% less wall time on the
# benchmark trees). A run that writes sends one file per task, so that a worker's crash loses
# only the file that caused it, never the report of a file it already wrote.
CHECK_FILES_PER_TASK = 8
BINARY_SNIFF_BYTES = 8192
# Set (to anything) to always use the Python byte prefilter, never `git grep` (tests, debugging).
NO_GIT_GREP_ENV = "V4_MIGRATE_NO_GIT_GREP"
REVIEW_RULE = "DS002"  # every scanner's: an id where a rewrite would change logic
# the files whose scan may follow a name imported from another module (project.py)
IMPORTER_SUFFIXES = (".py", ".pyi") + tuple(spec[1:] for spec in gitcmd.JS_PATHSPECS)


@dataclass(frozen=True)
class RunOptions:
    today: date
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 1
    config_path: Optional[Path] = None
    overrides: CliOverrides = field(default_factory=CliOverrides)
    stdin: bool = False  # the one file comes on stdin: a fix goes to FileResult.fixed_bytes, never to disk
    not_scanned: FrozenSet[str] = frozenset()  # displays of this run's own files (the baseline), never scanned
    # the real path of the tree a fix may write in (applier.tree_root); None: anywhere
    write_root: Optional[str] = None

    @property
    def writes(self) -> bool:
        return self.fix and not self.diff

    @property
    def fix_kinds(self) -> Tuple[str, ...]:
        return (SAFE, UNSAFE) if self.unsafe_fixes else (SAFE,)


class DecodeError(Exception):
    pass


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode(self.encoding)


def decode(raw: bytes, fmt: str) -> Decoded:
    """Decode as the format defines it: PEP 263 cookie or BOM for Python, UTF-8 otherwise."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    encoding = "utf-8"
    if fmt == "python":
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            raise DecodeError(str(exc).split("\n")[0]) from None
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not valid {encoding} (byte {exc.start})") from None
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r}") from None
    if text.encode(encoding) != body:
        raise DecodeError(f"{encoding} does not round-trip byte-exactly")
    return Decoded(text, encoding, bom)


def expect_thinking(scanned: Sequence[Tuple[FileResult, Optional["_ScanState"]]]) -> None:
    """The mock expectations of a request's exact arguments expect the thinking mode too, once
    a request of their group gets it; one whose library is not known says what to add."""
    groups = {group for result, _ in scanned for group in result.thinking_sent}
    for result, state in scanned:
        for finding in result.findings:
            if finding.thinking_if_sent is None or finding.group not in groups:
                continue
            if not finding.thinking_if_sent:
                finding.message += "; the request it checks now also sends a thinking mode: expect it here too"
                continue
            finding.edits += finding.thinking_if_sent
            if state is not None:
                finding.extra["edit_regions"] = edit_regions(finding, state.source)


MAX_CALLERS_NAMED = 3


def unsafe_where_callers_differ(scanned: Sequence[Tuple[FileResult, Optional["_ScanState"]]]) -> Dict[str, str]:
    """A parameter's default decides the thinking mode its function's request gets, which is
    right only for the calls that pass nothing: where another module's call passes an id of
    another mode, or a value not known here, that fix would change what it sends, so it is
    unsafe (a function's calls in its own module are followed by the scan)."""
    calls: Dict[str, List[ExportCall]] = {}
    for result, _ in scanned:
        for call in result.export_calls:
            calls.setdefault(call.group, []).append(call)
    made: Dict[str, str] = {}
    unsafe_groups: Dict[str, str] = {}  # group -> where its unsafe default is
    for result, _ in scanned:
        for finding in result.findings:
            default = finding.default_of
            if default is None or finding.fix != SAFE:
                continue
            differing = []
            for call in calls.get(default.group, ()):
                passes, passed = call.passes(default)
                if passes and passed != default.mode:
                    differing.append(f"{call.where} (thinking {passed or 'not known'})")
            if not differing:
                continue
            named = ", ".join(differing[:MAX_CALLERS_NAMED]) + (f" and {len(differing) - MAX_CALLERS_NAMED} more"
                                                                if len(differing) > MAX_CALLERS_NAMED else "")
            made[post_pass_key(finding)] = (f"; unsafe: `{default.group.rpartition(':')[2]}` is also called with its own "
                                            f"`{default.param}` from {named}, and its request would send thinking {default.mode} for that too")
            finding.fix = UNSAFE
            finding.message += made[post_pass_key(finding)]
            if finding.group is not None:
                unsafe_groups.setdefault(finding.group, f"{finding.path}:{finding.line}")
    if unsafe_groups:  # what is fixed with it (another literal its request sends) waits for it
        for result, _ in scanned:
            for finding in result.findings:
                if finding.group in unsafe_groups and finding.fix == SAFE:
                    finding.fix = UNSAFE
                    made.setdefault(finding.group, f"; unsafe: it is fixed together with {unsafe_groups[finding.group]}, whose fix is unsafe")
                    finding.message += made[finding.group]
    return made


def post_pass_key(finding: Finding) -> Optional[str]:
    """What names a finding the post-passes made unsafe, in the second pass over the fixed text too
    (which scans one file, and would find the fix safe again): its function's group for a
    parameter's default, else its own group."""
    return finding.default_of.group if finding.default_of is not None else finding.group


def edit_regions(finding: Finding, source: SourceText) -> List[dict]:
    regions = []
    for edit in finding.edits:
        start_line, start_column = source.position(edit.start)
        end_line, end_column = source.position(edit.end)
        regions.append(
            {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column, "insertedText": edit.replacement}
        )
    return regions


class FileProcessor:
    def __init__(self, options: RunOptions, resolver: ConfigResolver):
        self.options = options
        self.resolver = resolver
        self.default_codes = default_codes()
        self._configs: Dict[str, Config] = {}  # by folder: resolving it per file is costly
        self.facts = None  # a component's ProjectFacts while it is processed
        self.made_unsafe: Dict[str, str] = {}  # while a component is fixed: what its post-passes made unsafe, and why

    def config_for(self, candidate: Candidate) -> Config:
        """The config of the candidate's folder (its real path, when discovery knows it)."""
        if candidate.folder:
            return self.config_for_folder(candidate.folder)
        return self.config_for_folder(os.path.dirname(candidate.path_str) or ".", real=False)

    def config_for_folder(self, folder: str, real: bool = True) -> Config:
        config = self._configs.get(folder)
        if config is None:
            config = self.resolver.for_real_dir(folder) if real else self.resolver.for_dir(folder)
            self._configs[folder] = config
        return config

    def is_candidate(self, raw: bytes, config: Config) -> bool:
        return config.catalog.may_contain(raw) or (config.reports_aliases and config.catalog.may_contain_alias(raw))

    def process(self, candidate: Candidate, prefilter: bool = True) -> FileResult:
        """The whole pipeline for one file, as a worker runs it; without the byte prefilter
        for a file of a component, which may hold no id but send one defined elsewhere."""
        result = FileResult(candidate.display)
        try:
            config = self.config_for(candidate)
            raw = self.read(candidate.path_str, config)
        except _Skip as skip:
            if skip.error:
                result.errors.append(f"{candidate.display}: {skip}")
            return result
        except ValueError as exc:  # a broken pyproject.toml governing this file
            result.errors.extend(str(exc).splitlines())
            return result
        if raw is None or (prefilter and not self.is_candidate(raw, config)):
            return result
        return self.process_bytes(candidate, raw, config, result)

    def read(self, path: str, config: Config) -> Optional[bytes]:
        """The file's bytes; None for a folder, a file over max-file-size or a binary file."""
        try:
            # Non-blocking, so a FIFO that took a file's place cannot hang the run.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with open(fd, "rb", closefd=True) as fh:
                info = os.fstat(fh.fileno())
                if stat.S_ISDIR(info.st_mode):
                    return None
                if not stat.S_ISREG(info.st_mode):
                    raise _Skip("not a regular file (a FIFO, socket or device); skipped", error=True)
                if info.st_size > config.max_file_size:
                    return None
                raw = fh.read(config.max_file_size + 1)  # never more, should it grow meanwhile
            if len(raw) > config.max_file_size:
                return None
        except FileNotFoundError:
            raise _Skip("vanished before it could be read", error=True) from None
        except IsADirectoryError:
            return None
        except OSError as exc:
            raise _Skip(f"cannot read: {exc.strerror or exc}", error=True) from None
        if b"\0" in raw[:BINARY_SNIFF_BYTES]:
            return None
        return raw

    def process_bytes(self, candidate: Candidate, raw: bytes, config: Config, result: FileResult) -> FileResult:
        if raw.startswith(VENDORED_MARKER):
            return result  # checked: the shim's own catalog of retired ids
        if self.options.writes:
            tempnames.remove_stale(candidate.path_str)  # what a killed run left beside this file
        try:
            return self._process_bytes(candidate, raw, config, result)
        except Exception as exc:  # a bug must cost one file, never the run or a traceback
            result.findings, result.fixed, result.changed = [], 0, False
            result.errors.append(f"{candidate.display}: internal error ({type(exc).__name__}: {exc}); file left unchanged, please report")
            return result

    def _process_bytes(self, candidate: Candidate, raw: bytes, config: Config, result: FileResult) -> FileResult:
        fmt = scanners.format_for(candidate.path) or "text"
        facts = self.facts.for_file(candidate.display, fmt) if self.facts is not None else None
        ctx = ScanContext(path=candidate.display, catalog=config.catalog, config=config, today=self.options.today, facts=facts,
                          file=candidate.path_str)
        try:
            decoded = decode(raw, fmt)
        except DecodeError as exc:
            if getattr(scanners.load(fmt), "BINARY_IF_UNDECODABLE", False):
                return result  # a report-only format that is not text: a binary, skipped quietly
            result.errors.append(f"{candidate.display}: {exc}; reported by text, not fixed")
            text_source = SourceText(raw.decode("latin-1"))
            result.findings = self.select(scanners.load("text").scan(text_source, ctx, reason=str(exc)), text_source, config,
                                          ctx.path, comments_fixable=False)
            return result
        source = SourceText(decoded.text)
        scanner = scanners.load(fmt) or scanners.load("text")
        findings = self.scan(scanner, source, ctx, config, reason=None if fmt != "text" else "a file of no format v4-migrate parses")
        result.sent, result.thinking_sent = set(ctx.sent), set(ctx.thinking_sent)
        result.export_calls = list(dict.fromkeys(ctx.export_calls))  # (a large file's chunks share context)
        for finding in findings:
            if finding.edits:
                finding.extra["edit_regions"] = edit_regions(finding, source)
        result.findings = findings
        state = _ScanState(candidate, scanner, source, decoded, ctx, config)
        if self.defer_fix:
            self.deferred = state
        elif self.options.fix and any(f.fix in self.options.fix_kinds and f.edits for f in findings):
            self.fix(state, result)
        return result

    defer_fix = False  # set while a component is scanned: its files are fixed together
    deferred: Optional["_ScanState"] = None

    def scan(self, scanner, source: SourceText, ctx: ScanContext, config: Config, reason: Optional[str] = None) -> List[Finding]:
        try:
            findings = scanner.scan(source, ctx, reason=reason) if reason else scanner.scan(source, ctx)
        except ScanError as exc:
            findings = scanners.load("text").scan(source, ctx, reason=f"the file does not parse: {exc}")
        return self.select(findings, source, config, ctx.path, getattr(scanner, "LINE_COMMENTS", False))

    def select(self, findings: Iterable[Finding], source: SourceText, config: Config, path: str = "",
               comments_fixable: bool = True) -> List[Finding]:
        """The findings of the selected rules (less the per-file ignores) that no suppression
        comment covers, and the comments that cover none (DS900)."""
        findings = _other_providers_unsafe(list(findings), config.catalog)
        kept, directives = suppressions.split(findings, source)
        if directives:
            kept += suppressions.unused(findings, directives, source, path, comments_fixable)
        return [f for f in kept if config.is_selected(f.rule, self.default_codes) and not config.is_ignored_in(f.rule, f.path)]

    def fix(self, state: "_ScanState", result: FileResult) -> None:
        self.fix_together([(result, state)])

    def plan_fix(self, state: "_ScanState", findings: List[Finding],
                 fixable=lambda finding: True) -> Tuple[Optional["_PendingFix"], Optional[str]]:
        """The fixed text of a file and what it fixes, checked but not written; or why the file
        must be left unchanged. ``fixable``: which findings may be fixed now."""
        edits, fixed = applier.select_edits([f for f in findings if fixable(f)], self.options.fix_kinds)
        if not edits:
            return None, None
        source = state.source
        new_text = applier.apply_edits(source.text, edits)
        problem, remaining = self._check_fixed(state.scanner, new_text, state.ctx, state.config, source.text, fixable)
        if problem:
            return None, f"{state.candidate.display}: {problem}; file left unchanged"
        try:
            new_bytes = state.decoded.encode(new_text)
        except UnicodeEncodeError:
            return None, f"{state.candidate.display}: the fix cannot be encoded as {state.decoded.encoding}; file left unchanged"
        return _PendingFix(state, new_text, new_bytes, fixed, remaining), None

    def commit_fix(self, pending: "_PendingFix", result: FileResult) -> None:
        """Record a fix as made; with --diff, as the diff it would make."""
        state = pending.state
        if self.options.diff:
            result.diff = unified_diff(state.candidate.display, state.source.text, pending.new_text)
        elif self.options.stdin:
            result.fixed_bytes = pending.new_bytes
        for finding in pending.fixed:
            finding.fixed = True
        result.fixed = len(pending.fixed)
        result.changed = True
        result.findings = pending.fixed + pending.remaining  # the second pass's findings: the fixed text, scanned once

    def write_group(self, pendings: List[Tuple[FileResult, "_PendingFix"]]) -> None:
        """Write the files fixed as one, or none of them: each is checked first (changed on disk,
        read-only, hard-linked, out of the tree), and should a write fail, those already written
        get their old bytes back. A refusal or failure is one line, on the file it concerns."""
        root = self.options.write_root
        for result, pending in pendings:
            refusal = applier.why_not_written(pending.state.candidate.path_str, pending.old_bytes, root)
            if refusal is not None:
                result.errors.append(f"{pending.state.candidate.display}: not fixed: {refusal}{_also_unchanged(pending, pendings)}")
                return
        written: List[Tuple[FileResult, "_PendingFix"]] = []
        # the files of a group are written one after another with interrupts held back, so that
        # Ctrl-C or SIGTERM lands before or after the group, never inside it
        with applier.interrupts_deferred():
            for result, pending in pendings:
                try:
                    # the bytes it was fixed from: a file changed meanwhile is left alone
                    applier.write_atomic(pending.state.candidate.path_str, pending.new_bytes, pending.old_bytes, root)
                except OSError as exc:
                    if isinstance(exc, (applier.ChangedOnDiskError, applier.NotWritableError)):
                        problem = f"not fixed: {exc.strerror or exc}"
                    else:
                        problem = f"cannot write: {exc.strerror or exc}; file left unchanged"
                    result.errors.append(f"{pending.state.candidate.display}: {problem}{_put_back(written, pending, pendings)}")
                    return
                written.append((result, pending))
        for result, pending in written:
            self.commit_fix(pending, result)

    # -- a component: files fixed as one ---------------------------------------------------------

    def process_component(self, component) -> List[FileResult]:
        """Scan the files of a component with the project's facts, then fix them as one: a group
        of findings (a constant and the requests in other files that send it) is fixed in every
        file or in none, and no file is written unless every file of its groups can be."""
        self.facts = component.facts
        scanned: List[Tuple[FileResult, Optional[_ScanState]]] = []
        try:
            for candidate in component.candidates:
                self.defer_fix, self.deferred = True, None
                result = self.process(candidate, prefilter=False)
                for finding in result.findings:  # the value an export names: fixed with its group
                    key = component.facts.lines.get((finding.path, finding.line))
                    if key is not None and finding.group is None and finding.legacy:
                        finding.group = key
                scanned.append((result, self.deferred))
        finally:
            self.defer_fix, self.deferred = False, None
            self.facts = None
        expect_thinking(scanned)
        self.made_unsafe = unsafe_where_callers_differ(scanned)
        self.made_unsafe.update(unsafe_where_bare_and_unsent([result for result, _ in scanned]))
        try:
            if self.options.fix:
                self.fix_together(scanned, component.already_processed, component.facts.keys)
        finally:
            self.made_unsafe = {}
        return [result for result, _ in scanned]

    def fix_together(self, scanned: List[Tuple[FileResult, Optional["_ScanState"]]], fixed_before: Set[str] = frozenset(),
                     fact_groups: Set[str] = frozenset()) -> None:
        """Fix scanned files as one: a group of findings (a value, the requests that send it, the
        assertions that check it) is fixed in all of them or not at all. ``fixed_before``: files
        fixed on their own before, where only what the project's facts add (``fact_groups``) is
        fixed now."""
        kinds = self.options.fix_kinds
        excluded: Set[str] = set()  # groups that cannot be fixed in every file
        problems: Dict[str, Tuple[FileResult, str]] = {}  # why a file was left unchanged, in any round
        reasons: Dict[str, str] = {}
        scanned = self._inside_the_tree(scanned, fixed_before, fact_groups, excluded, reasons)
        while True:
            pendings: List[Tuple[FileResult, "_PendingFix"]] = []
            broken: Dict[str, str] = {}
            for result, state in scanned:
                if state is None:
                    continue
                again = result.path in fixed_before

                def fixable(finding: Finding, again=again) -> bool:
                    if finding.group in excluded:
                        return False
                    # a file fixed on its own before: only what the facts add is fixed now
                    return not again or finding.group in fact_groups

                wanted = [f for f in result.findings if f.fix in kinds and f.edits and fixable(f)]
                pending, problem = self.plan_fix(state, result.findings, fixable)
                chosen = set(map(id, pending.fixed)) if pending is not None else set()
                for finding in wanted:
                    if finding.group is not None and id(finding) not in chosen:
                        broken.setdefault(finding.group, problem or f"{result.path}: its edits collide with another fix")
                if problem:
                    problems.setdefault(result.path, (result, problem))
                if pending is not None:
                    pendings.append((result, pending))
            if not set(broken) - excluded:
                break
            for key, reason in broken.items():
                reasons.setdefault(key, reason)
            excluded |= set(broken)
        for result, problem in problems.values():
            if not any(pending_result is result for pending_result, _ in pendings):  # not fixed in the last round either
                result.errors.append(problem)
        members: Dict[str, Set[str]] = {key: set() for key in excluded}
        for result, _ in scanned:  # one pass: thousands of groups may be excluded
            for finding in result.findings:
                if finding.group in members:
                    members[finding.group].add(result.path)
        for key in sorted(k for k in excluded if len(members[k]) > 1 or reasons.get(k, "").endswith("collide with another fix")):
            owner = next(r for r, _ in scanned if r.path in members[key])
            owner.errors.append(f"{owner.path}: the fix of `{key.rpartition(':')[2]}` and of what goes with it was not applied, "
                                f"in any of {', '.join(sorted(members[key]))} ({reasons.get(key, 'a file of the group cannot be fixed')})")
        if self.options.diff or self.options.stdin:
            for result, pending in pendings:
                self.commit_fix(pending, result)
        else:
            self.write_group(pendings)

    def _inside_the_tree(self, scanned, fixed_before, fact_groups, excluded: Set[str], reasons: Dict[str, str]):
        """The scanned files a fix may write: a file outside the tree (named on the command
        line, or reached through a link) is checked and reported, but neither written nor shown
        as a diff; one line says so, and its groups are fixed nowhere."""
        root = self.options.write_root
        if root is None:
            return scanned
        kept = []
        for result, state in scanned:
            if state is None or applier.is_inside(os.path.realpath(state.candidate.path_str), root):
                kept.append((result, state))
                continue
            again = result.path in fixed_before
            wanted = [f for f in result.findings if f.fix in self.options.fix_kinds and f.edits and (not again or f.group in fact_groups)]
            if wanted:
                problem = f"{result.path}: not fixed: {applier.outside_message(root)}"
                result.errors.append(problem)
                for finding in wanted:
                    if finding.group is not None:
                        excluded.add(finding.group)
                        reasons.setdefault(finding.group, problem)
            kept.append((result, None))
        return kept

    def check_fixed_text(self, scanner, new_text: str, ctx: ScanContext, config: Config) -> Optional[str]:
        """Why the fixed text must not be written, or None: it must parse, and a second pass
        must find nothing more to fix."""
        return self._check_fixed(scanner, new_text, ctx, config)[0]

    def _check_fixed(self, scanner, new_text: str, ctx: ScanContext, config: Config,
                     original_text: Optional[str] = None, fixable=lambda finding: True) -> Tuple[Optional[str], List[Finding]]:
        """``check_fixed_text``, and the selected findings of the second pass.

        Python must still parse with CPython (a few ms) unless CPython could not parse the
        original either (a grammar it does not know); then, as for other formats, the scanner's
        own parser decides."""
        verified = None  # CPython's tree of the fixed text: the second pass reuses its statements
        if getattr(scanner, "__name__", "") == "codemod.scanners.python":
            problem, verified = _cpython_parse(new_text)
            if problem and (original_text is None or _cpython_parse(original_text)[0] is not None):
                problem = _parser_problem(scanner, new_text)
        else:
            problem = _parser_problem(scanner, new_text, original_text)
        if problem:
            return f"the fix would not parse ({problem})", []
        again = SourceText(new_text)
        try:
            second = scanner.scan(again, ctx, verified) if verified is not None else scanner.scan(again, ctx)
        except ScanError as exc:
            return f"the fixed file does not parse ({exc})", []
        remaining = self.select(second, again, config, ctx.path, getattr(scanner, "LINE_COMMENTS", False))
        for finding in remaining:  # what the component's post-passes decided holds for the fixed text
            why = self.made_unsafe.get(post_pass_key(finding)) if self.made_unsafe else None
            if why is not None and finding.fix == SAFE:
                finding.fix = UNSAFE
                if finding.pending_hint:  # said with the hint, once the run knows no request sends it
                    finding.pending_hint += why
                else:
                    finding.message += why
        # (a comment a fix left covering nothing is reported, and removed by the next run)
        leftover, _ = applier.select_edits([f for f in remaining if fixable(f) and f.rule != suppressions.UNUSED_RULE],
                                           self.options.fix_kinds)
        if leftover:
            return "a second pass would change the fix again (please report this)", []
        return None, remaining


def _other_providers_unsafe(findings: List[Finding], catalog) -> List[Finding]:
    """Another provider's successor is a different model (its answers, its parameters): rewriting
    its id never keeps the behaviour, so no such fix is safe. Where the id is logic (compared,
    looked up: DS002), or in a test (which checks what code this tool leaves alone, such as a
    registry of model names), nothing is fixed at all."""
    from codemod.project import is_test_path

    for finding in findings:
        if finding.fix is None or not finding.legacy:
            continue
        match = catalog.exact(finding.legacy)
        if match is None or match.model.is_primary:
            continue
        if finding.rule == REVIEW_RULE or is_test_path(finding.path):
            finding.fix, finding.edits = None, ()
        elif finding.fix == SAFE:
            finding.fix = UNSAFE
    return findings


def _parser_problem(scanner, text: str, original: Optional[str] = None) -> Optional[str]:
    try:
        scanner.verify(text, original)
        return None
    except ScanError as exc:
        return str(exc)


def _cpython_parse(text: str) -> Tuple[Optional[str], Optional[object]]:
    """(None, CPython's tree) when CPython parses ``text``, else (why not: its message, or the
    exception's name; None)."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return None, ast.parse(text)
    except SyntaxError as exc:
        return f"syntax error at line {exc.lineno}, column {exc.offset}: {exc.msg}", None
    except (RecursionError, MemoryError, ValueError) as exc:  # ValueError: NUL bytes
        return type(exc).__name__, None


def unsafe_where_bare_and_unsent(results: Sequence[FileResult]) -> Dict[str, str]:
    """A constant whose fix writes the bare V4 id (another variable's env default, code that
    runs in a browser) and whose value no request of the project sends: its fix is unsafe, for
    V4 would think where the old id did not and nothing would say so afterwards. Decided where
    every file that may send it has been scanned: a component, before its fix; or the whole run."""
    sent = {group for r in results for group in r.sent}
    made: Dict[str, str] = {}
    for result in results:
        for finding in result.findings:
            if finding.bare_rewrite and finding.pending_hint and finding.group not in sent and finding.fix == SAFE and not finding.fixed:
                finding.fix = UNSAFE
                finding.pending_hint += BARE_UNSENT
                made[finding.group] = BARE_UNSENT
    return made


def _say_pending_hints(results: Sequence[FileResult]) -> None:
    """A constant other modules may import says what to send with it, and is listed (DS007) as a
    value no request sends, only when no request of the project sends it: known once every file
    has been seen."""
    unsafe_where_bare_and_unsent(results)
    sent = {group for r in results for group in r.sent}
    for result in results:
        kept = []
        for finding in result.findings:
            if finding.pending_hint and finding.group not in sent:
                finding.message += f". {finding.pending_hint}"
            finding.pending_hint = ""
            if not (finding.unless_sent and finding.group in sent):
                kept.append(finding)
        result.findings = kept


@dataclass
class _ScanState:
    """A scanned file, as fixing it needs it."""

    candidate: Candidate
    scanner: object
    source: SourceText
    decoded: Decoded
    ctx: ScanContext
    config: Config


@dataclass
class _PendingFix:
    state: _ScanState
    new_text: str
    new_bytes: bytes
    fixed: List[Finding]
    remaining: List[Finding]

    @property
    def old_bytes(self) -> bytes:
        return self.state.decoded.encode(self.state.source.text)


def _also_unchanged(pending: _PendingFix, group: Sequence[Tuple[FileResult, _PendingFix]]) -> str:
    others = [p.state.candidate.display for _, p in group if p is not pending]
    return f"; so were the files fixed with it: {', '.join(others)}" if others else ""


def _put_back(written: Sequence[Tuple[FileResult, _PendingFix]], failed: _PendingFix,
              group: Sequence[Tuple[FileResult, _PendingFix]]) -> str:
    """Give the files of a group written before one failed their old bytes back; what to add
    to the failure's line."""
    lost = []
    for _, pending in written:
        try:
            applier.write_atomic(pending.state.candidate.path_str, pending.old_bytes, pending.new_bytes)
        except OSError as exc:
            lost.append(f"{pending.state.candidate.display} ({exc.strerror or exc})")
    note = _also_unchanged(failed, group)
    if lost:
        note += f"; could not be put back, and keep the fix: {', '.join(lost)}"
    return note


class _Skip(Exception):
    def __init__(self, message: str, error: bool = False):
        super().__init__(message)
        self.error = error


def unified_diff(display: str, before: str, after: str) -> str:
    """The diff of a fix, masked as every output is (codemod.redact): a context line of a .env
    file must not print its secret. Lines end at line breaks only, as SourceText counts them."""
    import difflib

    lines = difflib.unified_diff(_lines(before), _lines(after), fromfile=f"a/{display}", tofile=f"b/{display}")
    return redact.redact_diff(
        "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
    )


_lines = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+").findall


# -- many files ----------------------------------------------------------------------------------


class Progress:
    """What the engine reports while it parses; the CLI shows a bar on a terminal."""

    def add(self, count: int = 1) -> None:  # more files to parse
        pass

    def advance(self, count: int = 1) -> None:  # files parsed
        pass

    def close(self) -> None:
        pass


class Engine:
    def __init__(self, options: RunOptions):
        self.options = options
        self.resolver = ConfigResolver(options.config_path, options.overrides)
        self.processor = FileProcessor(options, self.resolver)
        self.discovery = Discovery(self.exclude_for)
        self.files_seen = 0
        self.progress: Progress = Progress()
        self.prefiltered_by_git = 0  # files ruled out by `git grep` without being read here
        self.importers_read: List[Candidate] = []  # Python and JS files read here that the prefilter ruled out
        self.on_early_found = None  # called once the files the early git grep found are streamed
        self._held_importers: List[Candidate] = []  # with --fix, the Python and JS files, until the facts are in
        self._name_greps: Dict[str, Tuple[Set[str], "GitGrep"]] = {}  # folder -> (names, its git grep -w)

    def exclude_for(self, real_folder: str) -> Optional[Tuple[object, str]]:
        try:
            config = self.resolver.for_real_dir(real_folder)
        except ValueError as exc:  # a broken pyproject.toml: its files are skipped below, once each
            self.note(str(exc))
            return None
        spec = exclude_spec(config.exclude + config.extend_exclude)
        return None if spec is None else (spec, str(config.root) if config.root else os.path.realpath(os.getcwd()))

    def candidates(self, paths: Sequence[str]) -> Iterator[Tuple[Candidate, bytes, Config]]:
        """Every discovered file that passes the byte prefilter, with its bytes.

        In a git work tree `git grep -F` first rules out, at C speed, the tracked files that
        hold none of the prefilter's terms; only the rest are read here, and they still go
        through the same Python prefilter, so the result is identical either way. It starts
        first, with the default catalog's terms, next to `git ls-files`; the files it finds
        come first, to be parsed while discovery lists the others (and adds what a project's
        own catalog terms find)."""
        early, probes = self._start_git_greps(paths)
        try:
            # What `git grep` found is parsed (in a pool, say) while discovery lists the rest.
            yield from self._readable(self._found_by_early_greps(early, probes))
            if self.on_early_found is not None:
                self.on_early_found()  # the files git grep found first are in: the rest is discovery
            discovered: List[Tuple[Candidate, Config]] = []
            for candidate in self.discovery.files(paths):
                self.files_seen += 1
                try:
                    config = self.processor.config_for(candidate)
                except ValueError as exc:  # a broken pyproject.toml governing this file
                    self.note(str(exc))
                    self.files_seen -= 1  # not checked
                    continue
                discovered.append((candidate, config))
            batches: List[Tuple[GitBatch, Config]] = []
            for batch in self.discovery.git_batches:
                try:
                    config = self.processor.config_for_folder(batch.folder.real)
                except ValueError as exc:
                    self.note(str(exc))
                    continue
                self.files_seen += len(batch.bases)
                batches.append((batch, config))
            hits = self._git_grep_hits(discovered, batches, early)
        finally:
            for grep in [*early.values(), *probes.values()]:
                grep.stop()
            self.discovery.stop()
        yield from self._readable(discovered + self._batch_hits(batches, hits), hits)

    def _found_by_early_greps(self, early: Dict[str, "GitGrep"], probes: Dict[str, "GitGrep"]) -> List[Tuple[Candidate, Config]]:
        """The files the early `git grep` of each folder given found, with their configs.
        Should its probe find a Python file with a term, LibCST is imported (about 0.25 s)
        while the search goes on."""
        found: List[Tuple[Candidate, Config]] = []
        for folder, grep in early.items():
            if probes[folder].found_any():
                _import_python_scanner()
            names = grep.names()
            if names is None:
                continue
            for candidate in self.discovery.git_found(Path(folder), names):
                self.files_seen += 1
                try:
                    found.append((candidate, self.processor.config_for(candidate)))
                except ValueError as exc:  # a broken pyproject.toml governing this file
                    self.note(str(exc))
                    self.files_seen -= 1  # not checked
        return found

    def _readable(self, discovered: Iterable[Tuple[Candidate, Config]],
                  hits: Optional[List[Optional[Set[str]]]] = None) -> Iterator[Tuple[Candidate, bytes, Config]]:
        """The files that pass the prefilters, with their bytes: those `git grep` read are read
        here only if it found a term in them (``hits``, per git root)."""
        for candidate, config in discovered:
            if candidate.display in self.options.not_scanned:
                self.files_seen -= 1
                continue
            root = candidate.git_root
            if hits is not None and candidate.git_grep_reads and hits[root] is not None and candidate.git_name not in hits[root]:
                self.prefiltered_by_git += 1
                continue
            if not self.discovery.confirm(candidate):
                self.files_seen -= 1
                continue
            try:
                raw = self.processor.read(candidate.path_str, config)
            except _Skip as skip:
                if skip.error:
                    self.note(f"{candidate.display}: {skip}")
                continue
            if raw is not None and self.processor.is_candidate(raw, config):
                yield candidate, raw, config
            elif raw is not None and candidate.path_str.endswith(IMPORTER_SUFFIXES):
                self.importers_read.append(candidate)  # may import a constant from a definer

    def _batch_hits(self, batches: Sequence[Tuple[GitBatch, Config]], hits: List[Optional[Set[str]]]) -> List[Tuple[Candidate, Config]]:
        """The files of the batches that `git grep` found (where it could not run, all of them
        still in the work tree), in name order."""
        by_folder: List[Optional[Dict[str, Set[str]]]] = []
        gone: Dict[int, Set[str]] = {}
        for root, names in enumerate(hits):
            if names is None:
                by_folder.append(None)
                if any(batch.root == root for batch, _ in batches):
                    gone[root] = self.discovery.deleted(root)
                continue
            grouped: Dict[str, Set[str]] = {}
            for name in names:
                folder_name, _, base = name.rpartition("/")
                grouped.setdefault(folder_name, set()).add(base)
            by_folder.append(grouped)
        found: List[Tuple[Candidate, Config]] = []
        for batch, config in batches:
            grouped = by_folder[batch.root]
            wanted = None if grouped is None else grouped.get(batch.folder_name)
            if grouped is not None and not wanted:
                self.prefiltered_by_git += len(batch.bases)
                continue
            deleted = gone.get(batch.root, ())
            for base in batch.bases:
                if wanted is None and deleted and (f"{batch.folder_name}/{base}" if batch.folder_name else base) in deleted:
                    self.files_seen -= 1
                elif wanted is None or base in wanted:
                    found.append((self.discovery.batch_candidate(batch, base), config))
                else:
                    self.prefiltered_by_git += 1
        found.sort(key=lambda item: (item[0].git_root, item[0].git_name))
        return found

    def _start_git_greps(self, paths: Sequence[str]) -> Tuple[Dict[str, "GitGrep"], Dict[str, "GitGrep"]]:
        """`git grep` for the default catalog's terms in each folder given, started now; and a
        probe that stops at the first Python file holding one."""
        terms = prefilter_terms(self.resolver.default().catalog)
        if os.environ.get(NO_GIT_GREP_ENV) or not terms:
            return {}, {}
        folders = sorted({str(Path(p)) for p in paths if os.path.isdir(p)})
        early = {folder: GitGrep(Path(folder), terms) for folder in folders}
        probes = {folder: GitGrep(Path(folder), terms, gitcmd.PYTHON_PATHSPECS, quiet=True) for folder in folders}
        self.discovery.start_listings(folders)
        return early, probes

    def _git_grep_hits(self, discovered: Sequence[Tuple[Candidate, Config]], batches: Sequence[Tuple[GitBatch, Config]],
                       early: Dict[str, "GitGrep"]) -> List[Optional[Set[str]]]:
        """Per git root of this run: the names (as git lists them) of the files that hold a
        prefilter term of any config governing the root's files; None where git grep cannot be used."""
        roots = self.discovery.git_roots
        if not roots or os.environ.get(NO_GIT_GREP_ENV):
            return [None] * len(roots)
        catalogs: List[Dict[int, object]] = [{} for _ in roots]
        for candidate, config in discovered:
            if candidate.git_grep_reads:
                catalogs[candidate.git_root][id(config.catalog)] = config.catalog
        for batch, config in batches:
            catalogs[batch.root][id(config.catalog)] = config.catalog
        hits: List[Optional[Set[str]]] = []
        for root, used in zip(roots, catalogs):
            terms: Set[bytes] = set()
            for catalog in used.values():
                catalog_terms = prefilter_terms(catalog)
                if catalog_terms is None:
                    terms = set()
                    break
                terms.update(catalog_terms)
            if not terms:
                hits.append(None)
                continue
            grep = early.get(str(root))
            missing = sorted(terms) if grep is None else grep.uncovered(terms)
            found = grep.names() if grep is not None else set()
            if missing and found is not None:
                extra = GitGrep(root, missing).names()
                found = None if extra is None else found | extra
            hits.append(found)
        return hits

    def run_stdin(self, raw: bytes, filename: str) -> FileResult:
        """One file's bytes from stdin, checked (and fixed, to ``fixed_bytes``) as the file
        ``filename`` would be: its name picks the format and the config."""
        display = Path(filename).as_posix()
        candidate = Candidate(Path(filename), display=display[2:] if display.startswith("./") else display, explicit=True)
        result = FileResult(candidate.display)
        self.files_seen = 1
        try:
            config = self.processor.config_for(candidate)
        except ValueError as exc:  # a broken pyproject.toml governing this file
            result.errors.append(str(exc))
            return result
        if b"\0" in raw[:BINARY_SNIFF_BYTES] or not self.processor.is_candidate(raw, config):
            return result
        return self.processor.process_bytes(candidate, raw, config, result)

    def run(self, paths: Sequence[str]) -> Iterator[FileResult]:
        """Results per candidate file, streamed. File contents are dropped as soon as a file
        is done; with a process pool the workers read the candidates themselves.

        Two phases: the files that define a retired-id constant other modules may import are
        held back while the rest stream past; then the files that import those names are found,
        and each definer is scanned and fixed together with its importers (``project.py``).
        Python results wait for that phase, which may scan their file again with the facts."""
        definers: List[Tuple[Candidate, list]] = []
        streamed: Dict[str, Candidate] = {}  # the Python files processed alone, by display
        held: Dict[str, FileResult] = {}
        done: List[FileResult] = []
        # the importers of the constants seen so far are searched for while discovery lists the rest
        self.on_early_found = lambda: self._start_name_greps({e.name.partition(".")[0] for _, x in definers for e in x}, paths)
        # a fix holds the definers back, to fix each with its importers; a check scans them at once
        hold = self.options.fix
        units = self._components_after(self._diverted(self.candidates(paths), definers, streamed, hold), definers, streamed, paths)
        for outcome in self._run_units(units):
            if isinstance(outcome, list):  # a component's files
                for result in outcome:
                    first = held.pop(result.path, None)
                    done.append(result if first is None else self._merged(first, result))
            elif outcome.path.endswith(IMPORTER_SUFFIXES):
                held[outcome.path] = outcome
            else:
                yield outcome
        done += held.values()
        _say_pending_hints(done)
        yield from done

    def _merged(self, first: FileResult, second: FileResult) -> FileResult:
        """A file processed alone, then again in a component: the second scan saw everything the
        first did and the facts besides; what the first already wrote stays counted."""
        if not (self.options.writes and first.changed):
            return second
        second.findings = [f for f in first.findings if f.fixed] + second.findings
        second.fixed += first.fixed
        second.changed = True
        second.errors = first.errors + second.errors
        return second

    def _diverted(self, stream: Iterator[Tuple[Candidate, bytes, Config]], definers: List[Tuple[Candidate, list]],
                  streamed: Dict[str, Candidate], hold: bool = True) -> Iterator[Tuple[Candidate, bytes, Config]]:
        """The stream, noting the files that define retired-id constants or variables others may
        read (``definers``); with ``hold``, less those files."""
        for candidate, raw, config in stream:
            fmt = scanners.format_for(candidate.path)
            if fmt == "python" and not raw.startswith(VENDORED_MARKER):
                from codemod import project  # with LibCST: not for a run that finds no Python file

                exports = project.exports_in(raw, candidate.display, config.catalog)
                if exports:
                    definers.append((candidate, exports))
                if hold:  # any Python file may read another's constant: fixed once the facts are in
                    self._held_importers.append(candidate)
                    continue
                streamed[candidate.display] = candidate
            elif fmt == "javascript":
                from codemod.project import js_exports_in

                exports = js_exports_in(raw, candidate.display, config.catalog)
                if exports:
                    definers.append((candidate, exports))
                if hold:  # as a Python file: it may import another module's constant
                    self._held_importers.append(candidate)
                    continue
                streamed[candidate.display] = candidate
            elif fmt in ("dotenv", "yaml"):
                from codemod.project import env_exports_in

                exports = env_exports_in(raw, candidate.display, config.catalog)
                if exports:  # fixed with the requests that read the variables it sets
                    definers.append((candidate, exports))
                    if hold:
                        continue
            yield candidate, raw, config

    def _components_after(self, stream, definers, streamed: Dict[str, Candidate], paths: Sequence[str]):
        """The stream, then the components: each definer with the files that import from it."""
        yield from stream
        held, self._held_importers = self._held_importers, []
        if not definers and not held:
            return  # a run without Python files imports no LibCST
        from codemod import project

        if not definers:
            for candidate in held:
                yield project.Component([candidate], project.ProjectFacts([]))
            return

        facts = project.ProjectFacts([export for _, exports in definers for export in exports])
        # a test may check what a definer's function sends without naming its constant
        tests = [c for c in [*held, *streamed.values()] if project.is_test_path(c.display)]
        # (a held file is read as a streamed one would be: without git grep, nothing else finds it)
        consumers = self._consumers(facts.names, paths, [*streamed.values(), *held], tests)
        grouped: Set[str] = set()
        for component in project.components(definers, consumers, facts):
            if not self.options.fix:  # a check needs the facts only where a file reads them
                # (and in a function's definer, whose fix its importers' calls may make unsafe)
                wanted = component.readers | (facts.function_definers if component.readers else set())
                component.candidates = [c for c in component.candidates if c.display in wanted]
                if not component.candidates:
                    continue
            component.already_processed = {c.display for c in component.candidates if c.display in streamed}
            grouped.update(c.display for c in component.candidates)
            yield component
        for candidate in held:  # each with the facts: it may still import a constant it sends
            if candidate.display not in grouped:
                yield project.Component([candidate], facts)

    def _consumers(self, names: Set[str], paths: Sequence[str], streamed: Iterable[Candidate],
                   tests: Sequence[Candidate] = ()) -> List[Tuple[Candidate, str]]:
        """The Python files that hold one of ``names`` as a word (a definer may read another's),
        with their text: `git grep -w` over the tracked files of each folder given, and a read of
        the Python files this run read itself (``streamed`` candidates, untracked files, those
        outside git); and the ``tests`` that hold a retired id, whatever names they hold (the
        components link them by what they import)."""
        pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")
        found: Dict[str, Candidate] = {}
        searched_roots: Dict[int, Set[str]] = {}  # per git root: the files its greps listed, where every grep ran
        if not os.environ.get(NO_GIT_GREP_ENV):
            for folder in sorted({str(Path(p)) for p in paths if os.path.isdir(p)}):
                searched, grep = self._name_greps.pop(folder, (set(), None))
                greps = [grep] if grep is not None else []
                if names - searched:  # names of the files discovery listed after the early ones
                    greps.append(GitGrep(Path(folder), [n.encode() for n in sorted(names - searched)], gitcmd.IMPORTER_PATHSPECS, words=True))
                listed: Optional[Set[str]] = set()
                for grep in greps:
                    hits = grep.names()
                    listed = None if hits is None or listed is None else listed | hits
                    for candidate in self.discovery.git_found(Path(folder), hits or (), again=True):
                        found.setdefault(candidate.display, candidate)
                if listed is not None:
                    searched_roots[self.discovery.root_index(Path(folder))] = listed
        for candidate in [*streamed, *self.importers_read]:
            listed = searched_roots.get(candidate.git_root) if candidate.git_grep_reads else None
            if listed is None or candidate.git_name in listed:  # else git grep read it and found no name in it
                found.setdefault(candidate.display, candidate)
        for candidate in tests:
            found.setdefault(candidate.display, candidate)
        test_displays = {candidate.display for candidate in tests}
        consumers: List[Tuple[Candidate, str]] = []
        for display, candidate in sorted(found.items()):
            if not display.endswith(IMPORTER_SUFFIXES):
                continue
            try:
                with open(candidate.path_str, "rb") as fh:
                    text = fh.read(4 * 1024 * 1024).decode("utf-8", "replace")
            except OSError:
                continue
            if display in test_displays or pattern.search(text):
                consumers.append((candidate, text))
        return consumers

    def _start_name_greps(self, names: Set[str], paths: Sequence[str]) -> None:
        if not names or os.environ.get(NO_GIT_GREP_ENV):
            return
        for folder in sorted({str(Path(p)) for p in paths if os.path.isdir(p)}):
            self._name_greps[folder] = (set(names), GitGrep(Path(folder), [n.encode() for n in sorted(names)],
                                                            gitcmd.IMPORTER_PATHSPECS, words=True))

    def _run_units(self, units) -> Iterator[object]:
        """Each unit processed: a (candidate, bytes, config) gives a FileResult, a component a
        list of them; in a process pool once there are enough of them."""
        buffered: List[object] = []
        jobs = self.options.jobs
        work, enough = 0, _pool_threshold()
        for item in units:
            buffered.append(item)
            work += _unit_bytes(item)
            if jobs > 1 and work >= enough and len(buffered) >= jobs:
                first = [_unit_task(unit) for unit in buffered]
                buffered = []
                _preload_scanners([c for c in first if isinstance(c, Candidate)])
                try:
                    yield from self.run_pool(_chain(first, (_unit_task(unit) for unit in units)), jobs)
                finally:
                    gc.unfreeze()  # frozen for the workers' sake, see _new_pool
                return
        self.progress.add(len(buffered))
        buffered.reverse()
        while buffered:
            unit = buffered.pop()
            if isinstance(unit, tuple):
                candidate, raw, config = unit
                yield self.processor.process_bytes(candidate, raw, config, FileResult(candidate.display))
            else:
                yield self.processor.process_component(unit)
            self.progress.advance()

    def run_pool(self, candidates: Iterable[Candidate], jobs: int) -> Iterator[FileResult]:
        """Parse in ``jobs`` worker processes, results in order: a check sends a batch of files
        per task (``CHECK_FILES_PER_TASK``), a fix one file. On an interrupt, queued files are
        cancelled and the running ones finish (each file is written atomically), then the
        interrupt goes on. Should a worker die (a parser crash), the unfinished files are
        retried one at a time, so only the file that kills it is lost."""
        from concurrent.futures.process import BrokenProcessPool

        source = iter(candidates)
        per_task = 1 if self.options.writes else CHECK_FILES_PER_TASK
        pending: deque = deque()  # (task, future), in order; a task is a candidate, a component or a batch
        waiting: List[object] = []  # taken from the source, not sent yet, in order
        pool = _new_pool(self.processor, jobs)
        try:
            try:
                for unit in source:
                    waiting.append(unit)
                    if not (isinstance(unit, Candidate) and len(waiting) < per_task):
                        yield from self._send(pool, waiting, pending, per_task)
                yield from self._send(pool, waiting, pending, per_task)
                while pending:
                    yield from _results_of(pending[0][1].result())
                    self.progress.advance(_files_in(pending.popleft()[0]))
            except BrokenProcessPool:
                _shut_down(pool, BROKEN_POOL_GRACE)
                # files done before the crash keep their results (a rerun would find them
                # already fixed); the others are retried one at a time
                while pending and _succeeded(pending[0][1]):
                    yield from _results_of(pending[0][1].result())
                    self.progress.advance(_files_in(pending.popleft()[0]))
                unfinished: List[object] = []
                done: Dict[int, FileResult] = {}
                for unit, future in pending:
                    units = list(unit) if isinstance(unit, _Batch) else [unit]
                    unfinished += units
                    if _succeeded(future):
                        done.update(zip(map(id, units), _results_of(future.result())))
                pending.clear()
                for result in self._run_isolated(_chain(unfinished + waiting, source), done):
                    yield result
        except BaseException:
            _shut_down(pool, INTERRUPTED_POOL_GRACE)
            raise
        pool.shutdown(wait=True)

    def _send(self, pool, waiting: List[object], pending: deque, per_task: int) -> Iterator[FileResult]:
        """Send the waiting units as tasks, each run of files in batches of ``per_task``; hand
        over the results that are in, in order. A unit leaves ``waiting`` only once it is in
        ``pending``: should the pool break, every unit is in one of them."""
        while waiting:
            batched = per_task > 1 and isinstance(waiting[0], Candidate)
            count = 1
            while batched and count < min(per_task, len(waiting)) and isinstance(waiting[count], Candidate):
                count += 1
            task = _Batch(waiting[:count]) if batched else waiting[0]
            pending.append((task, None))  # kept for a retry should submit fail
            del waiting[:count]
            pending[-1] = (task, _submitted(pool, task))
            self.progress.add(_files_in(task))
            while pending and pending[0][1].done():
                yield from _results_of(pending[0][1].result())
                self.progress.advance(_files_in(pending.popleft()[0]))

    def _run_isolated(self, candidates: Iterable[Candidate], done: Optional[Dict[int, FileResult]] = None) -> Iterator[FileResult]:
        """One file at a time in one worker: a file that crashes the parser is reported and
        the run goes on. ``done``: results already known, by id of their candidate."""
        from concurrent.futures.process import BrokenProcessPool

        done = done or {}
        pool = None
        try:
            for candidate in candidates:
                if id(candidate) in done:
                    yield done.pop(id(candidate))
                    self.progress.advance()
                    continue
                if pool is None:
                    pool = _new_pool(self.processor, 1)
                try:
                    result = _submitted(pool, candidate).result()
                except BrokenProcessPool:
                    _shut_down(pool, BROKEN_POOL_GRACE)
                    pool = None
                    result = FileResult(candidate.display)
                    result.errors.append(f"{candidate.display}: could not be processed: the parser crashed; file left unchanged")
                yield result
                self.progress.advance()
        finally:
            if pool is not None:
                _shut_down(pool, INTERRUPTED_POOL_GRACE)

    def note(self, problem: str) -> None:
        """One line per problem, however many files it touches (a config error may hold several)."""
        for line in problem.splitlines():
            if line not in self.discovery.problems:
                self.discovery.problems.append(line)

    @property
    def problems(self) -> List[str]:
        return self.discovery.problems


def _pool_threshold() -> int:
    try:
        return int(os.environ.get(POOL_BYTES_ENV, MIN_BYTES_FOR_POOL))
    except ValueError:
        return MIN_BYTES_FOR_POOL


def _unit_bytes(unit) -> int:
    """The bytes of candidate text a unit brings: a file's, or the files of a component."""
    if isinstance(unit, tuple):
        return len(unit[1])
    size = 0
    for candidate in unit.candidates:
        try:
            size += os.stat(candidate.path_str).st_size
        except OSError:
            pass
    return size


def _preload_scanners(candidates: Sequence[Candidate]) -> None:
    """Import the scanners the first candidates need (LibCST: about 0.3 s) before the pool
    forks, so workers inherit them instead of each importing them at once."""
    import multiprocessing

    if multiprocessing.get_start_method(allow_none=False) != "fork":
        return
    for fmt in sorted({scanners.format_for(candidate.path) or "text" for candidate in candidates}):
        try:
            scanners.load(fmt)
        except Exception:  # a broken scanner is reported per file, by the worker
            pass


BROKEN_POOL_GRACE = 5.0  # seconds a worker of a broken pool has to end after its SIGTERM
INTERRUPTED_POOL_GRACE = 60.0  # seconds an interrupted run gives its workers to finish their files
MANAGER_GRACE = 2.0  # seconds the pool's thread has to finish once no worker is left


def _shut_down(pool, grace: float) -> None:
    """``pool.shutdown(wait=True, cancel_futures=True)``, without its ways to wait forever. A
    worker that cannot end (stuck sending a result nobody reads any more, SIGTERM held back) is
    killed after ``grace`` seconds. Once no worker is left, a pool thread still waiting is stuck
    on a task its feeder thread cannot write (the pipe is full, and no worker will read it:
    Python 3.10); the parent's end of the pipe is closed, so the write fails, as 3.11's own
    shutdown of a broken pool does."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    reader = getattr(getattr(pool, "_call_queue", None), "_reader", None)
    if manager is None or reader is None:  # shut down already (or a pool without these internals)
        pool.shutdown(wait=True, cancel_futures=True)
        return
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.join(grace)
        if worker.is_alive():
            worker.kill()
            worker.join()
    manager.join(MANAGER_GRACE)
    if manager.is_alive():
        reader.close()
        manager.join()


def _succeeded(future) -> bool:
    return future is not None and future.done() and not future.cancelled() and future.exception() is None


def _new_pool(processor: FileProcessor, jobs: int):
    """Workers that process one file per task. Forked ones start from the parent's processor,
    with the configs it has already read; spawned ones build their own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    forked = multiprocessing.get_start_method(allow_none=False) == "fork"
    if forked:
        # Out of the collector's reach, the parent's objects (LibCST's among them) are not
        # written to by a worker's collections: no copy-on-write of their pages, and about a
        # fifth less CPU per file.
        gc.freeze()
        _block_signals_across_forks()
    # a fork server, not this process, is the parent of its workers
    parent = None if multiprocessing.get_start_method(allow_none=False) == "forkserver" else os.getpid()
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(processor.options, processor if forked else None, parent))


class _Batch(tuple):
    """Files sent to a worker as one task (a check's): their results come back as one tuple."""


def _results_of(outcome) -> Tuple[object, ...]:
    """A task's results, in order: a batch's tuple, or the one result of a file or a component."""
    return outcome if isinstance(outcome, tuple) else (outcome,)


def _files_in(unit) -> int:
    return len(unit) if isinstance(unit, _Batch) else 1


def _chain(first: List[Candidate], rest: Iterable[Candidate]) -> Iterator[Candidate]:
    yield from first
    del first[:]
    yield from rest


# -- the git grep prefilter ----------------------------------------------------------------------


def prefilter_terms(catalog) -> Optional[List[bytes]]:
    """The catalog's byte prefilter as the fixed strings it matches, for `git grep -F`; None when
    its pattern is not a plain alternation of literals and character sets (then the Python
    prefilter is used). Derived from the compiled pattern itself, so it follows any change."""
    return literal_alternatives(catalog.prefilter_re)


MAX_TERMS = 512


def literal_alternatives(pattern: "re.Pattern[bytes]") -> Optional[List[bytes]]:
    """Every string a regex without quantifiers, anchors or flags can match, or None."""
    try:
        from re import _constants as constants, _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as constants  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pattern.pattern, bytes):
        return None
    try:
        parsed = parser.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None

    def sequence(items) -> Optional[List[bytes]]:
        results = [b""]
        for op, arg in items:
            if op is constants.LITERAL:
                choices = [bytes([arg])]
            elif op is constants.IN:
                choices = []
                for item_op, item_arg in arg:
                    if item_op is constants.LITERAL:
                        choices.append(bytes([item_arg]))
                    elif item_op is constants.RANGE and item_arg[1] - item_arg[0] < 64:
                        choices += [bytes([c]) for c in range(item_arg[0], item_arg[1] + 1)]
                    else:
                        return None
            elif op is constants.BRANCH:
                choices = []
                for branch in arg[1]:
                    expanded = sequence(branch)
                    if expanded is None:
                        return None
                    choices += expanded
            elif op is constants.SUBPATTERN:
                add_flags, del_flags, sub = arg[1], arg[2], arg[3]
                if add_flags or del_flags:
                    return None
                choices = sequence(sub)
                if choices is None:
                    return None
            else:
                return None
            results = [a + b for a in results for b in choices]
            if len(results) > MAX_TERMS:
                return None
        return results

    terms = sequence(list(parsed))
    if not terms or any(b"\0" in t or not t for t in terms):
        return None
    return sorted(set(terms))


def grep_needles(terms: Sequence[bytes], shortest: int = 4) -> List[bytes]:
    """Fewer, shorter strings that every term contains one of (``deepseek`` for the built-in
    terms): git grep -F is about twice as fast with one needle as with eight, and the few extra
    files it lists are ruled out by the Python prefilter."""
    needles: List[bytes] = []
    remaining = sorted(set(terms))
    while remaining:
        first = remaining[0]
        best, best_key = first, (1, len(first))
        for size in range(len(first), shortest - 1, -1):
            for start in range(len(first) - size + 1):
                part = first[start:start + size]
                key = (sum(part in term for term in remaining), size)
                if key > best_key:
                    best, best_key = part, key
        needles.append(best)
        remaining = [term for term in remaining if best not in term]
    return needles


class GitGrep:
    """`git grep` in the background (see ``gitcmd.grep_command``) for the shorter needles of
    ``terms``: ``names`` are the tracked files under ``root`` whose work-tree bytes hold one
    of them, relative to ``root``; None if git grep fails or warns about anything (then every
    file is read and prefiltered in Python)."""

    def __init__(self, root: Path, terms: Sequence[bytes], pathspecs: Sequence[str] = (".",), quiet: bool = False,
                 words: bool = False):
        # whole words (names) are searched as they are; other terms through shorter needles
        self.needles = list(terms) if words else grep_needles(terms)
        self.command = gitcmd.take(gitcmd.grep_command(root, self.needles, pathspecs, quiet, words))

    def uncovered(self, terms: Iterable[bytes]) -> List[bytes]:
        """The terms a file could hold without holding one of this search's needles."""
        return sorted(t for t in terms if not any(n in t for n in self.needles))

    def names(self) -> Optional[Set[str]]:
        result = self.command.result()
        if result is None or result[0] not in (0, 1) or result[2].strip():
            return None
        return {name for name in os.fsdecode(result[1]).split("\0") if name}

    def found_any(self) -> bool:
        result = self.command.result()
        return result is not None and result[0] == 0

    def stop(self) -> None:
        self.command.stop()


def _import_python_scanner() -> None:
    """The Python scanner, LibCST and the retry rule, imported ahead of their first file."""
    import importlib

    try:
        scanners.load("python")
        importlib.import_module("codemod.retry")
    except Exception:  # reported where the scanner is used, per file
        return


# -- workers -------------------------------------------------------------------------------------


_WORKER: Optional[FileProcessor] = None


_FORK_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_mask_before_fork: List[object] = []  # the parent's signal mask, while a fork is under way
_raised_by_fork: List[BaseException] = []  # an interrupt that waited for a fork: raised once submit returns


def _submitted(pool, unit):
    """``pool.submit`` of a unit. The pool forks its workers inside submit, with SIGINT and
    SIGTERM blocked; one that came meanwhile is raised here, not in the fork hook, where it
    would be printed as an ignored exception and lost."""
    future = pool.submit(_process_in_worker, unit)
    if _raised_by_fork:
        raise _raised_by_fork.pop()
    return future


_fork_hooks_registered = False


def _block_signals_across_forks() -> None:
    """A worker is forked with SIGINT and SIGTERM blocked, until _init_worker has set its own
    handlers: a Ctrl-C that lands while the child runs the interpreter's after-fork hooks
    (logging's lock, say) would otherwise print a traceback there ("Exception ignored in...")."""
    global _fork_hooks_registered
    if _fork_hooks_registered or not hasattr(signal, "pthread_sigmask") or not hasattr(os, "register_at_fork"):
        return
    _fork_hooks_registered = True

    def before() -> None:
        _mask_before_fork.append(signal.pthread_sigmask(signal.SIG_BLOCK, _FORK_SIGNALS))

    def after_in_child() -> None:
        _mask_before_fork.clear()  # still blocked: _init_worker unblocks them

    os.register_at_fork(before=before, after_in_parent=_after_fork_in_parent, after_in_child=after_in_child)


def _after_fork_in_parent() -> None:
    if _mask_before_fork:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, _mask_before_fork.pop())
        except (KeyboardInterrupt, SystemExit) as exc:  # its handler ran at once: see _submitted
            _raised_by_fork.append(exc)


def _init_worker(options: RunOptions, processor: Optional[FileProcessor] = None, parent: Optional[int] = None) -> None:
    global _WORKER
    lifeline.bind_to_parent(parent)  # a SIGKILL of the run ends its workers too
    # Ctrl-C reaches the whole process group: the parent decides (it cancels queued files and
    # lets running ones finish); a worker never dies in the middle of a file because of it.
    # SIGTERM (also how a broken pool stops its workers) unwinds like Ctrl-C, so a file being
    # written keeps its old or new bytes and its temp file is removed.
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _interrupt)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORK_SIGNALS)  # blocked since the fork
    except (ValueError, OSError):  # pragma: no cover
        pass
    _WORKER = processor or FileProcessor(options, ConfigResolver(options.config_path, options.overrides))
    _hold_signals_while_sending_results()


def _hold_signals_while_sending_results() -> None:
    """A worker stopped while it sends a result back would leave the result queue's lock taken:
    every other worker, and the pool's shutdown, would wait for it forever. So SIGINT and
    SIGTERM wait until the result is sent (the pool's module sends it through this function)."""
    from concurrent.futures import process

    send = process._sendback_result
    if getattr(send, "holds_signals", False) or not hasattr(signal, "pthread_sigmask"):
        return

    def send_holding_signals(*args, **kwargs):
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            return send(*args, **kwargs)
        finally:
            if _STOPPING:  # the interrupted file's result is sent: the worker ends, see _interrupt
                os._exit(128 + signal.SIGTERM)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    send_holding_signals.holds_signals = True
    process._sendback_result = send_holding_signals


_IN_TASK = False
_STOPPING = False


def _interrupt(signum, frame):
    global _STOPPING
    if _IN_TASK:
        # Unwinds the file at hand (old bytes or new, no temp file); the pool's loop sends the
        # interrupt back as the file's result, and then the worker ends (send_holding_signals).
        # Were it to wait for the next task instead, a broken pool on 3.13, which waits for every
        # worker, would wait forever.
        _STOPPING = True
        raise KeyboardInterrupt
    os._exit(128 + signum)  # idle: nothing to clean up, and no traceback from the pool's loop


def _process_in_worker(unit) -> object:
    """A Candidate's FileResult, or a component's list of them."""
    global _IN_TASK
    assert _WORKER is not None
    _IN_TASK = True
    try:
        if isinstance(unit, Candidate):
            return _WORKER.process(unit)
        if isinstance(unit, _Batch):
            return tuple(_WORKER.process(candidate) for candidate in unit)
        return _WORKER.process_component(unit)
    except lifeline.ParentGone:
        os._exit(lifeline.EXIT_PARENT_GONE)
    finally:
        _IN_TASK = False


def _unit_task(unit):
    """What a worker is sent for a unit: the candidate (it reads the file itself), or the component."""
    return unit[0] if isinstance(unit, tuple) else unit
