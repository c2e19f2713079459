"""The command line, run as users run it: a subprocess of `python -m codemod`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import REPO_ROOT, run_cli

LEGACY = 'MODEL = "deepseek-chat"\n'


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nretry-strategy = "off"\n')
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def test_check_reports_and_exits_1(project):
    proc = run_cli(["."], project)
    assert proc.returncode == 1, proc.stderr
    assert "app.py" in proc.stdout and "DS001" in proc.stdout
    assert 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in proc.stdout
    assert "Found 1 finding(s)" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour when not on a TTY


def test_clean_tree_exits_0(project):
    (project / "app.py").write_text("x = 2\n")
    proc = run_cli(["."], project)
    assert proc.returncode == 0
    assert "All checks passed" in proc.stdout


def test_diff_prints_and_writes_nothing(project):
    proc = run_cli(["--diff", "."], project)
    assert proc.returncode == 1
    assert '+MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in proc.stdout
    assert (project / "app.py").read_text() == LEGACY


def test_fix_then_second_fix_changes_nothing(project):
    first = run_cli(["--fix", "."], project)
    assert first.returncode == 0, first.stdout + first.stderr
    fixed = (project / "app.py").read_text()
    assert fixed == 'import os\nMODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'
    second = run_cli(["--fix", "--format", "json", "."], project)
    assert second.returncode == 0
    assert json.loads(second.stdout)["summary"]["fixed"] == 0
    assert (project / "app.py").read_text() == fixed


def test_json_contract(project):
    (project / "sub").mkdir()
    (project / "sub" / "b.py").write_text('if m == "deepseek-reasoner": pass\n')
    proc = run_cli(["--format", "json", "."], project)
    document = json.loads(proc.stdout)
    assert document["version"] == 1
    assert set(document["summary"]) >= {"findings", "fixed", "errors"}
    by_path = {f["path"]: f for f in document["findings"]}
    assert set(by_path) == {"app.py", "sub/b.py"}
    finding = by_path["app.py"]
    for key in ("path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "legacy", "replacement", "fix"):
        assert key in finding
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (1, 9, 1, 24)
    assert finding["fix"] == "safe" and by_path["sub/b.py"]["fix"] == "unsafe"
    assert not any(k.startswith("edit_") for f in document["findings"] for k in f)


def test_output_file(project):
    proc = run_cli(["--format", "json", "--output", "report.json", "."], project)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((project / "report.json").read_text())["summary"]["findings"] == 1


@pytest.mark.parametrize(
    "today, severity, exit_code",
    [
        ("2026-03-01", "notice", 0),  # 145 days left
        ("2026-05-01", "warning", 1),  # 84 days left
        ("2026-07-01", "error", 1),  # 23 days left
        ("2026-08-01", "error", 1),  # retired
    ],
)
def test_deadline_tiers(project, today, severity, exit_code):
    proc = run_cli(["--format", "json", "--today", today, "."], project)
    finding = json.loads(proc.stdout)["findings"][0]
    assert finding["severity"] == severity
    assert proc.returncode == exit_code
    if today == "2026-08-01":
        assert "HTTP 400 since 2026-07-24" in finding["message"] and len(finding["message"].split(". ")[0]) < 130


def test_today_defaults_to_env_var(project):
    proc = run_cli(["--format", "json", "."], project, env={"V4_MIGRATE_TODAY": "2026-03-01"})
    assert json.loads(proc.stdout)["findings"][0]["severity"] == "notice"


def test_tier_thresholds_are_configurable(project):
    (project / "pyproject.toml").write_text('[tool.v4-migrate]\nretry-strategy = "off"\n[tool.v4-migrate.tiers]\nwarning-days = 200\n')
    proc = run_cli(["--format", "json", "--today", "2026-03-01", "."], project)
    assert json.loads(proc.stdout)["findings"][0]["severity"] == "warning"


@pytest.mark.parametrize("fail_on, exit_code", [("error", 1), ("never", 0)])
def test_fail_on(project, fail_on, exit_code):
    assert run_cli(["--fail-on", fail_on, "."], project).returncode == exit_code


def test_info_findings_do_not_fail_by_default(project):
    (project / "app.py").write_text("# we used deepseek-chat before\n")
    proc = run_cli(["."], project)
    assert proc.returncode == 0 and "DS003" in proc.stdout


def test_exit_zero(project):
    assert run_cli(["--exit-zero", "."], project).returncode == 0


def test_select_and_ignore(project):
    assert run_cli(["--ignore", "DS001", "."], project).returncode == 0
    assert run_cli(["--select", "DS1", "."], project).returncode == 0
    assert run_cli(["--select", "DS001,DS002", "."], project).returncode == 1


def test_usage_error_exits_2(project):
    proc = run_cli(["--today", "yesterday", "."], project)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_bad_config_is_one_line_and_exits_2(project):
    (project / "pyproject.toml").write_text('[tool.v4-migrate]\nfail-on = "sometimes"\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pyproject.toml" in lines[0] and "fail-on" in lines[0]


def test_broken_subproject_config_does_not_stop_the_run(project):
    (project / "sub").mkdir()
    (project / "sub" / "pyproject.toml").write_text("[tool.v4-migrate]\nnot-a-key = 1\n")
    (project / "sub" / "a.py").write_text(LEGACY)
    (project / "sub" / "b.py").write_text(LEGACY)
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    assert "app.py" in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "sub/pyproject.toml" in lines[0] and "not-a-key" in lines[0]


def test_missing_path_is_an_error_and_the_run_goes_on(project):
    proc = run_cli(["nope.py", "app.py"], project)
    assert proc.returncode == 2
    assert "nope.py" in proc.stderr and "app.py" in proc.stdout


def test_explain_prints_every_section():
    proc = run_cli(["--explain", "DS001"], REPO_ROOT)
    assert proc.returncode == 0
    for title in ("What it does", "Why", "Example", "Use instead", "Fix safety"):
        assert f"## {title}" in proc.stdout


def test_explain_unknown_rule_is_a_usage_error():
    assert run_cli(["--explain", "DS999"], REPO_ROOT).returncode == 2


def test_quiet_omits_summary(project):
    proc = run_cli(["-q", "."], project)
    assert "Found" not in proc.stdout and "DS001" in proc.stdout


def test_excludes_from_cli_and_config(project):
    (project / "gen").mkdir()
    (project / "gen" / "x.py").write_text(LEGACY)
    (project / "app.py").write_text("x = 1\n")
    assert run_cli(["--extend-exclude", "gen/", "."], project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.v4-migrate]\nexclude = ["gen/"]\n')
    assert run_cli(["."], project).returncode == 0
    assert run_cli(["--exclude", "nothing", "."], project).returncode == 1  # --exclude replaces exclude



def test_vendor_shim_writes_one_stdlib_only_file(tmp_path):
    proc = run_cli(["--vendor-shim", "vendored_shim.py"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; sys.path.insert(0, '.'); import vendored_shim; print(vendored_shim.resolve_model('deepseek-chat'))"],
        cwd=tmp_path, capture_output=True, text=True, env={"V4_MIGRATE_TODAY": "2026-11-28"},
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "deepseek-v4-flash"


def _run_on_a_tty(args, cwd, env):
    """The CLI with stdout on a pseudo-terminal, as a person runs it."""
    import pty

    main, secondary = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    full_env.update({"V4_MIGRATE_TODAY": "2026-11-28", "TERM": "xterm-256color", **env})
    proc = subprocess.Popen([sys.executable, "-m", "codemod", *args], cwd=cwd, env=full_env, stdout=secondary,
                            stderr=subprocess.PIPE)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_tty_and_none_with_no_color(project):
    assert "\x1b[" in _run_on_a_tty(["."], project, {})
    plain = _run_on_a_tty(["."], project, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "DS001" in plain


def test_output_to_a_pipe_closed_early_ends_quietly_with_the_exit_code(tmp_path):
    """`v4-migrate . | head -1`: the process ends in cli._end_process, which flushes what it can
    and exits without tearing the interpreter down; a reader gone early is neither a traceback
    nor a changed exit code."""
    (tmp_path / "app.py").write_text("".join(f'M{i} = "deepseek-chat"\n' for i in range(2000)))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    proc = subprocess.Popen([sys.executable, "-m", "codemod", "--today", "2026-11-28", "."], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert first.decode().strip() == "app.py"
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


def test_explain_alone_lists_every_rule(tmp_path):
    from codemod.ruledocs import load_rule_docs

    proc = run_cli(["--explain"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[0] for line in proc.stdout.splitlines()]
    assert listed == sorted(load_rule_docs())
    assert "unused-suppression" in proc.stdout and "opt-in" in proc.stdout


@pytest.mark.parametrize("asked", ["DS900", "ds900", "unused-suppression"])
def test_explain_takes_a_code_or_a_name(tmp_path, asked):
    proc = run_cli(["--explain", asked], tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("DS900 (unused-suppression)"), proc.stdout + proc.stderr


def test_explain_of_an_unknown_rule_suggests_the_closest(tmp_path):
    proc = run_cli(["--explain", "legacy-model-idd"], tmp_path)
    assert proc.returncode == 2 and "did you mean legacy-model-id?" in proc.stderr, proc.stderr
