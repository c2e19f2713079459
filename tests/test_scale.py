"""The fast paths give the same answers as the full pipeline: the `git grep` prefilter in a git
work tree (identical findings with and without it), the pre-commit fast path for named clean
files (identical output and exit code), and what a clean run does not import. (Speed itself
is measured by benchmarks/run.py, never by tests.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from codemod import _fastpath, engine as engine_module
from codemod.catalog import Catalog, default_catalog
from codemod.engine import Engine, RunOptions, grep_needles, literal_alternatives, prefilter_terms
from helpers import TODAY, git, run_cli

LEGACY = 'MODEL = "deepseek-chat"\n'


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


# -- the git grep prefilter ----------------------------------------------------------------------


def test_prefilter_terms_are_the_catalogs_pattern():
    catalog = default_catalog()
    terms = prefilter_terms(catalog)
    assert terms is not None, "the git grep prefilter is off: the catalog's prefilter is no longer plain literals"
    assert set(catalog.retired) <= {t.decode() for t in terms}
    for term in terms:
        assert catalog.prefilter_re.fullmatch(term), term
    # the pre-commit fast path looks for b"deepseek" only: every built-in term must contain it
    assert all(_fastpath.NEEDLE in term for term in terms)


def test_custom_ids_become_terms_too():
    catalog = Catalog.load({"retired": {"acme-legacy-1": {"retired_at": "2026-01-01", "replacement": "acme-2"}}})
    assert b"acme-legacy-1" in prefilter_terms(catalog)


@pytest.mark.parametrize("pattern, expected", [
    (rb"ab|c[de]", [b"ab", b"cd", b"ce"]),
    (rb"a(?:b|c)d", [b"abd", b"acd"]),
    (rb"a+", None),
    (rb"a.b", None),
    (rb"^ab", None),
    (rb"a\d", None),
])
def test_literal_alternatives(pattern, expected):
    assert literal_alternatives(re.compile(pattern)) == expected


@pytest.mark.parametrize("terms", [
    [b"deepseek-chat", b"deepseek-reasoner", b'deepseek-"', b"deepseek."],
    [b"deepseek-chat", b"acme-legacy-1", b"acme-legacy-2", b"x"],
    [b"ab", b"abc", b"zzzz"],
])
def test_grep_needles_cover_every_term(terms):
    needles = grep_needles(terms)
    assert all(any(needle in term for needle in needles) for term in terms)
    assert len(needles) <= len(terms)


def test_the_built_in_terms_need_one_needle():
    assert grep_needles(prefilter_terms(default_catalog())) == [b"deepseek"]


def _tree_for_prefilter(root: Path) -> None:
    _write(root / "app" / "models.py", LEGACY + 'URL = "https://api.deepseek.com/v1"\n')
    _write(root / "app" / "dyn.py", 'kind = "chat"\nMODEL = f"deepseek-{kind}"\n')
    _write(root / "app" / "docs.py", "# see https://api-docs.deepseek.com/\nx = 1\n")
    _write(root / "app" / "clean.py", "x = 1\n" * 50)
    _write(root / "conf" / "llm.yaml", "llm:\n  model: deepseek-reasoner\n")
    _write(root / "conf" / ".env.prod", "DEEPSEEK_MODEL=deepseek-chat\n")
    _write(root / "conf" / "settings.json", '{"model": "deepseek-chat"}\n')
    _write(root / "nb" / "demo.ipynb", json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": ['MODEL = "deepseek-chat"\n'], "outputs": [], "execution_count": None}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }))
    _write(root / "bin" / "blob.py", b"\x00\x01" + LEGACY.encode())
    _write(root / ".gitattributes", "*.json binary\n")
    _write(root / "big" / "pyproject.toml", "[tool.v4-migrate]\nmax-file-size = 40\n")
    _write(root / "big" / "large.py", LEGACY + "# pad\n" * 20)
    _write(root / "acme" / "pyproject.toml",
           '[tool.v4-migrate.retired.acme-legacy-1]\nretired_at = "2026-01-01"\nreplacement = "acme-2"\n')
    _write(root / "acme" / "client.py", 'MODEL = "acme-legacy-1"\n')
    _write(root / "stale.py", "x = 1\n")
    _write(root / ".gitignore", "ignored.py\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "tree")
    # after the commit: untracked and ignored files, and an assume-unchanged file whose work-tree
    # bytes now hold an id (git grep reads such files from the index)
    _write(root / "app" / "new_untracked.py", LEGACY)
    _write(root / "ignored.py", LEGACY)
    git(root, "update-index", "--assume-unchanged", "stale.py")
    _write(root / "stale.py", LEGACY)
    os.symlink("models.py", root / "app" / "alias.py")


def test_git_grep_prefilter_finds_exactly_what_the_python_prefilter_finds(tmp_path):
    _tree_for_prefilter(tmp_path)
    with_grep = run_cli(["--format", "json", "."], tmp_path)
    without = run_cli(["--format", "json", "."], tmp_path, env={engine_module.NO_GIT_GREP_ENV: "1"})
    assert "Traceback" not in with_grep.stderr + without.stderr
    assert with_grep.returncode == without.returncode
    a, b = json.loads(with_grep.stdout), json.loads(without.stdout)
    assert a == b
    paths = {f["path"] for f in a["findings"]}
    assert {"conf/llm.yaml", "conf/.env.prod", "conf/settings.json", "nb/demo.ipynb", "acme/client.py",
            "app/new_untracked.py", "stale.py"} <= paths
    assert len(paths & {"app/models.py", "app/alias.py"}) == 1  # one file, whichever name comes first
    assert not paths & {"ignored.py", "bin/blob.py", "big/large.py", "app/clean.py"}


@pytest.mark.parametrize("paths", [["app", "conf"], ["app", ".", "app/models.py"], ["acme"]])
def test_git_grep_prefilter_answers_as_the_python_one_for_folders_and_overlaps(tmp_path, paths):
    """Several paths, nested ones and a file also found under a folder: each file once, the same
    findings and the same count of files checked with `git grep` as without."""
    _tree_for_prefilter(tmp_path)
    with_grep = run_cli(["--format", "json", *paths], tmp_path)
    without = run_cli(["--format", "json", *paths], tmp_path, env={engine_module.NO_GIT_GREP_ENV: "1"})
    a, b = json.loads(with_grep.stdout), json.loads(without.stdout)
    assert a == b and a["findings"]
    located = [(f["path"], f["line"], f["column"], f["rule"]) for f in a["findings"]]
    assert len(located) == len(set(located))


def test_git_grep_prefilter_is_used_in_a_work_tree(tmp_path, monkeypatch):
    _tree_for_prefilter(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(engine_module.NO_GIT_GREP_ENV, raising=False)
    engine = Engine(RunOptions(today=TODAY))
    candidates = [c.display for c, _, _ in engine.candidates(["."])]
    assert engine.prefiltered_by_git >= 1  # app/clean.py is never read here
    assert "app/clean.py" not in candidates and "stale.py" in candidates
    # a URL on another deepseek.com host (the docs) cannot be a finding: not even read as one
    assert "app/docs.py" not in candidates


# -- the pre-commit fast path ----------------------------------------------------------------------

SCENARIOS = {
    "clean files": ([], ["a.py", "b.yaml"], True),
    "quiet": (["-q"], ["a.py"], True),
    "fix": (["--fix"], ["a.py", "b.yaml"], True),
    "options that cannot matter": (["--today", "2026-11-28", "--fail-on=error", "-j", "2", "--select", "DS001",
                                    "--exit-zero", "--format", "text"], ["a.py"], True),
    "the same file twice": ([], ["a.py", "./a.py"], True),
    "binary file": ([], ["blob.py"], True),
    "plain [tool.v4-migrate] above": ([], ["plain/x.py"], True),
    "over a configured max-file-size": ([], ["small/big.py"], True),
    "a current id is still a candidate": ([], ["current.py"], False),
    "a retired id": ([], ["legacy.py"], False),
    "custom ids configured above": ([], ["custom/x.py"], False),
    "invalid pyproject.toml above": ([], ["broken/x.py"], False),
    "JSON output": (["--format", "json"], ["a.py"], False),
    "bad --today": (["--today", "soon"], ["a.py"], False),
    "a folder": ([], ["plain"], False),
    "a missing file": ([], ["missing.py"], False),
    "an unknown option": (["--frobnicate"], ["a.py"], False),
    "--config": (["--config", "plain/pyproject.toml"], ["a.py"], False),
    "an unknown rule code": (["--select", "DS999"], ["a.py"], False),
    "an unknown rule code in a second option": (["--select", "DS001", "--ignore", "DS0O1"], ["a.py"], False),
    "an unknown rule code configured above": ([], ["badcode/x.py"], False),
    "a misspelled table above": ([], ["typo/x.py"], False),
}


@pytest.fixture
def clean_tree(tmp_path, monkeypatch):
    _write(tmp_path / "a.py", "x = 1\n")
    _write(tmp_path / "b.yaml", "a: 1\n")
    _write(tmp_path / "blob.py", b"\x00deepseek-chat")
    _write(tmp_path / "current.py", 'MODEL = "deepseek-v4-flash"\n')
    _write(tmp_path / "legacy.py", LEGACY)
    _write(tmp_path / "plain" / "pyproject.toml", '[tool.v4-migrate]\nselect = ["DS001"]\nfail-on = "error"\n')
    _write(tmp_path / "plain" / "x.py", "y = 2\n")
    _write(tmp_path / "small" / "pyproject.toml", "[tool.v4-migrate]\nmax-file-size = 10\n")
    _write(tmp_path / "small" / "big.py", LEGACY * 3)
    _write(tmp_path / "custom" / "pyproject.toml",
           '[tool.v4-migrate.retired.acme-legacy-1]\nretired_at = "2026-01-01"\nreplacement = "acme-2"\n')
    _write(tmp_path / "custom" / "x.py", 'MODEL = "acme-legacy-1"\n')
    _write(tmp_path / "broken" / "pyproject.toml", "[tool.v4-migrate\n")
    _write(tmp_path / "broken" / "x.py", "z = 3\n")
    _write(tmp_path / "badcode" / "pyproject.toml", '[tool.v4-migrate]\nignore = ["DS01"]\n')
    _write(tmp_path / "badcode" / "x.py", "z = 4\n")
    _write(tmp_path / "typo" / "pyproject.toml", "[tool.v4_migrate]\n")
    _write(tmp_path / "typo" / "x.py", "z = 5\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("V4_MIGRATE_TODAY", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fast_path_answers_as_the_full_pipeline(clean_tree, capsys, name):
    options, files, fast = SCENARIOS[name]
    args = options + files
    code = _fastpath.clean_run(args)
    fast_out = capsys.readouterr().out
    assert (code is not None) == fast, (code, fast_out)
    if code is None:
        return
    from codemod import cli

    result = CliRunner().invoke(cli.cli, args)
    assert (code, fast_out) == (result.exit_code, result.output), result.output


def test_fast_path_declines_on_a_terminal(clean_tree, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert _fastpath.clean_run(["a.py"]) is None


def test_fast_path_constants_match_the_pipeline():
    from codemod import config, deadline, schema
    from codemod.ruledocs import load_rule_docs

    assert _fastpath.DEFAULT_MAX_FILE_SIZE == config.DEFAULT_MAX_FILE_SIZE
    assert _fastpath.BINARY_SNIFF_BYTES == engine_module.BINARY_SNIFF_BYTES
    assert _fastpath.TODAY_ENV_VAR == deadline.TODAY_ENV_VAR
    assert _fastpath.RETRY_STRATEGIES == set(config.RETRY_STRATEGIES)
    assert _fastpath.PLAIN_LIST_KEYS | {"fail_on", "retry_strategy", "max_file_size"} < config.KNOWN_KEYS
    assert _fastpath.NO_GIT_GREP_ENV == engine_module.NO_GIT_GREP_ENV
    assert _fastpath.MAX_FILE_SIZE_LIMIT == schema.MAX_FILE_SIZE_LIMIT
    assert _fastpath.rule_codes() == set(load_rule_docs())


def test_early_start_knows_every_option_of_the_command_line():
    """The head start reads the paths out of argv itself, so it must know which options take a
    value; an option it does not know means no head start, never a wrong one."""
    from codemod import cli

    with_value, flags = set(), set()
    for param in cli._command().params:
        if param.param_type_name != "option" or param.name in ("explain", "vendor_shim", "version", "help"):
            continue
        (flags if param.is_flag else with_value).update(param.opts + param.secondary_opts)
    assert with_value == set(_fastpath.OPTIONS_WITH_VALUE)
    assert flags == set(_fastpath.OPTION_FLAGS)
    assert _fastpath._folders_named(["--format", "json", "-j", "2", "--fix", "src", "--", "-odd"]) == []
    assert _fastpath._folders_named(["--explain", "DS001"]) is None


def test_git_commands_started_early_are_taken_over_or_stopped(tmp_path, monkeypatch):
    """The command line starts `git grep` and `git ls-files` before it imports the pipeline;
    the engine takes them over (same commands), and whatever it did not take is stopped."""
    from codemod import gitcmd

    _tree_for_prefilter(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(engine_module.NO_GIT_GREP_ENV, raising=False)
    _fastpath.start_git_early(["--format", "json", "."])
    started = dict(gitcmd._STARTED)
    assert len(started) == 3
    engine = Engine(RunOptions(today=TODAY))
    found = sorted(c.display for c, _, _ in engine.candidates(["."]))
    assert gitcmd._STARTED == {}  # all three taken over
    assert found == sorted(c.display for c, _, _ in Engine(RunOptions(today=TODAY)).candidates(["."]))
    _fastpath.start_git_early(["app"])
    leftover = list(gitcmd._STARTED.values())
    gitcmd.stop_early()
    assert gitcmd._STARTED == {} and all(c.process.poll() is not None for c in leftover)


# -- what a clean run imports --------------------------------------------------------------------------


def _imported(args, cwd: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["V4_MIGRATE_TODAY"] = "2026-11-28"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "codemod", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    names = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return proc, {name.split(".")[0] for name in names}


def test_the_pre_commit_path_imports_nothing_heavy(tmp_path):
    for index in range(10):
        _write(tmp_path / f"f{index}.py", f"x = {index}\n")
    proc, top = _imported([f"f{index}.py" for index in range(10)], tmp_path)
    assert proc.returncode == 0 and "10 file(s) checked" in proc.stdout
    assert not top & {"click", "libcst", "rich", "yaml", "pathspec", "codemod.engine", "typing", "dataclasses"}, top


def test_a_clean_folder_run_never_imports_libcst_rich_or_yaml(tmp_path):
    _write(tmp_path / "a.py", "x = 1\n")
    _write(tmp_path / "b.yaml", "a: 1\n")
    _write(tmp_path / "c.py", 'URL = "https://example.com"\n')
    git(tmp_path, "init", "-q")
    proc, top = _imported(["."], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not top & {"libcst", "rich", "yaml"}, top
    _write(tmp_path / "d.py", LEGACY)
    proc, top = _imported(["."], tmp_path)
    assert "libcst" in top and "rich" not in top


def test_no_progress_bar_in_ci_or_when_piped(monkeypatch):
    from codemod import cli
    from codemod.engine import Progress

    monkeypatch.setenv("CI", "true")
    assert type(cli._progress()) is Progress
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert type(cli._progress()) is Progress


def test_the_pool_is_used_only_for_enough_work(tmp_path, monkeypatch):
    """Judged by the bytes of candidate text, not a file count: 40 small files stay in-process,
    the same files past the threshold go to the workers (whose pids the results do not show, so the
    pool is seen by the engine's own switch)."""
    from codemod import engine as engine_module
    from codemod.engine import Engine, RunOptions
    from helpers import TODAY

    for index in range(40):
        (tmp_path / f"m{index}.py").write_text('MODEL = "deepseek-chat"\n')
    used = []
    monkeypatch.setattr(Engine, "run_pool", lambda self, candidates, jobs: used.append(jobs) or iter(()))
    monkeypatch.chdir(tmp_path)
    list(Engine(RunOptions(today=TODAY, jobs=2)).run(["."]))
    assert used == []
    monkeypatch.setenv(engine_module.POOL_BYTES_ENV, str(40 * 10))
    list(Engine(RunOptions(today=TODAY, jobs=2)).run(["."]))
    assert used == [2]
