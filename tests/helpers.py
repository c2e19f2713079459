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


def check_default_fix(root: Path, env: dict, definer: Path, caller: str, safe: bool, sent: str, finding: dict) -> None:
    """A parameter default's fix (tests/test_callers_in_other_modules.py, its JavaScript twin): safe
    or unsafe as the callers in other modules decide (``finding``: the check's), the thinking mode
    (``sent``) written only when safe, a second --fix changing nothing, and --unsafe-fixes writing it."""
    assert finding["fix"] == ("safe" if safe else "unsafe"), finding["message"]
    if not safe:
        assert f"{caller}:" in finding["message"] and "is also called with its own" in finding["message"], finding["message"]
    fixed = run_cli(["--fix", "."], cwd=root, env=env)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    assert (sent in definer.read_text()) is safe
    diff = git(root, "diff")
    assert run_cli(["--fix", "."], cwd=root, env=env).returncode in (0, 1) and git(root, "diff") == diff
    if not safe:  # what --unsafe-fixes is for: the default's mode for every call, once reviewed
        assert run_cli(["--fix", "--unsafe-fixes", "."], cwd=root, env=env).returncode in (0, 1)
        assert sent in definer.read_text()


def check_callers_keep_their_mode(root: Path, definer: Path, run) -> None:
    """The real SDK against the fake V4 API (``run(tree, server, *args)`` runs the app; with an
    argument, its call passes `deepseek-reasoner` to a function whose default is `deepseek-chat`):
    after a plain --fix that call still gets thinking on (its id rewritten, the default reported,
    unsafe); the unsafe fix, on a copy, sends the default's mode for it too, which is why it is unsafe."""
    import shutil

    from fake_deepseek import FakeDeepSeek

    original = root.parent / "original"
    shutil.copytree(root, original, symlinks=True)
    server = FakeDeepSeek().start()
    try:
        assert run(root, server, "[reasoner] think").returncode != 0  # the retired id: HTTP 400
        assert [r.status for r in server.requests] == [400]

        assert run_cli(["--fix", "."], cwd=root).returncode in (0, 1)
        server.requests.clear()
        ran = run(root, server, "[reasoner] think")
        assert ran.returncode == 0, ran.stderr
        assert [(r.model, r.thinking, r.status) for r in server.requests] == [("deepseek-v4-flash", "enabled", 200)]
        assert "deepseek-chat" in definer.read_text()  # left for review: reported, unsafe

        assert run_cli(["--fix", "--unsafe-fixes", "."], cwd=original).returncode in (0, 1)
        server.requests.clear()
        assert run(original, server).returncode == 0 and run(original, server, "[reasoner] think").returncode == 0
        assert [(r.model, r.thinking) for r in server.requests] == [("deepseek-v4-flash", "disabled")] * 2
    finally:
        server.stop()
