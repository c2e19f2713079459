"""Drive the real pipeline on files in a temp folder."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path
from typing import List, Sequence, Tuple

from codemod.config import ConfigResolver
from codemod.discovery import Candidate
from codemod.engine import FileProcessor, RunOptions
from codemod.ftypes import FileResult
from forked_python import run_python

TODAY = datetime.date(2026, 11, 28)
REPO_ROOT = Path(__file__).resolve().parent.parent


def process_file(path: Path, *, fix: bool = False, unsafe: bool = False, diff: bool = False, today=TODAY,
                 config_path=None) -> FileResult:
    options = RunOptions(today=today, fix=fix or diff, unsafe_fixes=unsafe, diff=diff, config_path=config_path)
    processor = FileProcessor(options, ConfigResolver(config_path))
    return processor.process(Candidate(path, path.name))


def run_on_text(tmp_path: Path, text, name: str = "example.py", **kwargs) -> Tuple[FileResult, bytes]:
    """Write ``text`` (str or bytes) to ``tmp_path/name``, process it, return the result and the
    file's bytes afterwards."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = process_file(path, **kwargs)
    return result, path.read_bytes()


def rules_of(result: FileResult) -> List[str]:
    return sorted(f.rule for f in result.findings if not f.fixed)


# What a run of the CLI imports, the tool's scanners included: 0.3 s of each run's 0.5 s, some 300 runs a suite. None of
# these modules reads the environment or the working directory when it is imported. Their own server: the
# programs a fix changes must not find the tool imported.
CLI_MODULES = ("libcst", "libcst.metadata", "click", "yaml", "rich.console", "pathspec", "tree_sitter",
               "tree_sitter_typescript", "concurrent.futures.process", "codemod.cli", "codemod.engine",
               *(f"codemod.scanners.{name}" for name in ("python", "yaml", "dotenv", "json", "javascript", "notebook",
                                                         "shell", "markdown", "other", "text")))


def run_cli(args: Sequence[str], cwd: Path, env=None, input_text=None) -> subprocess.CompletedProcess:
    """``python -m codemod *args``, forked from an interpreter that has imported ``CLI_MODULES``
    (tests/forked_python.py)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("V4_MIGRATE_TODAY", "NO_COLOR", "CI")}
    full_env.setdefault("V4_MIGRATE_TODAY", "2026-11-28")
    full_env.update(env or {})
    return run_python(["-m", "codemod", *args], cwd=cwd, env=full_env, input=input_text, timeout=120,
                      preload=CLI_MODULES, server="cli")


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def committed_repo(tmp_path: Path, files) -> Path:
    """A git repo at ``tmp_path/repo`` holding ``files`` (path -> text), committed."""
    root = tmp_path / "repo"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "legacy")
    return root


def run_project_tests(root: Path, preload: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """The tested project's own pytest suite (``root/tests``), with ``root`` on the path.

    Without this environment's pytest plugins (langsmith's and hypothesis' cost 4 s of start-up and the
    project uses neither), and with litellm's bundled cost map (the network is closed here)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("DEEPSEEK_CHAT_MODEL", None)
    return run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root, env=env, timeout=120,
                      preload=("pytest", *preload))
