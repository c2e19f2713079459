"""``[tool.v4-migrate.per-file-ignores]``: file pattern -> rule codes, as in Ruff; patterns are
relative to the config's folder and codes are validated like every other."""

from __future__ import annotations

import json

from helpers import git, run_cli

SOURCE = 'def f(name):\n    if name == "deepseek-chat":\n        return 1\nMODEL = "deepseek-chat"  # deepseek-chat\n'


def _tree(root, pyproject: str):
    (root / "tests").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "pyproject.toml").write_text(pyproject)
    (root / "tests" / "test_a.py").write_text(SOURCE)
    (root / "app" / "a.py").write_text(SOURCE)
    (root / "app" / "tests").mkdir()
    (root / "app" / "tests" / "test_b.py").write_text(SOURCE)
    return root


def _rules(proc):
    return sorted((f["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"])


def test_matching_files_lose_the_listed_rules_and_others_keep_them(tmp_path):
    _tree(tmp_path, '[tool.v4-migrate.per-file-ignores]\n"tests/**" = ["DS002"]\n"a.py" = ["DS003"]\n')
    proc = run_cli(["--format", "json", "."], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert _rules(proc) == [
        ("app/a.py", "DS001"), ("app/a.py", "DS002"),  # a bare name matches at any depth
        ("app/tests/test_b.py", "DS001"), ("app/tests/test_b.py", "DS002"), ("app/tests/test_b.py", "DS003"),
        ("tests/test_a.py", "DS001"), ("tests/test_a.py", "DS003"),  # tests/** is anchored at the config's folder
    ]


def test_patterns_are_relative_to_the_configs_folder_wherever_the_run_starts(tmp_path):
    project = _tree(tmp_path / "svc", '[tool.v4-migrate.per-file-ignores]\n"tests/**" = ["DS0"]\n')
    from_above = run_cli(["--format", "json", "svc"], tmp_path)
    from_inside = run_cli(["--format", "json", "."], project / "tests")
    assert ("svc/tests/test_a.py", "DS001") not in _rules(from_above)
    assert ("svc/app/a.py", "DS001") in _rules(from_above)
    assert _rules(from_inside) == []  # every DS0 rule is off there


def test_a_negated_pattern_applies_to_every_other_file(tmp_path):
    _tree(tmp_path, '[tool.v4-migrate.per-file-ignores]\n"!tests/**" = ["DS001", "DS002", "DS003"]\n')
    proc = run_cli(["--format", "json", "."], tmp_path)
    assert {path for path, _ in _rules(proc)} == {"tests/test_a.py"}


def test_fix_leaves_an_ignored_finding_unfixed(tmp_path):
    git(tmp_path, "init", "-q")
    _tree(tmp_path, '[tool.v4-migrate.per-file-ignores]\n"tests/**" = ["DS001"]\n')
    run_cli(["--fix", "."], tmp_path)
    assert (tmp_path / "tests" / "test_a.py").read_text() == SOURCE
    assert (tmp_path / "app" / "a.py").read_text() != SOURCE


def test_an_unknown_code_or_a_bad_pattern_is_an_error(tmp_path):
    _tree(tmp_path, '[tool.v4-migrate.per-file-ignores]\n"tests/**" = ["DS02"]\n"foo\\\\" = ["DS001"]\n"x" = "DS001"\n')
    proc = run_cli(["."], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines == [
        f'error: {tmp_path / "pyproject.toml"}: tool.v4-migrate.per-file-ignores."tests/**": item 1: unknown rule code \'DS02\'; did you mean DS002?',
        f'error: {tmp_path / "pyproject.toml"}: tool.v4-migrate.per-file-ignores."foo\\\\": the key must be a valid gitignore-style pattern (Invalid git pattern: \'foo\\\\\')',
    ]


def test_per_file_ignores_of_an_explicit_config_are_relative_to_its_folder(tmp_path):
    _tree(tmp_path / "repo", "")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "v4.toml").write_text('[per-file-ignores]\n"*.py" = ["DS001", "DS002", "DS003"]\n')
    proc = run_cli(["--format", "json", "--config", "../conf/v4.toml", "."], tmp_path / "repo")
    assert proc.returncode == 0 and _rules(proc) == []  # name patterns match files anywhere
