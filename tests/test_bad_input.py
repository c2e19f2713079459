"""Bad input never stops a run, never corrupts a file and never prints a traceback: each bad
file costs one clear line naming it (or is skipped silently where that is the contract), the
other files are still checked and fixed, and the exit code is 2 when any file could not be
processed."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable, List, NamedTuple, Optional

import pytest

from codemod import engine as engine_module
from codemod.engine import Engine, RunOptions
from helpers import REPO_ROOT, git, run_cli

LEGACY = 'MODEL = "deepseek-chat"\n'
TODAY = datetime.date(2026, 11, 28)


class Case(NamedTuple):
    build: Callable[[Path], Optional[List[str]]]  # writes the bad file(s); returns extra CLI paths or None for "."
    bad: str  # the bad file's name, as it must appear in the one error line
    exit_code: int  # with --fix, once good.py is fixed
    error_lines: int  # stderr lines naming the bad file
    unchanged: bool = True  # the bad file keeps its bytes


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def _invalid_utf8_python(root: Path):
    _write(root / "bad.py", b'MODEL = "deepseek-chat"  # caf\xe9\n')


def _invalid_utf8_yaml(root: Path):
    _write(root / "bad.yaml", b"model: deepseek-chat  # \xff\n")


def _invalid_utf8_env(root: Path):
    _write(root / "bad.env", b"DEEPSEEK_MODEL=deepseek-chat\nNOTE=\xff\n")


def _conflicting_bom_and_cookie(root: Path):
    _write(root / "bad.py", b'\xef\xbb\xbf# -*- coding: latin-1 -*-\nMODEL = "deepseek-chat"\n')


def _binary(root: Path):
    _write(root / "bad.py", b"\x00\x01\x02" + LEGACY.encode())


def _over_the_size_cap(root: Path):
    _write(root / "pyproject.toml", "[tool.v4-migrate]\nmax-file-size = 64\n")
    _write(root / "bad.py", LEGACY + "# padding\n" * 20)


def _symlink_loop(root: Path):
    os.symlink("bad.py", root / "bad.py")


def _folder_link_loop(root: Path):
    (root / "pkg").mkdir()
    _write(root / "pkg" / "bad.py", LEGACY)
    os.symlink("..", root / "pkg" / "up")


def _fifo_in_the_tree(root: Path):
    os.mkfifo(root / "bad.py")


def _fifo_named_explicitly(root: Path):
    os.mkfifo(root / "bad.py")
    return ["good.py", "bad.py"]


def _missing_path_named_explicitly(root: Path):
    return ["good.py", "bad.py"]


def _folder_named_like_a_file(root: Path):
    _write(root / "bad.py" / "inner.py", LEGACY)


def _broken_pyproject(root: Path):
    _write(root / "sub" / "pyproject.toml", "[tool.v4-migrate\n")
    _write(root / "sub" / "a.py", LEGACY)


def _pyproject_not_utf8(root: Path):
    _write(root / "sub" / "pyproject.toml", b'[tool.v4-migrate]\nselect = ["DS001"]\n# \xff\n')
    _write(root / "sub" / "a.py", LEGACY)


def _too_deeply_nested(root: Path):
    _write(root / "bad.py", LEGACY + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")


def _does_not_parse(root: Path):
    _write(root / "bad.py", LEGACY + "def broken(:\n")


def _empty_and_bom_only(root: Path):
    _write(root / "bad.py", b"")
    _write(root / "bom.py", b"\xef\xbb\xbf")


def _odd_names(root: Path):
    _write(root / "my project" / "modèles" / "clé.py", LEGACY)
    _write(root / os.fsdecode(b"caf\xe9.py"), LEGACY)


CASES = {
    "invalid UTF-8 in Python": Case(_invalid_utf8_python, "bad.py", 2, 1),
    "invalid UTF-8 in YAML": Case(_invalid_utf8_yaml, "bad.yaml", 2, 1),
    "invalid UTF-8 in .env": Case(_invalid_utf8_env, "bad.env", 2, 1),
    "BOM with a latin-1 cookie": Case(_conflicting_bom_and_cookie, "bad.py", 2, 1),
    "binary file": Case(_binary, "bad.py", 0, 0),
    "over max-file-size": Case(_over_the_size_cap, "bad.py", 0, 0),
    "symlink loop": Case(_symlink_loop, "bad.py", 2, 1, unchanged=False),
    "folder link loop": Case(_folder_link_loop, "pkg/bad.py", 0, 0, unchanged=False),
    "FIFO in the tree": Case(_fifo_in_the_tree, "bad.py", 0, 0, unchanged=False),
    "FIFO named explicitly": Case(_fifo_named_explicitly, "bad.py", 2, 1, unchanged=False),
    "missing path named explicitly": Case(_missing_path_named_explicitly, "bad.py", 2, 1, unchanged=False),
    "folder named like a file": Case(_folder_named_like_a_file, "bad.py/inner.py", 0, 0, unchanged=False),
    # a warning, and its folder uses the next config up: a.py is fixed as well
    "invalid pyproject.toml": Case(_broken_pyproject, "sub/pyproject.toml", 0, 1, unchanged=False),
    "too deeply nested for the parser": Case(_too_deeply_nested, "bad.py", 1, 0),
    "syntax error": Case(_does_not_parse, "bad.py", 1, 0),
    "empty and BOM-only files": Case(_empty_and_bom_only, "bad.py", 0, 0),
    "spaces, non-ASCII and non-UTF-8 names": Case(_odd_names, "clé.py", 0, 0, unchanged=False),
}


def _run(root: Path, case: Case, in_git: bool):
    _write(root / "good.py", LEGACY)
    paths = case.build(root)
    if in_git:
        git(root, "init", "-q")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink() and ".git" not in p.parts}
    proc = run_cli(["--fix", *(paths or ["."])], root)
    return proc, before


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "git"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(tmp_path, name, in_git):
    case = CASES[name]
    root = tmp_path / "tree"
    root.mkdir()
    proc, before = _run(root, case, in_git)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == case.exit_code, (proc.returncode, proc.stdout, proc.stderr)
    naming = [line for line in proc.stderr.splitlines() if case.bad in line]
    assert len(naming) == case.error_lines, proc.stderr
    assert all(len(line) < 300 for line in proc.stderr.splitlines())
    # the run went on past the bad file: good.py is fixed
    assert "deepseek-v4-flash" in (root / "good.py").read_text()
    if case.unchanged:
        for path, data in before.items():
            if path.name != "good.py":
                assert path.read_bytes() == data, path
    assert not [p for p in root.rglob("*.v4-migrate.tmp")]


def test_invalid_pyproject_is_a_warning_and_its_files_use_the_next_config_up(tmp_path):
    _write(tmp_path / "good.py", LEGACY)
    _broken_pyproject(tmp_path)
    proc = run_cli(["--fix", "."], tmp_path)
    assert proc.returncode == 0
    assert "deepseek-v4-flash" in (tmp_path / "sub" / "a.py").read_text()
    assert "deepseek-v4-flash" in (tmp_path / "good.py").read_text()
    [warning] = [line for line in proc.stderr.splitlines() if "sub/pyproject.toml" in line]
    assert warning.startswith("warning: ") and "not valid TOML" in warning


def test_pyproject_that_is_not_utf8_is_named(tmp_path):
    _write(tmp_path / "good.py", LEGACY)
    _pyproject_not_utf8(tmp_path)
    proc = run_cli(["--fix", "."], tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0
    assert any("sub/pyproject.toml: not valid TOML (not UTF-8)" in line for line in proc.stderr.splitlines()), proc.stderr


def test_reports_stay_valid_utf8_with_a_non_utf8_file_name(tmp_path):
    _write(tmp_path / os.fsdecode(b"caf\xe9.py"), LEGACY)
    env = {"PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "codemod", "--format", "json", "."],
        cwd=tmp_path, capture_output=True, env={**os.environ, **env, "V4_MIGRATE_TODAY": "2026-11-28"},
    )
    document = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8
    assert [f["path"] for f in document["findings"]] == ["caf\\xe9.py"]


# -- in-process: files that vanish or cannot be read mid-run -----------------------------------------


def _engine(jobs: int = 1) -> Engine:
    return Engine(RunOptions(today=TODAY, fix=True, jobs=jobs))


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "git"])
def test_a_file_that_vanishes_mid_run_costs_one_line(tmp_path, monkeypatch, in_git):
    for name in ("a.py", "b.py", "c.py"):
        _write(tmp_path / name, LEGACY)
    if in_git:
        git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(engine_module.NO_GIT_GREP_ENV, "1")  # else git grep simply no longer sees it
    engine = _engine()
    listed = engine.discovery.files

    def files_then_delete(paths):
        yield from listed(paths)
        os.unlink("b.py")  # after discovery, before it is read

    monkeypatch.setattr(engine.discovery, "files", files_then_delete)
    results = list(engine.run(["."]))
    assert engine.problems == ["b.py: vanished before it could be read"]
    assert sorted(r.path for r in results if r.changed) == ["a.py", "c.py"]


def test_a_file_that_cannot_be_read_costs_one_line(tmp_path, monkeypatch):
    for name in ("a.py", "b.py"):
        _write(tmp_path / name, LEGACY)
    monkeypatch.chdir(tmp_path)
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("b.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(engine_module.os, "open", deny)
    engine = _engine()
    results = list(engine.run(["."]))
    assert engine.problems == ["b.py: cannot read: Permission denied"]
    assert [r.path for r in results if r.changed] == ["a.py"]


def test_a_fifo_that_replaces_a_file_mid_run_does_not_hang(tmp_path, monkeypatch):
    for name in ("a.py", "b.py"):
        _write(tmp_path / name, LEGACY)
    monkeypatch.chdir(tmp_path)
    engine = _engine()
    listed = engine.discovery.files

    def files_then_swap(paths):
        yield from listed(paths)
        os.unlink("b.py")
        os.mkfifo("b.py")

    monkeypatch.setattr(engine.discovery, "files", files_then_swap)
    results = list(engine.run(["."]))
    assert engine.problems == ["b.py: not a regular file (a FIFO, socket or device); skipped"]
    assert [r.path for r in results if r.changed] == ["a.py"]


CRASHING_RUN = """
import json, os, sys, time
from codemod.engine import Engine, RunOptions
from codemod.scanners import python as python_scanner
from helpers import TODAY

writing = sys.argv[1]  # made once the slow file is being written, outside the tree
real_parse, real_fsync = python_scanner.parse, os.fsync

def crash_on_marker(text):
    if "# CRASH" in text:
        for _ in range(3000):  # until the other worker writes the slow file
            if os.path.exists(writing):
                break
            time.sleep(0.01)
        os._exit(11)
    return real_parse(text)

def slow_write_of_marker(fd):
    if b"# SLOW" in os.pread(fd, 4096, 0):
        open(writing, "w").close()
        time.sleep(2)  # the pool breaks meanwhile
    real_fsync(fd)

python_scanner.parse = crash_on_marker
os.fsync = slow_write_of_marker
os.environ["V4_MIGRATE_POOL_MIN_BYTES"] = "0"  # a pool for these few small files
results = Engine(RunOptions(today=TODAY, fix=True, jobs=2)).run(["."])
print(json.dumps([(r.path, r.errors) for r in results]))
"""


CRASHING_CHECK = """
import json, os, sys
from codemod.engine import Engine, RunOptions
from codemod.scanners import python as python_scanner
from helpers import TODAY

real_parse = python_scanner.parse

def crash_on_marker(text):
    if "# CRASH" in text:
        os._exit(11)
    return real_parse(text)

jobs = int(sys.argv[1])
if jobs > 1:  # one process (the reference run) would crash with it
    python_scanner.parse = crash_on_marker
os.environ["V4_MIGRATE_POOL_MIN_BYTES"] = "0"  # a pool for these few small files
results = Engine(RunOptions(today=TODAY, jobs=jobs)).run(["."])
print(json.dumps([(r.path, r.errors, [(f.rule, f.line, f.column) for f in r.findings]) for r in results]))
"""


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method(allow_none=False) != "fork", reason="patches reach workers by fork"
)
def test_a_check_sends_files_in_batches_and_a_crash_still_costs_only_that_file(tmp_path):
    """A check sends several files per task (engine.CHECK_FILES_PER_TASK); should one of a batch
    kill its worker, the batch's other files and every later one are checked one at a time,
    with the findings the run would have had without the crash."""
    from codemod.engine import CHECK_FILES_PER_TASK

    n = 3 * CHECK_FILES_PER_TASK + 3  # whole batches and a last, shorter one
    tree = tmp_path / "tree"
    for index in range(n):
        _write(tree / f"m{index:02d}.py", LEGACY + ("# CRASH\n" if index == CHECK_FILES_PER_TASK + 2 else ""))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")])}

    def run(jobs):
        proc = subprocess.run([sys.executable, "-c", CRASHING_CHECK, str(jobs)], cwd=tree, env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    crashed = f"m{CHECK_FILES_PER_TASK + 2:02d}.py"
    pooled = run(2)
    assert [path for path, _, _ in pooled] == sorted(f"m{i:02d}.py" for i in range(n))  # in order, each once
    assert [e for _, errors, _ in pooled for e in errors] == [f"{crashed}: could not be processed: the parser crashed; file left unchanged"]
    alone = {path: findings for path, _, findings in run(1) if path != crashed}  # one process, no crash
    assert {path: findings for path, _, findings in pooled if path != crashed} == alone
    assert all(findings for findings in alone.values())
    for index in range(n):
        assert "deepseek-v4-flash" not in (tree / f"m{index:02d}.py").read_text()  # a check writes nothing


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method(allow_none=False) != "fork", reason="patches reach workers by fork"
)
def test_a_file_that_crashes_a_worker_costs_only_that_file(tmp_path):
    """Should the parser kill a worker process (LibCST's native parser can segfault), the other
    files are still processed and the crashing one is reported. Here the other worker is in the
    middle of a write when the pool breaks, so the pool's SIGTERMs wait for the write: it must
    then end, not take the interrupt for the file's result (on 3.13 a broken pool waits for
    every worker: the run hung). In a subprocess, so that a hang fails the test."""
    n = 30
    tree = tmp_path / "tree"
    for index in range(n):
        _write(tree / f"m{index:02d}.py", LEGACY + {6: "# SLOW\n", 7: "# CRASH\n"}.get(index, ""))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")])}
    proc = subprocess.Popen([sys.executable, "-c", CRASHING_RUN, str(tmp_path / "writing")], cwd=tree, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)  # it takes seconds
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the run hung after a worker crashed")
    assert proc.returncode == 0, err
    results = json.loads(out)
    assert [e for _, errors in results for e in errors] == ["m07.py: could not be processed: the parser crashed; file left unchanged"]
    assert len(results) == n
    for index in range(n):
        text = (tree / f"m{index:02d}.py").read_text()
        assert ("deepseek-v4-flash" in text) == (index != 7), index
