"""Commands: a retired id given to a command-line tool as its model (in a shell script, a
Makefile, a workflow's `run:` step, a compose `command:`) is a live call, so it is a DS001 value
with an unsafe fix, never an info-level mention (scanners/shell.py, scanners/_common.py)."""

from __future__ import annotations

import pytest

from helpers import run_cli, run_on_text

CASES = [
    ("scripts/review.sh", '#!/bin/sh\n# uses deepseek-chat\naider --model deepseek/deepseek-chat "$@"\n',
     '#!/bin/sh\n# uses deepseek-chat\naider --model deepseek/deepseek-v4-flash "$@"\n', ["DS001", "DS003"]),
    ("Makefile", "review:\n\tllm -m deepseek-reasoner 'x'\n\tMODEL=deepseek-chat ./ask\n",
     "review:\n\tllm -m deepseek-v4-flash 'x'\n\tMODEL=deepseek-v4-flash ./ask\n", ["DS001", "DS001"]),
    ("build.mk", "ask:\n\taider --model=deepseek-chat --weak-model deepseek-reasoner\n",
     "ask:\n\taider --model=deepseek-v4-flash --weak-model deepseek-v4-flash\n", ["DS001", "DS001"]),
    ("run.sh", "echo deepseek-chat-v3-0324 ollama/deepseek-chat\n", None, []),
    ("notes.sh", 'echo "compare with deepseek-chat"\n', None, ["DS002"]),
]


@pytest.mark.parametrize("name, src, expected, rules", CASES, ids=[c[0] for c in CASES])
def test_a_commands_model_argument_is_a_value(tmp_path, name, src, expected, rules):
    result, _ = run_on_text(tmp_path, src, name=name)
    assert sorted(f.rule for f in result.findings) == rules
    assert all(f.fix == "unsafe" for f in result.findings if f.rule == "DS001")
    assert all("thinking mode" in f.message for f in result.findings if f.rule == "DS001")
    _, after_safe = run_on_text(tmp_path, src, name=name, fix=True)
    assert after_safe.decode() == src  # the thinking mode cannot follow: never a safe fix
    fixed, after = run_on_text(tmp_path, src, name=name, fix=True, unsafe=True)
    assert after.decode() == (expected if expected is not None else src) and not fixed.errors


def test_the_ci_gate_fails_on_a_workflow_step_that_still_calls_the_retired_id(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "review.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n"
                        "      - run: aider --model deepseek/deepseek-chat --yes\n")
    check = run_cli(["--format", "github", "."], cwd=tmp_path)
    assert check.returncode == 1 and "::error" in check.stdout and "DS001" in check.stdout
    run_cli(["--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert "aider --model deepseek/${{ vars.DEEPSEEK_CHAT_MODEL || 'deepseek-v4-flash' }} --yes" in workflow.read_text()
    assert run_cli(["."], cwd=tmp_path).returncode == 0
