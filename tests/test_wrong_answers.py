"""Issue 17, "wrong answers": valid input the tool once got wrong, each through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import run_cli


def test_a_json_number_past_ints_digit_limit_is_just_json(tmp_path):
    (tmp_path / "models.json").write_text('{"model": "deepseek-chat", "n": ' + "9" * 5000 + "}\n")
    proc = run_cli(["--format", "json", "models.json"], tmp_path)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["errors"] == [], report["errors"]
    assert [f["rule"] for f in report["findings"]] == ["DS001"]
    assert run_cli(["--fix", "models.json"], tmp_path).returncode == 0
    assert (tmp_path / "models.json").read_text().endswith('"n": ' + "9" * 5000 + "}\n")


def _notebook(cells):
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": source} for source in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def test_one_broken_notebook_cell_does_not_block_the_fix_of_another(tmp_path):
    path = tmp_path / "explore.ipynb"
    path.write_text(_notebook([["def f(:\n", "    pass\n"], ['MODEL = "deepseek-chat"\n']]))
    proc = run_cli(["--fix", "explore.ipynb"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cells = [cell["source"] for cell in json.loads(path.read_text())["cells"]]
    assert cells[0] == ["def f(:\n", "    pass\n"]  # broken before, left as it was
    assert cells[1][-1] == 'MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'


def test_a_python_file_with_a_nul_byte_past_the_binary_sniff_is_reported_not_rewritten(tmp_path):
    path = tmp_path / "app.py"
    data = b"x = 1\n" + b"#" * 9000 + b'\nMODEL = "deepseek-chat"\ny = "\x00"\n'
    path.write_bytes(data)
    proc = run_cli(["--fix", "app.py"], tmp_path)
    assert path.read_bytes() == data
    assert proc.returncode == 1 and "DS005" in proc.stdout and "NUL byte" in proc.stdout, proc.stdout


def test_a_form_feed_that_breaks_the_indentation_is_no_fixable_finding(tmp_path):
    path = tmp_path / "app.py"
    data = b'if True:\n    x = 1\n\x0c        MODEL = "deepseek-chat"\n'
    path.write_bytes(data)
    check = run_cli(["app.py"], tmp_path)
    assert "DS005" in check.stdout and "[*]" not in check.stdout, check.stdout
    fixed = run_cli(["--fix", "app.py"], tmp_path)
    assert path.read_bytes() == data and "error:" not in fixed.stderr, fixed.stderr


def test_a_module_that_rebinds_os_gets_an_aliased_import_and_still_runs(tmp_path):
    path = tmp_path / "app.py"
    path.write_text('import sys\nos = "not a module"\nMODEL = "deepseek-chat"\nprint(MODEL, os)\n')
    proc = run_cli(["--fix", "app.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    text = path.read_text()
    assert text.startswith("import os as _os\n") and '_os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in text
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env={"PATH": ""})
    assert run.returncode == 0 and run.stdout == "deepseek-v4-flash not a module\n", run.stderr
    again = run_cli(["--fix", "app.py"], tmp_path)
    assert path.read_text() == text, again.stdout
