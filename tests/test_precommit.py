"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against a committed snapshot
of the current working tree (pre-commit clones a hook repository at a rev)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest
import yaml

from codemod.scanners import format_for
from helpers import REPO_ROOT, git, run_cli

HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"
SNAPSHOT_ITEMS = ("codemod", "rules", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))

LEGACY_PY = 'from openai import OpenAI\n\nclient = OpenAI()\nMODEL = "deepseek-chat"\n'
LEGACY_ENV = "LLM_MODEL=deepseek-chat\n"


def hooks() -> Dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}


# -- the manifest itself --------------------------------------------------------------------


def test_manifest_declares_both_hooks():
    check, fix = hooks()["v4-migrate"], hooks()["v4-migrate-fix"]
    assert check["entry"] == "v4-migrate" and fix["entry"] == "v4-migrate --fix"
    for hook in (check, fix):
        assert hook["language"] == "python" and hook["require_serial"] is True
        # A types filter would be ANDed with `files` and drop a bare `.env` (identify gives it no type).
        assert "types" not in hook and "types_or" not in hook


@pytest.mark.parametrize(
    "path",
    ["app.py", "pkg/stubs.pyi", "nb/explore.ipynb", "ci.yaml", ".github/workflows/ci.yml", "data.json", ".env",
     "svc/.env", ".env.local", "deploy/.env.production", "prod.env", "deploy/staging.env", "notes.txt", "README.md",
     "environment.py.bak", "my.envelope", "Makefile", "Dockerfile", "svc/Dockerfile.prod", "api.dockerfile",
     "web.Dockerfile", "Containerfile", "pyproject.toml", "setup.cfg", "tox.ini", "app.properties", "nginx.conf",
     "main.tf", "prod.tfvars", "cmd/main.go", "src/lib.rs", "App.java", "Main.kt", "build.gradle.kts", "App.swift",
     "main.dart", "Program.cs", "docs/index.mdx", "index.rst", "notes.txt.bak", "README.markdown", "main.gox",
     "Dockerfiles/x", "dockerfile", "photo.png", "bundle.min.js", "web/app.ts", "api/index.mjs", "lib/x.cjs",
     "ui/App.tsx", "ui/App.jsx", "types.d.ts", "svc/worker.mts", "svc/old.cts", "src/Ask.vue", "src/Ask.svelte",
     "main.tsv", "app.json5", "x.jsonc"],
)
def test_files_pattern_selects_exactly_what_the_scanners_read(path):
    """The hook's `files` regex and the scanners' file patterns agree, name by name."""
    pattern = re.compile(hooks()["v4-migrate"]["files"])
    assert hooks()["v4-migrate-fix"]["files"] == pattern.pattern
    assert bool(pattern.search(path)) == (format_for(Path(path)) is not None)


# -- the real pre-commit --------------------------------------------------------------------


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Tuple[Path, str]:
    """A git repository holding the current working tree's package, committed; and its sha. Named as the
    README's clone is, so that the README's own steps use it, and the hook's environment, once installed."""
    repo = tmp_path_factory.mktemp("hook-repo") / "v4-migrate"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for item in SNAPSHOT_ITEMS:
        source = REPO_ROOT / item
        if source.is_dir():
            shutil.copytree(source, repo / item, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, repo / item)
    if not (repo / "README.md").exists():  # pyproject.toml names it as the readme
        (repo / "README.md").write_text("# v4-migrate\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo, git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    """One cache for the session, so the hook's environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path, hook_repo):
    def make(hook_id: str, files: Dict[str, str]) -> Path:
        repo_path, sha = hook_repo
        config = {"repos": [{"repo": str(repo_path), "rev": sha, "hooks": [{"id": hook_id}]}]}
        (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        git(tmp_path, "init", "-q")
        git(tmp_path, "add", "-A")
        return tmp_path

    return make


def pre_commit(cwd: Path, home: Path) -> subprocess.CompletedProcess:
    """``pre-commit run`` on the staged files, as ``git commit`` would run it."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env.update(PRE_COMMIT_HOME=str(home), V4_MIGRATE_TODAY="2026-11-28", PRE_COMMIT_COLOR="never")
    return subprocess.run([PRE_COMMIT, "run", "--color", "never"], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_check_hook_blocks_legacy_ids_in_python_and_env_files(project, pre_commit_home):
    repo = project(
        "v4-migrate",
        {
            "src/app.py": LEGACY_PY,
            ".env": LEGACY_ENV,
            "deploy/.env.production": LEGACY_ENV,
            "deploy/staging.env": LEGACY_ENV,
            "notes.log": "we used deepseek-chat\n",  # not a file the hook reads
            "cmd/main.go": 'package main\n\nvar model = "deepseek-chat"\n',  # reported, never fixed
        },
    )
    result = pre_commit(repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for name in ("src/app.py", ".env", "deploy/.env.production", "deploy/staging.env", "cmd/main.go"):
        assert re.search(rf"(^|\s){re.escape(name)}(:|\s|$)", output, re.M), f"{name} not named:\n{output}"
    assert "notes.log" not in output
    assert "deepseek-chat" in output


def test_check_hook_passes_after_fix(project, pre_commit_home):
    repo = project("v4-migrate", {"src/app.py": LEGACY_PY, ".env": LEGACY_ENV})
    assert pre_commit(repo, pre_commit_home).returncode == 1
    fixed = run_cli(["--fix", "."], cwd=repo)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "deepseek-chat" not in (repo / "src/app.py").read_text(encoding="utf-8")
    assert "deepseek-chat" not in (repo / ".env").read_text(encoding="utf-8")
    git(repo, "add", "-A")
    result = pre_commit(repo, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_rewrites_files_and_stops_the_commit(project, pre_commit_home):
    repo = project("v4-migrate-fix", {"src/app.py": LEGACY_PY, "conf/llm.yaml": "model: deepseek-reasoner\n", "clean.py": "x = 1\n"})
    result = pre_commit(repo, pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "files were modified by this hook" in output
    app = (repo / "src/app.py").read_text(encoding="utf-8")
    assert 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in app and "deepseek-chat" not in app
    assert "deepseek-reasoner" not in (repo / "conf/llm.yaml").read_text(encoding="utf-8")
    assert (repo / "clean.py").read_text(encoding="utf-8") == "x = 1\n"
    # Once the rewrites are staged, the same hook has nothing left to do.
    git(repo, "add", "-A")
    again = pre_commit(repo, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr


def test_the_shim_this_tool_vendors_passes_its_hook_and_no_fix_touches_it(project, pre_commit_home):
    """The vendored shim holds the retired ids on purpose (its catalog): its first line marks it,
    so the hook does not block the file the tool itself wrote, and --unsafe-fixes leaves it be."""
    repo = project("v4-migrate", {"clean.py": "x = 1\n", "src/app/__init__.py": ""})
    vendored = run_cli(["--vendor-shim", "src/app/v4_shim.py"], cwd=repo)
    assert vendored.returncode == 0 and "src/app/v4_shim.py" in vendored.stdout, vendored.stderr
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    hook = pre_commit(repo, pre_commit_home)
    assert hook.returncode == 0, hook.stdout + hook.stderr
    written = (repo / "src/app/v4_shim.py").read_bytes()
    assert run_cli(["src/app/v4_shim.py"], cwd=repo).returncode == 0
    assert run_cli(["--fix", "--unsafe-fixes", "."], cwd=repo).returncode == 0
    assert (repo / "src/app/v4_shim.py").read_bytes() == written
    # the same ids in a file without the marker are still found
    (repo / "src/app/copy.py").write_bytes(written.split(b"\n", 1)[1])
    assert run_cli(["src/app/copy.py"], cwd=repo).returncode == 1


def test_vendor_shim_to_a_folder_that_does_not_exist_is_one_line_and_exit_2(tmp_path):
    proc = run_cli(["--vendor-shim", str(tmp_path / "nowhere" / "x.py")], cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1 and "nowhere" in proc.stderr, proc.stderr


def _readme_block(heading: str, language: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(heading + "\n", 1)[1]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_the_readmes_pre_commit_snippet_runs_as_written(tmp_path, hook_repo, pre_commit_home):
    """From a project next to a clone of this repository at ../v4-migrate (the hook's repository), the
    README's commands write a config that pre-commit runs, and the installed hook blocks a commit."""
    repo_path, sha = hook_repo
    project = repo_path.parent / f"project-{tmp_path.name}"
    project.mkdir()
    (project / "app.py").write_text(LEGACY_PY, encoding="utf-8")
    git(project, "init", "-q")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env.update(PRE_COMMIT_HOME=str(pre_commit_home), V4_MIGRATE_TODAY="2026-11-28", PRE_COMMIT_COLOR="never",
               PATH=os.path.dirname(PRE_COMMIT) + os.pathsep + os.environ.get("PATH", ""))
    snippet = _readme_block("### pre-commit", "sh")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", snippet], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert (config["repos"][0]["repo"], config["repos"][0]["rev"]) == (str(repo_path), sha)
    git(project, "add", "-A")
    commit = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert commit.returncode != 0 and "DS001" in commit.stdout + commit.stderr, commit.stdout + commit.stderr
