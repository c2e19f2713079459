"""Shared by the config-format tests: a scan context, the engine's rule selection, and the
before/after cases under fixtures/formats/<format>/<case>/."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Tuple

import codemod.config
from codemod.applier import apply_edits, select_edits
from codemod.catalog import Catalog
from codemod.ftypes import Finding, ScanContext, ScanError, SourceText
from codemod.ruledocs import default_codes
from codemod.scanners import text as text_scanner

TODAY = datetime.date(2026, 11, 28)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
CATALOG = Catalog.load()
CONFIG = codemod.config.build({}, None)
DEFAULT_CODES = default_codes()
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def make_ctx(path: str = "x.yml") -> ScanContext:
    return ScanContext(path=path, catalog=CATALOG, config=CONFIG, today=TODAY)


def read(path: Path) -> str:
    """A file's exact text (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def scan(module: ModuleType, text: str, path: str) -> List[Finding]:
    """The findings the engine would keep: default rules, text fallback on ScanError."""
    ctx = make_ctx(path)
    source = SourceText(text)
    try:
        findings = module.scan(source, ctx)
    except ScanError as exc:
        findings = text_scanner.scan(source, ctx, reason=str(exc))
    return [f for f in findings if CONFIG.is_selected(f.rule, DEFAULT_CODES)]


def fix(module: ModuleType, text: str, path: str) -> Tuple[str, List[Finding]]:
    findings = scan(module, text, path)
    edits, _ = select_edits(findings, ("safe",))
    return apply_edits(text, edits), findings


def safe_edits(module: ModuleType, text: str, path: str) -> list:
    return select_edits(scan(module, text, path), ("safe",))[0]


def line_breaks(text: str) -> set:
    return set(_LINE_BREAK.findall(text))


@dataclass(frozen=True)
class Case:
    """One fixture file: ``fixtures/formats/<format>/<case>/before/<rel>`` and its ``after``."""

    fmt: str
    name: str
    rel: str  # the path the scanner is told, relative to before/

    @property
    def root(self) -> Path:
        return FIXTURES / self.fmt / self.name

    @property
    def before(self) -> Path:
        return self.root / "before" / self.rel

    @property
    def after(self) -> Path:
        return self.root / "after" / self.rel

    def __str__(self) -> str:
        return f"{self.name}/{self.rel}"


def cases(fmt: str) -> List[Case]:
    found = []
    for case_dir in sorted((FIXTURES / fmt).iterdir()):
        before = case_dir / "before"
        for path in sorted(p for p in before.rglob("*") if p.is_file()):
            found.append(Case(fmt, case_dir.name, path.relative_to(before).as_posix()))
    return found


def summary(findings: List[Finding], rules: str = "DS") -> List[str]:
    """Findings as ``RULE LINE:COLUMN FIX`` lines, for comparing with expected.txt."""
    return [f"{f.rule} {f.line}:{f.column} {f.fix or '-'}" for f in findings if f.rule.startswith(rules)]


def leaves(data: Any, path: Tuple = ()) -> Dict[Tuple, Any]:
    """Every scalar of a loaded document by its path."""
    if isinstance(data, dict):
        out: Dict[Tuple, Any] = {}
        for key, value in data.items():
            out.update(leaves(value, path + (str(key),)))
        return out
    if isinstance(data, list):
        out = {}
        for index, value in enumerate(data):
            out.update(leaves(value, path + (index,)))
        return out
    return {path: data}


def holds_retired_id(value: Any) -> bool:
    return isinstance(value, str) and bool(
        list(CATALOG.find(value)) or re.search(r":?-(deepseek[/:])?deepseek-(chat|reasoner|coder)\b", value)
    )


def assert_only_ids_changed(before: Any, after: Any) -> None:
    """Same shape; every value that differs held a retired id and holds none any more."""
    old, new = leaves(before), leaves(after)
    assert old.keys() == new.keys()
    changed = {path for path in old if old[path] != new[path]}
    for path in changed:
        assert holds_retired_id(old[path]), (path, old[path], new[path])
        assert not CATALOG.exact(str(new[path])), (path, new[path])


def check_fixture(module: ModuleType, case: Case) -> Tuple[str, str]:
    """The table-driven check every format shares: the safe fix turns ``before`` into
    ``after`` byte for byte, the findings are the expected ones, the result verifies, a second
    pass has nothing left to fix, and no line ending changes kind. Returns both texts."""
    before, after = read(case.before), read(case.after)
    fixed, findings = fix(module, before, case.rel)
    assert fixed == after
    assert summary(findings, "DS00") == _expected_for(case)
    assert safe_edits(module, after, case.rel) == []
    if after != before:
        module.verify(after)
    if line_breaks(before):
        assert line_breaks(after) == line_breaks(before)
    return before, after


def _expected_for(case: Case) -> List[str]:
    """This file's block of expected.txt (blocks start with ``# <rel>``)."""
    lines = read(case.root / "expected.txt").splitlines()
    block: List[str] = []
    current = None
    for line in lines:
        if line.startswith("# "):
            current = line[2:].strip()
        elif line.strip() and current == case.rel:
            block.append(line.strip())
    return block
