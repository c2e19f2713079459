"""Every shell snippet of the README runs as written: in a project (a git repository with a
retired id in it) next to a clone of this repository at ../v4-migrate. The first two (install
and test) are what .ci/run itself runs; the pre-commit one is run, with its hook, by
tests/test_precommit.py; the workflow and GitLab ones by tests/test_action.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT, git

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```sh\n(.*?)^```", README, flags=re.S | re.M)
RUN_ELSEWHERE = ("pip install", ".pre-commit-config.yaml")  # .ci/run; tests/test_precommit.py


def snippets():
    for index, block in enumerate(BLOCKS):
        if not any(marker in block for marker in RUN_ELSEWHERE):
            yield pytest.param(block, id=f"block{index + 1}")


def test_the_install_and_test_commands_are_the_ones_ci_runs():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "pip install -e '.[test]' && pytest" in BLOCKS[1] and "pip install -e '.[test]' && pytest" in ci
    assert BLOCKS[0].strip().endswith("pip install . && v4-migrate fixtures/demo")


@pytest.mark.parametrize("block", list(snippets()))
def test_a_readme_snippet_runs_as_written(block, tmp_path):
    clone = tmp_path / "v4-migrate"
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    (clone / "README.md").write_text("# v4-migrate\n")
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "clone")
    project = tmp_path / "project"
    (project / "src" / "myapp").mkdir(parents=True)
    (project / "src" / "myapp" / "llm.py").write_text('MODEL = "deepseek-chat"\n')
    git(project, "init", "-q")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env.update(V4_MIGRATE_TODAY="2026-11-28", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
