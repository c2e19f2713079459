"""Thousands of findings in one file are fixed like a few: every one, once, and a second run
changes nothing. (How the time grows with them is measured in benchmarks/fix_growth.py, not here.)"""

from __future__ import annotations

import ast
import random

from codemod.applier import select_edits
from codemod.ftypes import Edit, Finding
from helpers import run_cli

N = 2000  # thousands, as generated modules hold; how the time grows with more is the benchmark's


def test_a_file_with_thousands_of_retired_ids_is_fixed_in_one_run(tmp_path):
    path = tmp_path / "models.py"
    path.write_text("".join(f'MODEL_{i} = "deepseek-chat"\n' for i in range(N)))
    first = run_cli(["--fix", "-q", "models.py"], tmp_path)
    assert first.returncode in (0, 1), first.stderr
    assert "Traceback" not in first.stderr
    fixed = path.read_text()
    lines = fixed.splitlines()
    assert lines[0] == "import os"
    assert lines[1:] == [f'MODEL_{i} = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' for i in range(N)]
    again = run_cli(["--fix", "-q", "models.py"], tmp_path)
    assert again.returncode in (0, 1), again.stderr
    assert path.read_text() == fixed


def test_a_list_and_a_dict_of_thousands_of_ids_get_one_successor_each(tmp_path):
    path = tmp_path / "catalog.py"
    members = "".join('    "deepseek-chat",\n' for _ in range(2000))
    keys = "".join(f'    "deepseek-chat": {i},\n' for i in range(2000))
    path.write_text(f"MODELS = [\n{members}]\nPRICES = {{\n{keys}}}\n")
    proc = run_cli(["--fix", "--unsafe-fixes", "-q", "catalog.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    fixed = path.read_text()
    tree = ast.literal_eval(fixed.split("=", 1)[1].split("\nPRICES")[0].strip())
    assert tree.count("deepseek-v4-flash") == 1 and tree.count("deepseek-chat") == 2000
    prices = fixed.split("PRICES = ", 1)[1]
    assert prices.count('"deepseek-v4-flash": 0,') == 1  # beside the first key, with its value
    again = run_cli(["--fix", "--unsafe-fixes", "-q", "catalog.py"], tmp_path)
    assert path.read_text() == fixed, again.stderr


def _pairwise_select(findings, kinds):
    """select_edits as first written: every new edit against every chosen one."""

    def overlaps(a, b):
        return a.start == a.end == b.start == b.end or (a.start < b.end and b.start < a.end)

    chosen, fixed, taken = [], [], set()
    for finding in findings:
        if finding.fix not in kinds or not finding.edits:
            continue
        new = [e for e in finding.edits if e not in taken]
        if any(overlaps(e, o) for e in new for o in chosen) or any(overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1:]):
            continue
        chosen.extend(new)
        taken.update(new)
        fixed.append(finding)
    return sorted(chosen), fixed


def test_select_edits_chooses_what_the_pairwise_definition_chooses():
    rng = random.Random(17)
    for _ in range(3000):
        findings = []
        for _ in range(rng.randint(0, 12)):
            edits = []
            for _ in range(rng.randint(0, 3)):
                start = rng.randint(0, 15)
                edits.append(Edit(start, start + rng.choice((0, 0, 1, 2, 3)), rng.choice("ab")))
            findings.append(Finding("DS001", "error", "m", 1, 1, 1, 1, fix=rng.choice(("safe", "safe", "unsafe")), edits=tuple(edits)))
        expected_edits, expected_fixed = _pairwise_select(findings, ("safe",))
        edits, fixed = select_edits(findings, ("safe",))
        assert edits == expected_edits
        assert [id(f) for f in fixed] == [id(f) for f in expected_fixed]
