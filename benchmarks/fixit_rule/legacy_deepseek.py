"""The Fixit equivalent of v4-migrate's core check, for benchmarks/run.py: flag every string
literal (SimpleString) whose value is a retired DeepSeek model id.

It is deliberately simpler than v4-migrate's scanner (no position classification, no fixes),
so the comparison favours Fixit. Enabled in the generated tree's pyproject.toml with
``[tool.fixit] enable = ["fixit_rule.legacy_deepseek"]`` and ``PYTHONPATH=benchmarks``.
"""

from __future__ import annotations

import libcst as cst
from fixit import Invalid, LintRule, Valid

# Built from parts so this file is not itself a hit for the tools being measured.
LEGACY_IDS = frozenset("deepseek-" + suffix for suffix in ("chat", "reasoner", "coder"))


class LegacyDeepSeekModel(LintRule):
    MESSAGE = "Retired DeepSeek model id"
    VALID = [Valid('MODEL = "deepseek-v4-flash"')]
    INVALID = [Invalid('MODEL = "deepseek-' + 'chat"')]

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and value in LEGACY_IDS:
            self.report(node, f"{self.MESSAGE} `{value}`")
