"""SIGKILL of a real ``v4-migrate --fix`` run, of its parent process alone or of its whole
process group, at many seeded moments: no process of the run survives (its workers die with
the parent and write nothing after it), every file holds its old or its new bytes, and the next
run leaves no temp file behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Set

import pytest

from codemod import tempnames
from forked_python import popen
from helpers import CLI_MODULES, REPO_ROOT

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads processes from /proc")

SEED = 17
KILLS = 24
N_FILES = 40
TODAY = "2026-11-28"
GONE_WITHIN = 30.0  # seconds for the run's last process to end (it takes milliseconds)


def _module(index: int) -> str:
    legacy = ("deepseek-chat", "deepseek-reasoner")[index % 2]
    return (f'"""Module {index}."""\nMODEL = "{legacy}"\n\n\ndef ask(client, messages):\n'
            f'    return client.chat.completions.create(model="{legacy}", messages=messages)\n')


def _run_fix(cwd: Path):
    """The run, forked from the tests' server for the command line (its start-up is no part of these tests)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "V4_MIGRATE_TODAY")}
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["V4_MIGRATE_POOL_MIN_BYTES"] = "0"  # the pool, and its workers, for these few small files
    return popen(["-m", "codemod", "--fix", "--today", TODAY, "-j", "2", "."], cwd=cwd, env=env,
                 preload=CLI_MODULES, server="cli", start_new_session=True)


def _snapshot(tree: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """(pristine tree, its files, the same files fully fixed)."""
    root = tmp_path_factory.mktemp("sigkill")
    pristine = root / "pristine"
    for index in range(N_FILES):
        path = pristine / f"pkg{index % 4}" / f"mod_{index:02d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_module(index))
    fixed_tree = root / "fixed"
    shutil.copytree(pristine, fixed_tree)
    proc = _run_fix(fixed_tree)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), err.decode()
    original, fixed = _snapshot(pristine), _snapshot(fixed_tree)
    assert all(fixed[rel] != original[rel] for rel in original)
    return pristine, original, fixed


def _processes_of(session: int, tree: Path) -> List[str]:
    """The live processes of the run: in its session (the parent leads it; workers and git
    inherit it), or working in its tree."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if fields[0] in (b"Z", b"X"):  # a zombie runs no code
            continue
        if int(fields[3]) == session or cwd == str(tree) or cwd.startswith(str(tree) + os.sep):
            found.append(f"{entry} ({fields[0].decode()}, ppid {fields[1].decode()}): {argv}")
    return found


def _wait_until_gone(session: int, tree: Path) -> List[str]:
    deadline = time.monotonic() + GONE_WITHIN
    while True:
        alive = _processes_of(session, tree)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def _after_writes(tree: Path, original: Dict[str, bytes], count: int, proc: subprocess.Popen) -> None:
    """Wait until ``count`` files were rewritten (or the run ended)."""
    while proc.poll() is None:
        changed = sum(1 for rel, data in original.items() if (tree / rel).read_bytes() != data)
        if changed >= count:
            return
        time.sleep(0.002)


def _kill_points() -> List[tuple]:
    """(whom: "parent" or "group", when: ("seconds", s) or ("writes", n), extra delay)."""
    rng = random.Random(SEED)
    points = []
    for index in range(KILLS):
        whom = ("parent", "group")[index % 2]
        when = ("seconds", round(rng.uniform(0.05, 1.2), 3)) if index % 3 == 0 else ("writes", rng.randint(1, N_FILES - 1))
        points.append((whom, when, round(rng.uniform(0, 0.02), 4)))
    return points


@pytest.mark.parametrize("whom, when, extra", _kill_points(),
                         ids=[f"{w}-{k}{v}" for w, (k, v), _ in _kill_points()])
def test_sigkill_leaves_no_process_no_temp_file_and_every_file_old_or_new(trees, tmp_path, whom, when, extra):
    pristine, original, fixed = trees
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    proc = _run_fix(tree)
    kind, value = when
    if kind == "seconds":
        time.sleep(value)
    else:
        _after_writes(tree, original, value, proc)
    time.sleep(extra)
    if proc.poll() is None:
        if whom == "group":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    at_death = _snapshot(tree)
    survivors = _wait_until_gone(proc.pid, tree)
    proc.stdout.close()
    proc.stderr.close()
    assert survivors == [], survivors
    assert _snapshot(tree) == at_death  # nothing was written after the parent died
    leftovers: Set[str] = set(at_death) - set(original)
    assert all(Path(rel).name.endswith(tempnames.SUFFIX) for rel in leftovers), leftovers
    for rel, data in original.items():
        assert at_death[rel] in (data, fixed[rel]), f"{rel} is neither old nor new:\n{at_death[rel].decode(errors='replace')}"
    # the next run finishes the job and removes what the killed one left
    again = _run_fix(tree)
    _, err = again.communicate(timeout=300)
    assert again.returncode in (0, 1), err.decode()
    assert _snapshot(tree) == fixed


# -- a worker whose parent is gone -------------------------------------------------------------------

ORPHANED_WORKER = """
import os, sys, time
from codemod import applier, lifeline

target, kernel = sys.argv[1], sys.argv[2] == "kernel"
bound_r, bound_w = os.pipe()
parent = os.getpid()
if os.fork() == 0:  # the worker; its stdout is the test's pipe, which ends once the worker is dead
    lifeline.bind_to_parent(parent, kernel=kernel)
    os.write(bound_w, b"bound\\n")
    while os.getppid() == parent:
        time.sleep(0.001)
    try:
        applier.write_atomic(target, b"new\\n")
        os.write(1, b"wrote\\n")
    except lifeline.ParentGone:
        os.write(1, b"refused\\n")
    time.sleep(600)  # until it is killed
    os._exit(0)
os.write(1, os.read(bound_r, 100))
os._exit(0)  # the parent dies
"""


@pytest.mark.parametrize("kernel", [True, False], ids=["PR_SET_PDEATHSIG", "watching thread"])
def test_a_worker_dies_with_its_parent_and_writes_nothing_after_it(tmp_path, kernel):
    """The kernel kills the worker as its parent dies; without it (other systems), the worker
    refuses to write once its parent is gone, and its watching thread ends it."""
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-c", ORPHANED_WORKER, str(target), "kernel" if kernel else "thread"],
                          env=env, capture_output=True, text=True, timeout=120)  # the worker's end of the pipe: EOF once it is dead
    assert proc.stdout == ("bound\n" if kernel else "bound\nrefused\n"), proc.stderr
    assert target.read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path)) == ["a.py"]


# -- temp files a killed run left ------------------------------------------------------------------

KILLED_WHILE_WRITING = """
import os, sys, time
from codemod import applier

real_fsync = os.fsync

def stuck(fd):
    real_fsync(fd)
    print("writing", flush=True)
    time.sleep(600)

os.fsync = stuck
applier.write_atomic(sys.argv[1], sys.argv[2].encode())
"""


def _killed_while_writing(path: Path, data: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_WRITING, str(path), data], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    proc.kill()
    proc.wait(timeout=60)
    proc.stdout.close()


def _temp_names(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(tempnames.SUFFIX))


def test_the_next_writing_run_removes_the_temp_files_of_killed_processes_only(tmp_path):
    legacy = 'MODEL = "deepseek-chat"\n'
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "pkg/b.py"):
        (tmp_path / name).write_text(legacy)
        _killed_while_writing(tmp_path / name, "half a fix\n")
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert [len(_temp_names(folder)) for folder in (tmp_path, tmp_path / "pkg")] == [1, 1]
    assert (tmp_path / "a.py").read_text() == legacy  # the kill left the old bytes
    alive = f".a.py.{os.getpid()}.abcd1234{tempnames.SUFFIX}"  # this process is still running
    (tmp_path / alive).write_text("in progress\n")
    mine = tempnames._process_tag(os.getpid())
    reused = f".a.py.{os.getpid()}-{int(mine.partition('-')[2] or 0) + 1}.abcd1234{tempnames.SUFFIX}"
    (tmp_path / reused).write_text("a process that had this pid before\n")
    user_file = tmp_path / ".notes.v4-migrate.tmp"  # not of the pattern
    user_file.write_text("mine\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    check = subprocess.run([sys.executable, "-m", "codemod", "--today", TODAY, "."], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and len(_temp_names(tmp_path)) == 4  # a check writes nothing, removes nothing
    fix = subprocess.run([sys.executable, "-m", "codemod", "--fix", "--today", TODAY, "."], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert fix.returncode in (0, 1), fix.stderr
    # gone: the killed writers, and the process that had this pid before (its start time differs)
    assert _temp_names(tmp_path) == sorted([alive, user_file.name])
    assert _temp_names(tmp_path / "pkg") == []
    assert "deepseek-v4-flash" in (tmp_path / "a.py").read_text()
