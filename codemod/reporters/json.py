"""``--format json``: the stable contract ``{"version": 1, "findings": [...], "summary": {...}}``.
Paths are relative to the root of the repository checked, wherever the run started."""

from __future__ import annotations

import json as jsonlib
from typing import TextIO

from codemod.reporters import Report, _shared

VERSION = 1


def render(report: Report, out: TextIO, color: bool = False) -> None:
    document = {
        "version": VERSION,
        "findings": [_public({**f.to_dict(), "path": _shared.repo_path(report, f)}) for f in report.findings],
        "summary": report.summary(),
        "errors": list(report.errors),
    }
    if report.baseline is not None:
        document["baseline"] = report.baseline.to_dict()
    out.write(jsonlib.dumps(document, indent=2, ensure_ascii=False) + "\n")  # one write, not one per token


def _public(data: dict) -> dict:
    """Internal keys (``edit_regions`` for SARIF) stay out of the contract."""
    return {k: v for k, v in data.items() if not k.startswith("edit_")}
