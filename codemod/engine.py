"""The pipeline for one file, and the loop over many: read, prefilter, decode, scan, select,
suppress, fix (all edits at once, re-parsed, second pass must change nothing), write atomically."""

from __future__ import annotations

import codecs
import difflib
import io
import os
import re
import tokenize
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from codemod import applier, scanners
from codemod.config import CliOverrides, Config, ConfigResolver
from codemod.discovery import Candidate, Discovery, exclude_spec
from codemod.ftypes import SAFE, UNSAFE, FileResult, Finding, ScanContext, ScanError, SourceText
from codemod.ruledocs import default_codes

# Below this many candidate files a process pool costs more than it saves.
MIN_FILES_FOR_POOL = 24
BINARY_SNIFF_BYTES = 8192
SUPPRESSION = re.compile(r"#\s*v4-migrate:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?")


@dataclass(frozen=True)
class RunOptions:
    today: date
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 1
    config_path: Optional[Path] = None
    overrides: CliOverrides = field(default_factory=CliOverrides)

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


def suppressed_codes(line_text: str) -> Optional[Sequence[str]]:
    """Codes a ``# v4-migrate: ignore[...]`` comment names; () for a bare ignore; None if none."""
    match = SUPPRESSION.search(line_text)
    if match is None:
        return None
    codes = match.group("codes")
    return tuple(c.strip().upper() for c in codes.split(",") if c.strip()) if codes else ()


def is_suppressed(finding: Finding, source: SourceText) -> bool:
    for line in (finding.line, finding.line - 1):
        if line < 1:
            continue
        codes = suppressed_codes(source.line_text(line))
        if codes is not None and (not codes or finding.rule in codes):
            return True
    return False


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

    def config_for(self, path: Path) -> Config:
        return self.resolver.for_dir(path.parent)

    def is_candidate(self, raw: bytes, config: Config) -> bool:
        return config.catalog.may_contain(raw)

    def process(self, candidate: Candidate) -> FileResult:
        """The whole pipeline for one file, as a worker runs it."""
        result = FileResult(candidate.display)
        try:
            config = self.config_for(candidate.path)
            raw = self.read(candidate.path, config)
        except _Skip as skip:
            if skip.error:
                result.errors.append(f"{candidate.display}: {skip}")
            return result
        except ValueError as exc:  # a broken pyproject.toml governing this file
            result.errors.append(str(exc))
            return result
        if raw is None or not self.is_candidate(raw, config):
            return result
        return self.process_bytes(candidate, raw, config, result)

    def read(self, path: Path, config: Config) -> Optional[bytes]:
        try:
            size = os.stat(path).st_size
            if size > config.max_file_size:
                return None
            with open(path, "rb") as fh:
                raw = fh.read()
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
        try:
            return self._process_bytes(candidate, raw, config, result)
        except Exception as exc:  # a bug must cost one file, never the run or a traceback
            result.findings, result.fixed, result.changed = [], 0, False
            result.errors.append(f"{candidate.display}: internal error ({type(exc).__name__}: {exc}); file left unchanged, please report")
            return result

    def _process_bytes(self, candidate: Candidate, raw: bytes, config: Config, result: FileResult) -> FileResult:
        fmt = scanners.format_for(candidate.path) or "text"
        ctx = ScanContext(path=candidate.display, catalog=config.catalog, config=config, today=self.options.today)
        try:
            decoded = decode(raw, fmt)
        except DecodeError as exc:
            result.errors.append(f"{candidate.display}: {exc}; reported by text, not fixed")
            text_source = SourceText(raw.decode("latin-1"))
            result.findings = self.select(scanners.load("text").scan(text_source, ctx, reason=str(exc)), text_source, config)
            return result
        source = SourceText(decoded.text)
        scanner = scanners.load(fmt) or scanners.load("text")
        findings = self.scan(scanner, source, ctx, config)
        for finding in findings:
            if finding.edits:
                finding.extra["edit_regions"] = edit_regions(finding, source)
        result.findings = findings
        if self.options.fix and any(f.fix in self.options.fix_kinds and f.edits for f in findings):
            self.fix(candidate, scanner, source, decoded, ctx, config, result)
        return result

    def scan(self, scanner, source: SourceText, ctx: ScanContext, config: Config) -> List[Finding]:
        try:
            findings = scanner.scan(source, ctx)
        except ScanError as exc:
            findings = scanners.load("text").scan(source, ctx, reason=f"the file does not parse: {exc}")
        return self.select(findings, source, config)

    def select(self, findings: Iterable[Finding], source: SourceText, config: Config) -> List[Finding]:
        return [
            f for f in findings if config.is_selected(f.rule, self.default_codes) and not is_suppressed(f, source)
        ]

    def fix(self, candidate, scanner, source, decoded: Decoded, ctx, config, result: FileResult) -> None:
        edits, fixed = applier.select_edits(result.findings, self.options.fix_kinds)
        new_text = applier.apply_edits(source.text, edits)
        problem = self.check_fixed_text(scanner, new_text, ctx, config)
        if problem:
            result.errors.append(f"{candidate.display}: {problem}; file left unchanged")
            return
        try:
            new_bytes = decoded.encode(new_text)
        except UnicodeEncodeError:
            result.errors.append(f"{candidate.display}: the fix cannot be encoded as {decoded.encoding}; file left unchanged")
            return
        if self.options.diff:
            result.diff = unified_diff(candidate.display, source.text, new_text)
        else:
            try:
                applier.write_atomic(candidate.path, new_bytes)
            except OSError as exc:
                result.errors.append(f"{candidate.display}: cannot write: {exc.strerror or exc}; file left unchanged")
                return
        for finding in fixed:
            finding.fixed = True
        result.fixed = len(fixed)
        result.changed = True
        remaining = self.scan(scanner, SourceText(new_text), ctx, config)
        result.findings = fixed + remaining

    def check_fixed_text(self, scanner, new_text: str, ctx: ScanContext, config: Config) -> Optional[str]:
        """Why the fixed text must not be written, or None: it must parse, and a second pass
        must find nothing more to fix."""
        try:
            scanner.verify(new_text)
        except ScanError as exc:
            return f"the fix would not parse ({exc})"
        again = SourceText(new_text)
        try:
            second = scanner.scan(again, ctx)
        except ScanError as exc:
            return f"the fixed file does not parse ({exc})"
        leftover, _ = applier.select_edits(self.select(second, again, config), self.options.fix_kinds)
        if leftover:
            return "a second pass would change the fix again (please report this)"
        return None


class _Skip(Exception):
    def __init__(self, message: str, error: bool = False):
        super().__init__(message)
        self.error = error


def unified_diff(display: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{display}", tofile=f"b/{display}"
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


# -- many files ----------------------------------------------------------------------------------


class Engine:
    def __init__(self, options: RunOptions):
        self.options = options
        self.resolver = ConfigResolver(options.config_path, options.overrides)
        self.processor = FileProcessor(options, self.resolver)
        self.discovery = Discovery(self.exclude_for)
        self.files_seen = 0

    def exclude_for(self, folder: Path):
        try:
            config = self.resolver.for_dir(folder)
        except ValueError as exc:  # a broken pyproject.toml: its files are skipped below, once each
            self.note(str(exc))
            return None
        spec = exclude_spec(config.exclude + config.extend_exclude)
        return None if spec is None else (spec, config.root or Path.cwd())

    def candidates(self, paths: Sequence[str]) -> Iterator[Tuple[Candidate, bytes, Config]]:
        """Every discovered file that passes the byte prefilter, with its bytes."""
        for candidate in self.discovery.files(paths):
            self.files_seen += 1
            try:
                config = self.processor.config_for(candidate.path)
                raw = self.processor.read(candidate.path, config)
            except _Skip as skip:
                if skip.error:
                    self.note(f"{candidate.display}: {skip}")
                continue
            except ValueError as exc:
                self.note(str(exc))
                continue
            if raw is not None and self.processor.is_candidate(raw, config):
                yield candidate, raw, config

    def run(self, paths: Sequence[str]) -> Iterator[FileResult]:
        pending = list(self.candidates(paths))
        jobs = self.options.jobs
        if jobs > 1 and len(pending) >= MIN_FILES_FOR_POOL:
            yield from self.run_pool([c for c, _, _ in pending], jobs)
            return
        for candidate, raw, config in pending:
            yield self.processor.process_bytes(candidate, raw, config, FileResult(candidate.display))

    def run_pool(self, candidates: List[Candidate], jobs: int) -> Iterator[FileResult]:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(self.options,)) as pool:
            yield from pool.map(_process_in_worker, candidates, chunksize=max(1, len(candidates) // (jobs * 4)))

    def note(self, problem: str) -> None:
        """One line per problem, however many files it touches."""
        if problem not in self.discovery.problems:
            self.discovery.problems.append(problem)

    @property
    def problems(self) -> List[str]:
        return self.discovery.problems


_WORKER: Optional[FileProcessor] = None


def _init_worker(options: RunOptions) -> None:
    global _WORKER
    _WORKER = FileProcessor(options, ConfigResolver(options.config_path, options.overrides))


def _process_in_worker(candidate: Candidate) -> FileResult:
    assert _WORKER is not None
    return _WORKER.process(candidate)
