"""Ruff-grade command-line flags, each through the real CLI in a subprocess: stdin with
--stdin-filename, --show-fixes, --exit-non-zero-on-fix, --statistics --format json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import run_cli

LEGACY = b'MODEL = "deepseek-chat"  # keep\r\nTABLE = {"deepseek-chat": 1}\r\n'


def run_bytes(args, cwd: Path, data: bytes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env["V4_MIGRATE_TODAY"] = "2026-11-28"
    return subprocess.run([sys.executable, "-m", "codemod", *args], cwd=cwd, env=env, input=data, capture_output=True, timeout=120)


def test_stdin_is_checked_as_the_file_it_names(tmp_path):
    proc = run_bytes(["-", "--stdin-filename", "app/llm.py", "--format", "concise"], tmp_path, LEGACY)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("app/llm.py:1:9: DS001 "), proc.stdout
    assert not (tmp_path / "app").exists()  # nothing is written


def test_stdin_name_picks_the_format_and_the_config(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    dotenv = run_bytes(["-", "--stdin-filename", ".env"], tmp_path, b"CHAT_MODEL=deepseek-chat\n")
    assert dotenv.returncode == 1 and b".env variable CHAT_MODEL" in dotenv.stdout, dotenv.stdout
    ignored = run_bytes(["-", "--stdin-filename", "sub/x.py"], tmp_path, b'M = "deepseek-chat"\n')
    assert ignored.returncode == 0, ignored.stdout


def test_stdin_fix_writes_the_fixed_file_to_stdout_byte_exact_and_the_report_to_stderr(tmp_path):
    proc = run_bytes(["--fix", "-", "--stdin-filename", "app.py"], tmp_path, LEGACY)
    assert proc.stdout == (b'import os\r\nMODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")  # keep\r\n'
                           b'TABLE = {"deepseek-chat": 1}\r\n')
    assert b"1 fixed" in proc.stderr and proc.returncode == 1  # the table's DS002 remains
    clean = run_bytes(["--fix", "-"], tmp_path, b"x = 1\n")
    assert clean.returncode == 0 and clean.stdout == b"x = 1\n"  # nothing to fix: the input as it came


def test_dash_must_be_the_only_path(tmp_path):
    proc = run_bytes(["-", "."], tmp_path, b"")
    assert proc.returncode == 2 and proc.stderr.count(b"\n") == 1 and b"must be the only path" in proc.stderr


def test_show_fixes_lists_what_was_fixed_and_what_could_be(tmp_path):
    (tmp_path / "app.py").write_bytes(LEGACY)
    check = run_cli(["--show-fixes", "."], tmp_path)
    assert "Fixable 2 finding(s):\n- app.py:\n    1 × DS001 (legacy-model-id)\n" in check.stdout, check.stdout
    assert "1 × DS002 (legacy-model-id-review) (with --unsafe-fixes)" in check.stdout
    fixed = run_cli(["--fix", "--show-fixes", "."], tmp_path)
    assert "Fixed 1 finding(s):\n- app.py:\n    1 × DS001 (legacy-model-id)\n" in fixed.stdout, fixed.stdout
    again = run_cli(["--fix", "--show-fixes", "."], tmp_path)
    assert "No fixes applied." in again.stdout


def test_exit_non_zero_on_fix(tmp_path):
    (tmp_path / "app.py").write_text('M = "deepseek-chat"\nclient.chat.completions.create(model=M, messages=[])\n')
    (tmp_path / "other.py").write_text('N = "deepseek-chat"\nclient.chat.completions.create(model=N, messages=[])\n')
    plain = run_cli(["--fix", "app.py"], tmp_path)
    assert plain.returncode == 0, plain.stdout  # everything fixed
    flagged = run_cli(["--fix", "--exit-non-zero-on-fix", "other.py"], tmp_path)
    assert flagged.returncode == 1 and "All checks passed (1 fixed)" in flagged.stdout, flagged.stdout
    nothing = run_cli(["--fix", "--exit-non-zero-on-fix", "other.py"], tmp_path)
    assert nothing.returncode == 0


def test_statistics_honours_format_json(tmp_path):
    (tmp_path / "app.py").write_bytes(LEGACY)
    proc = run_cli(["--statistics", "--format", "json", "."], tmp_path)
    assert json.loads(proc.stdout) == [
        {"code": "DS001", "name": "legacy-model-id", "count": 1, "fixable": True, "unsafe_fixable": False},
        {"code": "DS002", "name": "legacy-model-id-review", "count": 1, "fixable": False, "unsafe_fixable": True},
    ]
