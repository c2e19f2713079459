"""The GitHub Action (action.yml, composite): its steps are action.sh, run here as a runner
would run them, on a real git repository: installed from this checkout into a fresh virtualenv
(never from an index), SARIF written, the job summary appended, annotations printed and the
step's exit code as --fail-on says."""

from __future__ import annotations

import json
import shutil
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import REPO_ROOT, git

ACTION = REPO_ROOT / "action.yml"
SCRIPT = REPO_ROOT / "action.sh"


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory) -> Path:
    """$RUNNER_TEMP with v4-migrate installed by the action's own install step."""
    temp = tmp_path_factory.mktemp("runner-temp")
    proc = step("install", temp, REPO_ROOT, {"INPUT_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return temp


def step(name: str, temp: Path, cwd: Path, inputs, summary: Path = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "V4_MIGRATE_", "VIRTUAL_ENV"))}
    env.update(GITHUB_ACTION_PATH=str(REPO_ROOT), RUNNER_TEMP=str(temp), V4_MIGRATE_TODAY="2026-11-28", **inputs)
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    return subprocess.run(["bash", str(SCRIPT), name], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "llm.py").write_text('MODEL = "deepseek-chat"\n')
    (root / "llm.yaml").write_text("model: deepseek-reasoner\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def test_the_action_installs_from_its_checkout_and_gates_annotates_summarizes_and_writes_sarif(runner_temp, repo, tmp_path):
    installed = subprocess.run([str(runner_temp / "v4-migrate-venv" / "bin" / "python"), "-c",
                                "import codemod, sys; print(codemod.__file__)"], capture_output=True, text=True, cwd=tmp_path)
    assert "v4-migrate-venv" in installed.stdout  # a copy in the action's virtualenv, not this checkout
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n")
    proc = step("run", runner_temp, repo, {"INPUT_PATHS": ".", "INPUT_FORMAT": "github", "INPUT_FAIL_ON": "warning",
                                           "INPUT_SARIF_FILE": "v4.sarif", "INPUT_SUMMARY": "true", "INPUT_BASELINE": ""},
                summary)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "::error file=src/llm.py,line=1,col=9," in proc.stdout and "::notice title=v4-migrate total::2 finding(s)" in proc.stdout, proc.stdout
    sarif = json.loads((repo / "v4.sarif").read_text())
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]] == [
        "llm.yaml", "src/llm.py"]
    text = summary.read_text()
    assert text.startswith("earlier steps' summary\n") and "## " in text and "src/llm.py" in text  # appended


def test_the_action_passes_below_fail_on_and_with_a_baseline(runner_temp, repo, tmp_path):
    inputs = {"INPUT_PATHS": "src llm.yaml", "INPUT_FORMAT": "concise", "INPUT_SUMMARY": "false"}
    assert step("run", runner_temp, repo, {**inputs, "INPUT_FAIL_ON": "never"}).returncode == 0
    venv_tool = runner_temp / "v4-migrate-venv" / "bin" / "v4-migrate"
    subprocess.run([str(venv_tool), "--write-baseline", "base.json", "."], cwd=repo, capture_output=True,
                   env={**os.environ, "V4_MIGRATE_TODAY": "2026-11-28"})
    baselined = step("run", runner_temp, repo, {**inputs, "INPUT_BASELINE": "base.json"})
    assert baselined.returncode == 0, baselined.stdout + baselined.stderr
    assert "All checks passed" in baselined.stdout


def test_an_error_in_any_step_fails_the_action_with_2(runner_temp, repo, tmp_path):
    proc = step("run", runner_temp, repo, {"INPUT_PATHS": "missing-folder", "INPUT_SARIF_FILE": "v4.sarif"})
    assert proc.returncode == 2
    assert json.loads((repo / "v4.sarif").read_text())["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_every_input_of_action_yml_reaches_the_script_and_the_readme_uses_only_those():
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    env = {k: v for s in action["runs"]["steps"] for k, v in (s.get("env") or {}).items()}
    script = SCRIPT.read_text()
    for name in action["inputs"]:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env.get(variable) == "${{ inputs.%s }}" % name, name
        assert variable in script, name
    for run_step in action["runs"]["steps"]:  # inputs are never spliced into a script's text
        assert "${{" not in run_step["run"]
    readme = (REPO_ROOT / "README.md").read_text()
    workflow = yaml.safe_load(readme.split("# .github/workflows/v4-migrate.yml\n", 1)[1].split("```", 1)[0])
    uses = [s for job in workflow["jobs"].values() for s in job["steps"] if s.get("uses", "").endswith("v4-migrate")]
    assert uses, "the README's workflow uses the action"
    for used in uses:
        assert set(used.get("with", {})) <= set(action["inputs"])


def test_the_readmes_gitlab_script_runs_as_written(repo, tmp_path):
    """The README's .gitlab-ci.yml script, line by line, in a project that holds this repository
    at tools/v4-migrate (as the submodule would), with pip of a fresh virtualenv."""
    readme = (REPO_ROOT / "README.md").read_text()
    job = yaml.safe_load(readme.split("# .gitlab-ci.yml\n", 1)[1].split("```", 1)[0])["v4-migrate"]
    ignore = shutil.ignore_patterns(".git", ".venv", ".ci", "__pycache__", "*.pyc", ".work", "*.egg-info", "build")
    clone = tmp_path / "v4-migrate"
    shutil.copytree(REPO_ROOT, clone, ignore=ignore)
    git(clone, "init", "-q")
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v4-migrate")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(clone), "tools/v4-migrate")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", V4_MIGRATE_TODAY="2026-11-28")
    codes = []
    for line in job["script"]:
        done = subprocess.run(["bash", "-c", line], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        codes.append(done.returncode)
    assert codes == [0, 0, 1], codes  # installed; the Code Quality report never fails the job; JUnit does
    assert [issue["location"]["path"] for issue in json.loads((repo / "gl-code-quality-report.json").read_text())] == [
        "llm.yaml", "src/llm.py"]
    assert "<testsuite" in (repo / "v4-migrate-junit.xml").read_text()
    assert set(job["artifacts"]["reports"].values()) == {"gl-code-quality-report.json", "v4-migrate-junit.xml"}
