"""The demo tree in fixtures/: `--fix` turns fixtures/demo into fixtures/demo.fixed, byte for byte."""

from __future__ import annotations

import json
import shutil

from helpers import REPO_ROOT, run_cli, run_project_tests

DEMO = REPO_ROOT / "fixtures" / "demo"
FIXED = REPO_ROOT / "fixtures" / "demo.fixed"


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fix_turns_demo_into_demo_fixed_and_then_changes_nothing(tmp_path):
    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    first = run_cli(["--fix", "--format", "json", "."], work)
    assert first.returncode == 1  # review findings remain, as intended
    assert _files(work) == _files(FIXED)
    second = run_cli(["--fix", "--format", "json", "."], work)
    assert json.loads(second.stdout)["summary"]["fixed"] == 0
    assert _files(work) == _files(FIXED)


def test_demo_precision_bait_is_never_reported():
    proc = run_cli(["--format", "json", "."], DEMO)
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert "app/local.py" not in paths
    assert all("OLLAMA_MODEL" not in f["message"] for f in json.loads(proc.stdout)["findings"])


def test_demo_env_secret_never_printed():
    for fmt in ("text", "json", "sarif", "github", "markdown", "junit", "gitlab"):
        proc = run_cli(["--format", fmt, "."], DEMO)
        assert "sk-demo-not-a-real-key" not in proc.stdout + proc.stderr, fmt


def test_the_demo_projects_own_tests_pass_before_and_after_the_fix(tmp_path):
    # tests/test_llm.py asserts the value of a constant of app/llm.py: the two move together
    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    before = run_project_tests(work)
    assert before.returncode == 0, before.stdout
    run_cli(["--fix", "."], work)
    assert 'DEFAULT_MODEL == "deepseek-v4-flash"' in (work / "tests" / "test_llm.py").read_text()
    after = run_project_tests(work)
    assert after.returncode == 0, after.stdout
