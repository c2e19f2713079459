"""How benchmarks/run.py and benchmarks/density.py measure: the commands' environment, wall time
(medians, commands in turns), peak RSS, CPU seconds, and the recall check against a manifest."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

VENV_BIN = Path(sys.executable).parent
V4 = str(VENV_BIN / "v4-migrate")
FIXIT = str(VENV_BIN / "fixit")
PYTHON = sys.executable
TODAY = "2026-11-28"
GIT_GREP = ["git", "grep", "-n", "-E", r"deepseek-(chat|reasoner|coder)|api\.deepseek\.com"]


# -- commands ------------------------------------------------------------------------------------


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment of every measured command: no CI/colour switches, no reference date,
    and bytecode cached as on a user's machine (with PYTHONDONTWRITEBYTECODE, modules changed
    since their .pyc was written would be compiled again in every timed run)."""
    dropped = ("V4_MIGRATE_TODAY", "NO_COLOR", "CI", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


class Command(NamedTuple):
    """One measured command: ``prepare`` (untimed) runs before each of its runs."""

    argv: Sequence[str]
    cwd: Path
    env: Optional[Dict[str, str]] = None
    ok_codes: Tuple[int, ...] = (0, 1)
    prepare: Optional[Callable[[], None]] = None


class Timing(NamedTuple):
    median: float
    runs: List[float]
    last: subprocess.CompletedProcess


# -- wall time -----------------------------------------------------------------------------------


def wall(command: Sequence[str], cwd: Path, runs: int, env: Optional[Dict[str, str]] = None,
         ok_codes: Tuple[int, ...] = (0, 1), warmup: int = 1, prepare=None) -> Tuple[float, List[float], subprocess.CompletedProcess]:
    """Median wall time of ``command`` over ``runs`` runs (after ``warmup`` untimed ones)."""
    times: List[float] = []
    last = None
    for index in range(warmup + runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        last = subprocess.run(list(command), cwd=cwd, env=env or clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if last.returncode not in ok_codes:
            raise SystemExit(f"benchmark command failed ({last.returncode}): {' '.join(command)}\n{last.stderr.decode()[-2000:]}")
        if index >= warmup:
            times.append(elapsed)
    assert last is not None
    return statistics.median(times), times, last


def in_turns(commands: Sequence[Command], runs: int, warmup: bool = True) -> List[Timing]:
    """``wall`` for several commands run in turns (one run of each per turn), so that all meet
    the same load on a shared machine; each gets one untimed warm-up run first unless told."""
    times: List[List[float]] = [[] for _ in commands]
    last: List[Optional[subprocess.CompletedProcess]] = [None] * len(commands)
    for turn in range(runs):
        for index, c in enumerate(commands):
            _, once, last[index] = wall(c.argv, c.cwd, 1, env=c.env, ok_codes=c.ok_codes,
                                        warmup=1 if warmup and not turn else 0, prepare=c.prepare)
            times[index] += once
    return [Timing(statistics.median(t), t, proc) for t, proc in zip(times, last)]


def wall_pair(first: Sequence[str], second: Sequence[str], cwd: Path, runs: int, ok_first: Tuple[int, ...] = (0, 1),
              ok_second: Tuple[int, ...] = (0, 1)):
    """``in_turns`` for two commands in the same folder: (median, times, last result) of each."""
    return tuple(in_turns([Command(first, cwd, ok_codes=ok_first), Command(second, cwd, ok_codes=ok_second)], runs))


# -- memory and CPU ------------------------------------------------------------------------------


def peak_rss_mb(command: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> Tuple[float, float]:
    """(ru_maxrss of RUSAGE_CHILDREN in a fresh process that runs ``command``: the largest single
    process of the run; the peak of the whole process tree's summed RSS, sampled every 5 ms)."""
    probe = (
        "import json, resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.Popen([PYTHON, "-c", probe, *command], cwd=cwd, env=env or clean_env(), stdout=subprocess.PIPE)
    tree_peak = 0
    while proc.poll() is None:
        tree_peak = max(tree_peak, _tree_rss_kb(proc.pid))
        time.sleep(0.005)
    out, _ = proc.communicate()
    return int(out.decode().strip()) / 1024.0, tree_peak / 1024.0


def _tree_rss_kb(root_pid: int) -> int:
    """Summed VmRSS (KB) of ``root_pid``'s descendants (Linux /proc; 0 elsewhere)."""
    children: Dict[int, List[int]] = {}
    rss: Dict[int, int] = {}
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            children.setdefault(ppid, []).append(pid)
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, list(children.get(root_pid, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def cpu_seconds_of(command: Sequence[str], cwd: Path) -> Tuple[float, float]:
    """(wall, user+system CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(list(command), cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr.decode()[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# -- what was found ------------------------------------------------------------------------------


def check_findings(report: dict, manifest: dict) -> List[str]:
    """Recall and precision against what was planted: every planted file (Python, YAML, .env) has
    a finding, no decoy has one."""
    problems = []
    with_findings = {f["path"] for f in report["findings"]}
    for rel, info in manifest["interesting"].items():
        if info["planted"] and info["kind"] in ("py", "ts", "js", "yaml", "env") and rel not in with_findings:
            # a planted file whose only ids are comments in the service that ignores DS003
            only_comments = set(info) - {"kind", "planted", "decoy", "literals"} == {"comment"}
            if not (only_comments and rel.startswith(manifest["configured_service"] + "/")):
                problems.append(f"missed planted ids in {rel}")
        if info["decoy"] and rel in with_findings:
            problems.append(f"false positive in decoy {rel}")
    if report["errors"]:
        problems.append(f"errors: {report['errors'][:3]}")
    return problems
