"""A run with errors never reads as a pass, in any output (issue 12, "Silent passes"): no
"All checks passed", SARIF's executionSuccessful is false, JUnit has no passing case, and
--statistics prints the errors too. Error lines end with a newline."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from helpers import run_cli

FORMATS = ["text", "json", "sarif", "github", "markdown", "junit", "gitlab"]


@pytest.fixture(params=["a missing path", "a bad config", "an unreadable file"])
def error_run(request, tmp_path):
    """(arguments, working folder) of a run whose only outcome is an error."""
    (tmp_path / "clean.py").write_text("x = 1\n")
    if request.param == "a missing path":
        return ["nonexistent"], tmp_path
    if request.param == "a bad config":
        (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nextend-exlude = ["x"]\n')
        (tmp_path / "app.py").write_text('MODEL = "deepseek-chat"\n')
        return ["."], tmp_path
    (tmp_path / "fifo.py").write_bytes(b"")
    import os

    os.remove(tmp_path / "fifo.py")
    os.mkfifo(tmp_path / "fifo.py")
    return ["fifo.py", "clean.py"], tmp_path


def _assert_error_lines(stderr: str) -> None:
    assert stderr.endswith("\n")
    lines = stderr.splitlines()
    assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_reports_a_pass_for_a_run_with_errors(error_run, fmt):
    args, cwd = error_run
    proc = run_cli(["--format", fmt, *args], cwd)
    assert proc.returncode == 2
    assert "all checks passed" not in proc.stdout.lower()
    assert "No call sites of retired DeepSeek model ids remain" not in proc.stdout
    _assert_error_lines(proc.stderr)
    if fmt == "sarif":
        [invocation] = json.loads(proc.stdout)["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error"]
    elif fmt == "junit":
        root = ET.fromstring(proc.stdout)
        assert int(root.get("errors")) == 1
        assert all(case.find("error") is not None for case in root.iter("testcase"))
    elif fmt == "json":
        assert json.loads(proc.stdout)["summary"]["errors"] == 1
    elif fmt == "github":
        assert proc.stdout.startswith("::error ")
    elif fmt == "markdown":
        assert "**1 error**: the run is incomplete" in proc.stdout


def test_a_missing_path_is_one_error_line_and_nothing_else(tmp_path):
    proc = run_cli(["/nonexistent"], tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: /nonexistent: no such file or directory\n"


def test_a_run_that_checked_files_says_it_had_errors(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    proc = run_cli(["clean.py", "missing.py"], tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "No findings in 1 file(s) checked, but 1 error(s) occurred.\n"


def test_a_successful_run_still_says_so(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    proc = run_cli(["--format", "sarif", "."], tmp_path)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert run_cli(["."], tmp_path).stdout == "All checks passed: 1 file(s) checked.\n"


@pytest.mark.parametrize("case", ["a bad path", "a bad config"])
def test_statistics_prints_the_errors(tmp_path, case):
    (tmp_path / "app.py").write_text('MODEL = "deepseek-chat"\n')
    if case == "a bad config":
        (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nselect = ["DS01"]\n')
        args = ["."]
    else:
        args = ["app.py", "nonexistent"]
    proc = run_cli(["--statistics", *args], tmp_path)
    assert proc.returncode == 2
    _assert_error_lines(proc.stderr)
    assert ("did you mean DS001?" if case == "a bad config" else "nonexistent: no such file") in proc.stderr


def test_sarif_carries_warnings_as_notifications(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.v4_migrate]\n")
    (tmp_path / "clean.py").write_text("x = 1\n")
    proc = run_cli(["--format", "sarif", "."], tmp_path)
    [invocation] = json.loads(proc.stdout)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True  # a warning is no failure
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and "[tool.v4_migrate] is not read" in note["message"]["text"]
