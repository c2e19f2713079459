"""Configuration and rule selection never pass silently and never crash: every bad key, value
or rule code is one line naming the file and the key, with exit 2 (issue 12 "Silent passes",
issue 17 items 7, 8 and 11)."""

from __future__ import annotations

import json

import pytest

from codemod import schema
from codemod.catalog import _builtin_data
from helpers import run_cli

LEGACY = 'MODEL = "deepseek-chat"\n'


def _project(tmp_path, pyproject: str):
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "app.py").write_text(LEGACY)
    return tmp_path


def _error_lines(proc):
    return [line for line in proc.stderr.splitlines() if "error:" in line]


# -- rule codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, option, suggestion",
    [
        (["--select", "XY999"], "--select", "the rules are DS001"),
        (["--select", "DS01"], "--select", "did you mean DS001?"),
        (["--extend-select", "DS1O2"], "--extend-select", "did you mean DS102?"),
        (["--ignore", "DS0O3"], "--ignore", "did you mean DS003?"),
        (["--select", "DS001,DS02"], "--select", "did you mean DS002?"),
    ],
)
def test_an_unknown_rule_code_on_the_command_line_is_an_error_with_a_suggestion(tmp_path, args, option, suggestion):
    project = _project(tmp_path, "[tool.v4-migrate]\n")
    proc = run_cli([*args, "--format", "sarif", "."], project)
    assert proc.returncode == 2
    assert proc.stdout == ""  # no report, so no SARIF with 0 results to close alerts with
    [line] = _error_lines(proc)
    assert option in line and suggestion in line
    assert proc.stderr.endswith("\n")


def test_an_unknown_rule_code_on_a_clean_named_file_is_still_an_error(tmp_path):
    """The pre-commit fast path must not answer "All checks passed" for a typo."""
    (tmp_path / "clean.py").write_text("x = 1\n")
    proc = run_cli(["--select", "DS999", "clean.py"], tmp_path)
    assert proc.returncode == 2
    assert "All checks passed" not in proc.stdout
    assert "unknown rule code 'DS999'" in proc.stderr


def test_a_rule_prefix_selects_its_rules_and_one_that_matches_none_is_an_error(tmp_path):
    project = _project(tmp_path, "[tool.v4-migrate]\n")
    assert run_cli(["--select", "DS0", "."], project).returncode == 1
    assert run_cli(["--select", "ds00", "."], project).returncode == 1
    proc = run_cli(["--select", "DS8", "."], project)
    assert proc.returncode == 2 and "unknown rule code 'DS8'" in proc.stderr


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore"])
def test_an_unknown_rule_code_in_pyproject_is_an_error_naming_file_and_key(tmp_path, key):
    project = _project(tmp_path, f'[tool.v4-migrate]\n{key} = ["DS01"]\n')
    proc = run_cli(["--format", "json", "."], project)
    assert proc.returncode == 2
    [line] = _error_lines(proc)
    assert str(project / "pyproject.toml") in line
    assert f"tool.v4-migrate.{key}: item 1: unknown rule code 'DS01'; did you mean DS001?" in line
    report = json.loads(proc.stdout)
    assert report["errors"] == [line.removeprefix("error: ")]


def test_an_empty_rule_code_is_an_error(tmp_path):
    proc = run_cli(["."], _project(tmp_path, '[tool.v4-migrate]\nignore = [""]\n'))
    assert proc.returncode == 2 and "tool.v4-migrate.ignore: item 1: an empty rule code" in proc.stderr


# -- keys and tables --------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_a_suggestion_naming_the_file(tmp_path):
    project = _project(tmp_path, '[tool.v4-migrate]\nextend-exlude = ["x"]\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    assert "All checks passed" not in proc.stdout
    assert _error_lines(proc) == [
        f"error: {project / 'pyproject.toml'}: tool.v4-migrate: unknown key extend-exlude; did you mean extend-exclude?"
    ]


def test_an_unknown_key_in_a_sub_table_is_suggested_in_the_users_own_spelling(tmp_path):
    proc = run_cli(["."], _project(tmp_path, "[tool.v4-migrate.tiers]\nwarning_dayz = 10\n"))
    assert proc.returncode == 2
    assert "tool.v4-migrate.tiers: unknown key warning_dayz; did you mean warning_days?" in proc.stderr


def test_a_key_set_in_both_spellings_is_an_error(tmp_path):
    proc = run_cli(["."], _project(tmp_path, '[tool.v4-migrate]\nfail-on = "error"\nfail_on = "info"\n'))
    assert proc.returncode == 2 and "tool.v4-migrate.fail_on: set twice (also as fail-on)" in proc.stderr


@pytest.mark.parametrize("table", ["tool.v4_migrate", "tool.v4migrate", "tool.v4-migrat", "tool.V4-Migrate", "tool.deepseek-v4-migrate"])
def test_a_misspelled_table_of_ours_is_a_warning(tmp_path, table):
    project = _project(tmp_path, f'[{table}]\nignore = ["DS001"]\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 1  # the table is not read: the finding stays
    name = table.split(".", 1)[1]
    assert f"warning: {project / 'pyproject.toml'}: [tool.{name}] is not read; did you mean [tool.v4-migrate]?\n" in proc.stderr


def test_another_tools_table_is_no_warning(tmp_path):
    proc = run_cli(["."], _project(tmp_path, '[tool.migrate]\nx = 1\n[tool.ruff]\nline-length = 100\n'))
    assert proc.returncode == 1 and "warning" not in proc.stderr


def test_a_misspelled_table_above_a_clean_named_file_is_warned_about(tmp_path):
    """The pre-commit fast path leaves it to the pipeline, which warns."""
    (tmp_path / "pyproject.toml").write_text("[tool.v4_migrate]\n")
    (tmp_path / "clean.py").write_text("x = 1\n")
    proc = run_cli(["clean.py"], tmp_path)
    assert proc.returncode == 0
    assert "[tool.v4_migrate] is not read" in proc.stderr


# -- values that crashed (issue 17 item 11) ---------------------------------------------------


CRASHES = {
    "an invalid regular expression": ("[tool.v4-migrate.hosts]\nexpired_path_pattern = '('\n", "tool.v4-migrate.hosts.expired_path_pattern: must be a valid regular expression"),
    "an infinite number of days": ("[tool.v4-migrate.tiers]\nwarning-days = inf\n", "tool.v4-migrate.tiers.warning-days: must be a whole number from 0 to 36500"),
    "a date before year 1 in UTC": ('[tool.v4-migrate.retired.x-1]\nretired_at = "0001-01-01T00:00:00+01:00"\nreplacement = "y"\n', "tool.v4-migrate.retired.x-1.retired_at: must be an ISO date or date-time"),
    "a date after 9999 in UTC": ('[tool.v4-migrate.retired.x-1]\nretired_at = "9999-12-31T23:59:59-12:00"\nreplacement = "y"\n', "tool.v4-migrate.retired.x-1.retired_at: must be an ISO date or date-time"),
    "the same as a TOML date-time": ("[tool.v4-migrate.retired.x-1]\nretired_at = 9999-12-31T23:59:59-12:00\nreplacement = \"y\"\n", "tool.v4-migrate.retired.x-1.retired_at: must be an ISO date or date-time"),
    "retired that is not a table": ("[tool.v4-migrate]\nretired = 5\n", "tool.v4-migrate.retired: must be a table"),
    "python that is not a table": ('[tool.v4-migrate]\npython = "x"\n', "tool.v4-migrate.python: must be a table"),
    "a max-file-size past any read": ("[tool.v4-migrate]\nmax-file-size = 9223372036854775807\n", "tool.v4-migrate.max-file-size: must be from 1 to 1099511627776"),
    "a max-file-size of true": ("[tool.v4-migrate]\nmax-file-size = true\n", "tool.v4-migrate.max-file-size: must be a whole number"),
    "an exclude pattern ending in a backslash": ('[tool.v4-migrate]\nexclude = ["foo\\\\"]\n', "tool.v4-migrate.exclude: item 1: must be a valid gitignore-style pattern"),
    "a 400-deep table": ("[tool.v4-migrate.retired." + ".".join(["a"] * 400) + "]\nx = 1\n", "tool.v4-migrate.retired.a: unknown key a"),
    "a thinking mode that is not one": ('[tool.v4-migrate.retired.deepseek-chat]\nthinking = "maybe"\n', "tool.v4-migrate.retired.deepseek-chat.thinking: must be one of enabled, disabled"),
    "a list of the wrong things": ("[tool.v4-migrate]\nexclude = [1]\n", "tool.v4-migrate.exclude: item 1: must be a string"),
    "a table that is not one": ("[tool]\nv4-migrate = 5\n", "tool.v4-migrate: must be a table"),
    "a bad base URL": ('[tool.v4-migrate.hosts]\ncanonical_base_url = "https://x\\" + y"\n', "tool.v4-migrate.hosts.canonical_base_url: must be a plain http(s) URL"),
    "a negative number of days": ("[tool.v4-migrate.tiers]\nerror-days = -1\n", "tool.v4-migrate.tiers.error-days: must be from 0 to 36500"),
}


@pytest.mark.parametrize("name", list(CRASHES))
def test_a_bad_value_is_one_line_naming_file_and_key_and_exit_2(tmp_path, name):
    pyproject, expected = CRASHES[name]
    project = _project(tmp_path, pyproject)
    (project / "app.py").write_text(LEGACY)
    proc = run_cli(["--fix", "."], project)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = _error_lines(proc)
    assert line.startswith(f"error: {project / 'pyproject.toml'}: ") and expected in line, line
    assert "All checks passed" not in proc.stdout
    assert (project / "app.py").read_text() == LEGACY  # a broken config fixes nothing


def test_max_file_size_true_no_longer_skips_every_file(tmp_path):
    """`true` was taken as 1 byte: every file skipped, and "All checks passed"."""
    proc = run_cli(["--format", "json", "."], _project(tmp_path, "[tool.v4-migrate]\nmax-file-size = true\n"))
    report = json.loads(proc.stdout)
    assert proc.returncode == 2 and report["summary"]["errors"] == 1


def test_each_bad_value_is_its_own_line(tmp_path):
    project = _project(tmp_path, '[tool.v4-migrate]\nfail-on = "sometimes"\nmax-file-size = 0\nselect = ["DS999"]\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    lines = _error_lines(proc)
    assert [line.split(": ")[2] for line in lines] == ["tool.v4-migrate.fail-on", "tool.v4-migrate.max-file-size", "tool.v4-migrate.select"]


def test_an_explicit_config_file_is_validated_the_same_way(tmp_path):
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "strict.toml").write_text('fail-on = "notice"\nextend-exlude = []\n')
    proc = run_cli(["--config", "strict.toml", "."], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"v4-migrate: error: {tmp_path / 'strict.toml'}: unknown key extend-exlude; did you mean extend-exclude?\n"


def test_an_exclude_pattern_on_the_command_line_is_validated(tmp_path):
    proc = run_cli(["--exclude", "foo\\", "."], _project(tmp_path, "[tool.v4-migrate]\n"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("v4-migrate: error: --exclude: must be a valid gitignore-style pattern")


def test_a_codeowners_line_that_is_no_pattern_is_reported_and_skipped(tmp_path):
    from helpers import git

    git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "CODEOWNERS").write_text("* @team\nfoo\\\n")
    proc = run_cli(["--group-by-owner", "--format", "json", "."], tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["owners"] == ["@team"]
    assert _error_lines(proc) == ["error: CODEOWNERS:2: invalid pattern, line ignored (Invalid git pattern: 'foo\\\\')"]


# -- a pyproject.toml that does not parse -----------------------------------------------------


def test_a_template_pyproject_is_a_warning_and_its_files_use_the_next_config_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS003"]\n')
    crew = tmp_path / "templates" / "crew"
    (crew / "src").mkdir(parents=True)
    (crew / "pyproject.toml").write_text('[project]\nname = "{{ name }}"\n{% if tools %}\n[tool.v4-migrate]\n{% endif %}\n')
    (crew / "src" / "probe.py").write_text('MODEL = "deepseek-chat"  # deepseek-chat\n')
    (crew / "src" / "other.py").write_text('OTHER = "deepseek-reasoner"\n')
    proc = run_cli(["--format", "json", "."], tmp_path)
    report = json.loads(proc.stdout)
    # both files are scanned, and with the root's config (its ignore drops the comment's DS003)
    assert sorted((f["path"], f["rule"]) for f in report["findings"]) == [
        ("templates/crew/src/other.py", "DS001"), ("templates/crew/src/probe.py", "DS001")]
    assert proc.returncode == 1
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1  # once, however many files it governs
    assert warnings[0].startswith(f"warning: {crew / 'pyproject.toml'}: not valid TOML (")


def test_a_pyproject_too_deeply_nested_to_parse_is_a_warning(tmp_path):
    project = _project(tmp_path, "[tool.v4-migrate]\nx = " + "{a=" * 400 + "1" + "}" * 400 + "\n")
    proc = run_cli(["."], project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"warning: {project / 'pyproject.toml'}: not valid TOML (nested too deeply)" in proc.stderr


def test_a_3000_deep_table_is_an_error_or_where_the_parser_gives_up_a_warning(tmp_path):
    """tomllib (3.11+) reads a table 3,000 names deep, and the schema names its first unknown
    key; tomli (3.10) runs out of stack, and the file is one that does not parse. Never a
    traceback, and never a fix under a config that was not read as written."""
    project = _project(tmp_path, "[tool.v4-migrate." + ".".join(["a"] * 3000) + "]\nx = 1\n")
    (project / "app.py").write_text(LEGACY)
    proc = run_cli(["."], project)
    assert "Traceback" not in proc.stderr
    [line] = [l for l in proc.stderr.splitlines() if l.startswith(("error:", "warning:"))]
    if line.startswith("error:"):
        assert proc.returncode == 2 and "tool.v4-migrate: unknown key a" in line, line
    else:
        assert proc.returncode == 1 and "not valid TOML (nested too deeply)" in line, line


def test_an_explicit_config_that_does_not_parse_is_an_error(tmp_path):
    (tmp_path / "app.py").write_text(LEGACY)
    (tmp_path / "c.toml").write_text("fail-on = \n")
    proc = run_cli(["--config", "c.toml", "."], tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("v4-migrate: error: c.toml: invalid TOML: ")


# -- injection through the catalog (issue 17 item 7) ------------------------------------------


@pytest.mark.parametrize(
    "entry, key",
    [
        ('replacement = "x\\" + __import__(\\"os\\").system(\\"touch pwned\\") + \\""', "replacement"),
        ('env_var = "X\\", __import__(\\"os\\").system(\\"touch pwned\\"), \\""', "env_var"),
        ('replacement = "a\\nEVIL=1"', "replacement"),
        ('replacement = "a # b"', "replacement"),
        ('env_var = "1X"', "env_var"),
    ],
)
def test_a_replacement_or_env_var_that_is_not_plain_is_rejected(tmp_path, entry, key):
    project = _project(tmp_path, f"[tool.v4-migrate.retired.deepseek-chat]\n{entry}\n")
    (project / ".env").write_text("CHAT_MODEL=deepseek-chat\n")
    proc = run_cli(["--fix", "."], project)
    assert proc.returncode == 2
    [line] = _error_lines(proc)
    assert f"tool.v4-migrate.retired.deepseek-chat.{key}: must be" in line
    assert "pwned" not in line and "\n" not in line.strip()
    assert (project / "app.py").read_text() == LEGACY
    assert (project / ".env").read_text() == "CHAT_MODEL=deepseek-chat\n"
    assert not (project / "pwned").exists()


def test_a_count_prefix_or_base_url_variable_that_is_not_plain_is_rejected(tmp_path):
    project = _project(tmp_path, '[tool.v4-migrate.forms]\ncount_prefixes = ["x\\" + y + \\""]\n'
                                 '[tool.v4-migrate.hosts]\nbase_url_env_var = "A B"\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    assert [line.split(": ")[2] for line in _error_lines(proc)] == [
        "tool.v4-migrate.forms.count_prefixes", "tool.v4-migrate.hosts.base_url_env_var"]


# -- ReDoS through config (issue 17 item 8) ---------------------------------------------------


@pytest.mark.parametrize(
    "pattern, why",
    [
        ("^/(a+)+$", "must not nest quantifiers"),
        ("^/(a|aa)*$", "must not repeat an alternation"),
        ("^/(a)\\1$", "must not use backreferences"),
        ("^/.*.*.*x", "must have at most 2 variable quantifiers"),
    ],
)
def test_a_pattern_that_can_backtrack_without_bound_is_rejected(tmp_path, pattern, why):
    """`^/(a+)+$` took more than 60 s on a 34-character path; it never reaches a match."""
    project = _project(tmp_path, f"[tool.v4-migrate.hosts]\nexpired_path_pattern = '{pattern}'\n")
    (project / "app.py").write_text(f'URL = "https://api.deepseek.com/{"a" * 33}!"\n')
    proc = run_cli(["."], project)
    assert proc.returncode == 2
    [line] = _error_lines(proc)
    assert "tool.v4-migrate.hosts.expired_path_pattern: " + why in line


def test_an_accepted_pattern_still_finds_expired_paths_and_long_paths_are_not_matched(tmp_path):
    project = _project(tmp_path, "[tool.v4-migrate.hosts]\nexpired_path_pattern = '^/old[\\w.]*[\\w.]*-x$'\n")
    (project / "app.py").write_text(
        'A = "https://api.deepseek.com/old1-x"\n'
        f'B = "https://api.deepseek.com/old{"1" * 5000}-x"\n'  # over the length cap: never matched
    )
    proc = run_cli(["--format", "json", "."], project)
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["line"], f["rule"]) for f in findings] == [(1, "DS101")]


def test_the_pattern_check_accepts_the_catalogs_own_pattern():
    assert schema.path_pattern(r"^/v\d[\w.]*_expires_on_(?P<date>\d{8})") is None
    assert schema.path_pattern(r"^/v\d+(\.\d+)*$") is not None  # nested: refused, though harmless


# -- the schema itself ------------------------------------------------------------------------


def test_the_schema_covers_every_key_of_the_built_in_catalog():
    """A key added to rules/catalog.toml without the schema would make an override of it an error."""
    data = _builtin_data()
    tables = {name: data[name] for name in schema.CATALOG_TABLES if name in data}  # env_vars: a project's own
    assert set(schema.CATALOG_TABLES) - set(tables) == {"env_vars"}
    assert schema.problems(tables, "rules/catalog.toml", ()) == []


def test_the_readme_config_example_is_valid_and_its_errors_are_the_real_ones(tmp_path):
    from helpers import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration"):readme.index("## Exit codes")]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    project = _project(tmp_path, example)
    proc = run_cli(["."], project)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
    shown = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    (project / "pyproject.toml").write_text('[tool.v4-migrate]\nextend-exlude = []\nselect = ["DS01"]\n')
    lines = run_cli(["."], project).stderr.replace(str(project), "/repo").splitlines()
    assert lines == shown[:2]
    assert run_cli(["--select", "XY999", "."], project).stderr.startswith(shown[2].rstrip("."))
