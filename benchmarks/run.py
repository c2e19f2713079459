"""Benchmarks for v4-migrate on a synthetic monorepo (standard library + the project's venv).

    /work/venv/bin/python benchmarks/run.py            # 20,000 files, 5 runs each (minutes)
    /work/venv/bin/python benchmarks/run.py --quick    # 2,000 files, 3 runs (well under a minute)
    /work/venv/bin/python benchmarks/run.py --files 5000 --runs 7 --fixit-files 0

Measures, in one run of this script: the full check (`v4-migrate --format json .`), the floor
(`git grep -n -E ...`), Fixit 2.x with an equivalent one-rule config, peak RSS, `--fix`
throughput on a candidate-heavy tree, the pre-commit path (10 clean files vs
`python -c pass`) and the growth cases of benchmarks/growth.py (time at n vs 4n) and benchmarks/fix_growth.py (--fix, cost at n and 4n findings). Prints a table with PASS/MISS per target and writes benchmarks/RESULTS.md.
Wall times are medians; every tool gets one untimed warm-up run first (page cache, .pyc), and the
commands compared in a ratio run in turns, so both meet the same load on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import fix_growth  # noqa: E402
import growth  # noqa: E402
import lsp_latency  # noqa: E402

REPO = HERE.parent
VENV_BIN = Path(sys.executable).parent
V4 = str(VENV_BIN / "v4-migrate")
FIXIT = str(VENV_BIN / "fixit")
PYTHON = sys.executable
TODAY = "2026-11-28"
GIT_GREP = ["git", "grep", "-n", "-E", r"deepseek-(chat|reasoner|coder)|api\.deepseek\.com"]
TARGETS = {
    "check_vs_grep": 4.0,  # full check within 4x of git grep
    "fixit_speedup": 20.0,  # at least 20x faster than Fixit
    "rss_mb": 200.0,  # peak RSS below 200 MB
    "precommit_vs_python": 3.0,  # 10 clean files within 3x of `python -c pass`
    "compare_cost": 0.15,  # with --compare REV: the full check at most 15% slower than REV's
}


# -- measuring -----------------------------------------------------------------------------------


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment of every measured command: no CI/colour switches, no reference date,
    and bytecode cached as on a user's machine (with PYTHONDONTWRITEBYTECODE, modules changed
    since their .pyc was written would be compiled again in every timed run)."""
    dropped = ("V4_MIGRATE_TODAY", "NO_COLOR", "CI", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


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


def wall_pair(first: Sequence[str], second: Sequence[str], cwd: Path, runs: int, ok_first: Tuple[int, ...] = (0, 1),
              ok_second: Tuple[int, ...] = (0, 1)):
    """``wall`` for two commands run in turns, so that both meet the same load on a shared
    machine: (median, times, last result) of each."""
    first_runs: List[float] = []
    second_runs: List[float] = []
    last_first = last_second = None
    for _ in range(runs):
        _, times, last_first = wall(first, cwd, 1, ok_codes=ok_first, warmup=0 if first_runs else 1)
        first_runs += times
        _, times, last_second = wall(second, cwd, 1, ok_codes=ok_second, warmup=0 if second_runs else 1)
        second_runs += times
    return (statistics.median(first_runs), first_runs, last_first), (statistics.median(second_runs), second_runs, last_second)


def peak_rss_mb(command: Sequence[str], cwd: Path) -> Tuple[float, float]:
    """(ru_maxrss of RUSAGE_CHILDREN in a fresh process that runs ``command``: the largest single
    process of the run; the peak of the whole process tree's summed RSS, sampled every 5 ms)."""
    probe = (
        "import json, resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.Popen([PYTHON, "-c", probe, *command], cwd=cwd, env=clean_env(), stdout=subprocess.PIPE)
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


# -- the checks ----------------------------------------------------------------------------------


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


def fixit_subset(tree: Path, manifest: dict, limit: int) -> Tuple[List[str], int]:
    """A deterministic subset of the Python files (every k-th in sorted order, plus every
    planted one so the rule's reports can be counted) and the retired-id literals planted in it."""
    files = sorted(
        subprocess.run(["git", "ls-files", "*.py"], cwd=tree, stdout=subprocess.PIPE, check=True).stdout.decode().split()
    )
    planted = sorted(rel for rel, info in manifest["interesting"].items() if info["kind"] == "py" and info["planted"])
    if limit <= 0 or limit >= len(files):
        chosen = files
    else:
        step = len(files) / max(1, limit - len(planted))
        chosen = sorted(set(files[int(i * step)] for i in range(limit - len(planted))) | set(planted))
    literals = sum(manifest["interesting"].get(rel, {}).get("literals", 0) for rel in chosen)
    return chosen, literals


def count_fixit_reports(output: str) -> int:
    return sum(1 for line in output.splitlines() if "LegacyDeepSeekModel" in line)


# -- the run -------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=None, help="files in the synthetic monorepo [20000; 2000 with --quick]")
    parser.add_argument("--quick", action="store_true",
                        help="a 2,000-file tree, 3 runs, a 60-file Fixit subset (1 run), 40 files for --fix: well under a minute")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per measurement [5; 3 with --quick]")
    parser.add_argument("--fixit-files", type=int, default=None,
                        help="Python files Fixit lints (a deterministic subset, extrapolated per file); 0 = all [1000; 60 with --quick]")
    parser.add_argument("--fixit-runs", type=int, default=None, help="timed Fixit runs [min(runs, 3)]")
    parser.add_argument("--fix-files", type=int, default=None, help="Python files in the --fix throughput tree [300; 40 with --quick]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where trees are generated (kept between runs)")
    parser.add_argument("--no-results-file", action="store_true", help="do not write benchmarks/RESULTS.md")
    parser.add_argument("--compare", metavar="REV", default=None,
                        help="also time the full check of this git revision's codemod/ and rules/ against this tree's, in turns")
    args = parser.parse_args(argv)
    n_files = args.files or (2000 if args.quick else 20000)
    runs = args.runs or (3 if args.quick else 5)
    fixit_limit = args.fixit_files if args.fixit_files is not None else (60 if args.quick else 1000)
    fixit_runs = args.fixit_runs or (1 if args.quick else min(runs, 3))
    args.fix_files = args.fix_files or (40 if args.quick else 300)
    cores = os.cpu_count() or 1

    for tool in (V4, FIXIT):
        if not Path(tool).exists():
            raise SystemExit(f"{tool} is missing: run this with the venv's python (fixit>=2 is the [bench] extra)")
    # A real install has compiled bytecode; this checkout's may not (PYTHONDONTWRITEBYTECODE).
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(REPO / "codemod"), str(HERE / "fixit_rule")],
                   stdout=subprocess.DEVNULL, env=clean_env())

    args.work.mkdir(parents=True, exist_ok=True)
    log(f"generating a {n_files}-file monorepo (seed {args.seed}; reused when present) ...")
    tree, manifest = generate.generate_tree(args.work, n_files, args.seed)
    py_files = int(subprocess.run(["git", "ls-files", "*.py"], cwd=tree, stdout=subprocess.PIPE).stdout.count(b"\n"))
    total_files = int(subprocess.run(["git", "ls-files"], cwd=tree, stdout=subprocess.PIPE).stdout.count(b"\n"))
    results: Dict[str, object] = {
        "load_before": _load_average(),
        "files": total_files, "python_files": py_files, "bytes": manifest["bytes"], "cores": cores, "runs": runs,
        "planted_files": sum(1 for i in manifest["interesting"].values() if i["planted"]),
        "decoy_files": sum(1 for i in manifest["interesting"].values() if i["decoy"]),
    }

    # 1. the full check, and the floor
    log(f"v4-migrate --format json . and git grep, in turns ({runs} runs each) ...")
    check_cmd = [V4, "--format", "json", "--today", TODAY, "."]
    (v4_time, v4_times, v4_proc), (grep_time, grep_times, grep_proc) = wall_pair(check_cmd, GIT_GREP, tree, runs)
    report = json.loads(v4_proc.stdout)
    problems = check_findings(report, manifest)
    results.update(v4_check=v4_time, v4_check_runs=v4_times, findings=report["summary"]["findings"],
                   files_scanned=report["summary"]["files_scanned"], check_problems=problems)
    results.update(git_grep=grep_time, git_grep_runs=grep_times, git_grep_lines=grep_proc.stdout.count(b"\n"))
    log("v4-migrate outside git (walk + Python prefilter) ...")
    nogit_time, _, nogit_proc = wall(check_cmd, tree, max(1, runs // 2), env=clean_env(GIT_DIR=str(args.work / "no-such-git-dir")))
    results.update(v4_check_nogit=nogit_time, nogit_same=json.loads(nogit_proc.stdout)["findings"] == report["findings"])
    pygrep_time, _, pygrep_proc = wall(check_cmd, tree, max(1, runs // 2), env=clean_env(V4_MIGRATE_NO_GIT_GREP="1"))
    results.update(v4_check_pyprefilter=pygrep_time, pyprefilter_same=json.loads(pygrep_proc.stdout)["findings"] == report["findings"])
    serial_time, _, _ = wall(check_cmd[:1] + ["--jobs", "1"] + check_cmd[1:], tree, max(1, runs // 2))
    results.update(v4_check_jobs1=serial_time)

    if args.compare:
        log(f"the full check of {args.compare} and of this tree, in turns ({runs} runs each) ...")
        results.update(compare_check(args.compare, tree, runs, args.work))

    # 2. Fixit on a subset, extrapolated per file
    subset, expected_literals = fixit_subset(tree, manifest, fixit_limit)
    log(f"fixit lint on {len(subset)} of {py_files} Python files ({fixit_runs} runs) ...")
    fixit_env = clean_env(PYTHONPATH=str(HERE))
    fixit_cmd = [FIXIT, "lint", *subset]
    fixit_time, fixit_times, fixit_proc = wall(fixit_cmd, tree, fixit_runs, env=fixit_env, ok_codes=(0, 1, 2, 3, 4, 5, 6, 7))
    fixit_reports = count_fixit_reports(fixit_proc.stdout.decode() + fixit_proc.stderr.decode())
    # start-up: one file without planted literals (a small subset may be all planted ones)
    one = [next((rel for rel in subset if rel not in manifest["interesting"]), subset[0])]
    fixit_startup, _, _ = wall([FIXIT, "lint", *one], tree, fixit_runs, env=fixit_env, ok_codes=(0, 1, 2, 3, 4, 5, 6, 7))
    per_file = max(0.0, fixit_time - fixit_startup) / len(subset)
    fixit_full = fixit_time if len(subset) == py_files else fixit_startup + per_file * py_files
    results.update(fixit_files=len(subset), fixit_time=fixit_time, fixit_runs=fixit_times, fixit_startup=fixit_startup,
                   fixit_per_file=per_file, fixit_full=fixit_full, fixit_extrapolated=len(subset) != py_files,
                   fixit_reports=fixit_reports, fixit_expected=expected_literals)

    # 3. peak RSS of the full check
    log("peak RSS ...")
    rss, tree_rss = peak_rss_mb(check_cmd, tree)
    results.update(rss_mb=rss, tree_rss_mb=tree_rss)

    # 4. --fix throughput on a candidate-heavy tree
    log(f"--fix on {args.fix_files} Python files that all hold ids ({runs} runs) ...")
    pristine, fix_manifest = generate.generate_fix_tree(args.work, args.fix_files, args.seed)
    scratch = Path(tempfile.mkdtemp(prefix="fix-", dir=args.work))
    target = scratch / "tree"

    def fresh_copy() -> None:
        # its own (empty) git repo: benchmarks/.work/ is ignored by the project's repo, and
        # discovery honours that; the files are untracked, as new code in a work tree is
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(pristine, target)
        subprocess.run(["git", "init", "-q", str(target)], check=True)

    fix_cmd = [V4, "--fix", "--format", "json", "--today", TODAY, "."]
    fix_time, fix_times, fix_proc = wall(fix_cmd, target, runs, prepare=fresh_copy)
    fix_report = json.loads(fix_proc.stdout)
    fresh_copy()
    fix_wall, fix_cpu = cpu_seconds_of(fix_cmd, target)
    again = subprocess.run([V4, "--format", "json", "--today", TODAY, "--select", "DS001", "."], cwd=target,
                           env=clean_env(), stdout=subprocess.PIPE)
    left = len(json.loads(again.stdout)["findings"])
    shutil.rmtree(scratch, ignore_errors=True)
    mb = fix_manifest["bytes"] / 1e6
    results.update(fix_files=args.fix_files, fix_mb=mb, fix_time=fix_time, fix_runs=fix_times,
                   fix_mb_s_per_core=mb / fix_time / cores, fix_mb_per_cpu_s=mb / fix_cpu if fix_cpu else 0.0,
                   fix_fixed=fix_report["summary"]["fixed"], fix_sites=fix_manifest["sites"], fix_left_ds001=left,
                   fix_errors=fix_report["errors"][:3])

    # 5. the pre-commit path: 10 clean files vs `python -c pass`
    clean = sorted(rel for rel in subset if rel not in manifest["interesting"])
    ten = [clean[i * len(clean) // 10] for i in range(10)] if len(clean) >= 10 else (clean or subset)[:10]
    pc_runs = max(15, runs * 3)
    log(f"pre-commit path: 10 clean files and python -c pass, in turns ({pc_runs} runs each) ...")
    (pc_time, _, pc_proc), (py_time, _, _) = wall_pair([V4, *ten], [PYTHON, "-c", "pass"], tree, pc_runs, (0,), (0,))
    results.update(precommit=pc_time, python_pass=py_time, precommit_output=pc_proc.stdout.decode().strip(),
                   precommit_files=ten)

    # 6. growth: time at n and at 4n of inputs that were quadratic (benchmarks/growth.py)
    log("growth cases (n and 4n) ...")
    results.update(growth.measure(args.quick))
    # 7. fix growth: the cost at n and at 4n of a run whose input grows (linear: 4x)
    n_growth = 1000 if args.quick else 2500
    log(f"growth cases at n = {n_growth} and {fix_growth.FACTOR * n_growth} ...")
    results["fix_growth"] = fix_growth.measure_all(args.work, max(1, runs // 2), n_growth, fix_growth.source_env())
    # 8. the language server: didChange -> publishDiagnostics on a 2,000-line file (benchmarks/lsp_latency.py)
    log("language server latency ...")
    results["lsp"] = lsp_latency.measure(max(5, runs * 2), work=args.work)

    results["load_after"] = _load_average()
    rows = summarize(results)
    print()
    print(render_text(results, rows))
    if not args.no_results_file:
        out = HERE / "RESULTS.md"
        out.write_text(render_markdown(results, rows, n_files, args, fixit_limit))
        print(f"\nwrote {out.relative_to(REPO)}")
    return 0


def compare_check(rev: str, tree: Path, runs: int, work: Path) -> Dict[str, object]:
    """The full check of ``rev`` (its codemod/ and rules/, from `git archive`) and of this tree,
    both as ``python -m codemod`` from a source folder, in turns: what a change costs."""
    old_src = Path(tempfile.mkdtemp(prefix="compare-", dir=work))
    archive = subprocess.run(["git", "archive", rev, "codemod", "rules"], cwd=REPO, stdout=subprocess.PIPE, check=True)
    subprocess.run(["tar", "-x", "-C", str(old_src)], input=archive.stdout, check=True)
    command = [PYTHON, "-m", "codemod", "--format", "json", "--today", TODAY, "."]
    new_env, old_env = clean_env(PYTHONPATH=str(REPO)), clean_env(PYTHONPATH=str(old_src))
    new_times: List[float] = []
    old_times: List[float] = []
    for index in range(runs + 1):  # the first turn of each warms the caches (and writes .pyc files)
        for env, times in ((new_env, new_times), (old_env, old_times)):
            start = time.perf_counter()
            proc = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"the check failed ({proc.returncode}) with {env['PYTHONPATH']}:\n{proc.stderr.decode()[-2000:]}")
            if index:
                times.append(time.perf_counter() - start)
    shutil.rmtree(old_src, ignore_errors=True)
    return {"compare_rev": rev, "compare_new": statistics.median(new_times), "compare_old": statistics.median(old_times),
            "compare_new_runs": new_times, "compare_old_runs": old_times}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summarize(r: Dict) -> List[Tuple[str, str, str, str]]:
    """(what, measured, target, PASS/MISS) rows."""
    check_ratio = r["v4_check"] / r["git_grep"]
    fixit_speedup = r["fixit_full"] / r["v4_check"]
    pc_ratio = r["precommit"] / r["python_pass"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    extrapolated = " (extrapolated)" if r["fixit_extrapolated"] else ""
    return [
        ("full check vs git grep", f"{check_ratio:.1f}x ({r['v4_check']:.2f} s vs {r['git_grep']:.3f} s)",
         f"<= {TARGETS['check_vs_grep']:.0f}x", verdict(check_ratio <= TARGETS["check_vs_grep"])),
        ("speed-up over Fixit", f"{fixit_speedup:.1f}x ({r['fixit_full']:.1f} s{extrapolated} vs {r['v4_check']:.2f} s)",
         f">= {TARGETS['fixit_speedup']:.0f}x", verdict(fixit_speedup >= TARGETS["fixit_speedup"])),
        ("peak RSS (ru_maxrss, RUSAGE_CHILDREN)", f"{r['rss_mb']:.0f} MB (process tree, summed: {r['tree_rss_mb']:.0f} MB)",
         f"< {TARGETS['rss_mb']:.0f} MB", verdict(r["rss_mb"] < TARGETS["rss_mb"])),
        ("pre-commit path, 10 clean files", f"{pc_ratio:.1f}x ({1000 * r['precommit']:.0f} ms vs {1000 * r['python_pass']:.0f} ms)",
         f"<= {TARGETS['precommit_vs_python']:.0f}x python -c pass", verdict(pc_ratio <= TARGETS["precommit_vs_python"])),
        ("--fix throughput", f"{r['fix_mb_s_per_core']:.2f} MB/s per core ({r['fix_mb_per_cpu_s']:.2f} MB per CPU-second)",
         "(reported)", "-"),
    ] + _compare_rows(r) + growth.summary_rows(r) + fix_growth.rows(r.get("fix_growth", ())) + lsp_latency.rows(r.get("lsp"))


def _compare_rows(r: Dict) -> List[Tuple[str, str, str, str]]:
    if "compare_rev" not in r:
        return []
    cost = r["compare_new"] / r["compare_old"] - 1
    return [(f"full check vs {r['compare_rev']}", f"{cost:+.0%} ({r['compare_new']:.2f} s vs {r['compare_old']:.2f} s)",
             f"<= +{TARGETS['compare_cost']:.0%}", "PASS" if cost <= TARGETS["compare_cost"] else "MISS")]


def details(r: Dict) -> List[str]:
    lines = [
        f"tree: {r['files']} files ({r['python_files']} Python), {sum(r['bytes'].values()) / 1e6:.1f} MB; "
        f"{r['planted_files']} files with retired ids, {r['decoy_files']} decoys that mention DeepSeek",
        f"v4-migrate check: median {r['v4_check']:.3f} s of {[round(t, 3) for t in r['v4_check_runs']]}; "
        f"{r['findings']} findings in {r['files_scanned']} files checked; recall/precision problems: {r['check_problems'] or 'none'}",
        f"  --jobs 1: {r['v4_check_jobs1']:.3f} s; with the Python prefilter instead of git grep: {r['v4_check_pyprefilter']:.3f} s "
        f"(same findings: {r['pyprefilter_same']}); outside git (walk): {r['v4_check_nogit']:.3f} s (same findings: {r['nogit_same']})",
        f"git grep: median {r['git_grep']:.3f} s of {[round(t, 3) for t in r['git_grep_runs']]}; {r['git_grep_lines']} matching lines",
        f"fixit lint: {r['fixit_files']} Python files in {r['fixit_time']:.2f} s (startup {r['fixit_startup']:.2f} s, "
        f"{1000 * r['fixit_per_file']:.1f} ms per file); {'extrapolated' if r['fixit_extrapolated'] else 'measured'} to all "
        f"{r['python_files']}: {r['fixit_full']:.1f} s; the rule reported {r['fixit_reports']} of {r['fixit_expected']} planted literals",
        f"--fix: {r['fix_files']} files, {r['fix_mb']:.2f} MB, median {r['fix_time']:.2f} s on {r['cores']} cores; "
        f"{r['fix_fixed']} of {r['fix_sites']} planted sites fixed (plus thinking edits); DS001 left after: {r['fix_left_ds001']}; "
        f"errors: {r['fix_errors'] or 'none'}",
        *([f"--compare {r['compare_rev']}: this tree's check {[round(t, 3) for t in r['compare_new_runs']]}, "
           f"{r['compare_rev']}'s {[round(t, 3) for t in r['compare_old_runs']]} (both `python -m codemod` from their source, in turns)"]
          if "compare_rev" in r else []),
        f"pre-commit: `v4-migrate <10 clean files>` {1000 * r['precommit']:.1f} ms, `python -c pass` {1000 * r['python_pass']:.1f} ms "
        f"(output: {r['precommit_output']!r})",
        *fix_growth.details(r.get("fix_growth", ())),
        *lsp_latency.details(r.get("lsp")),
        f"load average (1, 5, 15 min) before: {r['load_before']}; after: {r['load_after']} ({r['cores']} cores; other "
        "processes on the machine slow the parallel parts most)",
    ]
    return lines


def render_text(r: Dict, rows) -> str:
    widths = [max(len(row[i]) for row in rows + [("what", "measured", "target", "result")]) for i in range(4)]
    out = ["  ".join(h.ljust(w) for h, w in zip(("what", "measured", "target", "result"), widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(details(r) + [""] + out)


def render_markdown(r: Dict, rows, n_files: int, args, fixit_limit: int) -> str:
    command = ("benchmarks/run.py" + (" --quick" if args.quick else "") + (f" --files {n_files}" if args.files else "")
               + (f" --compare {args.compare}" if args.compare else ""))
    lines = [
        "# v4-migrate benchmark results",
        "",
        f"Measured by `{command}` on {platform.system()} {platform.machine()}, {r['cores']} cores, "
        f"Python {platform.python_version()}, {_git_version()}; medians of {r['runs']} runs after one warm-up run.",
        "",
        "| what | measured | target | result |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "## Details", ""] + [f"- {line.strip()}" for line in details(r)]
    lines += [
        "",
        "## Method",
        "",
        f"- The tree: `benchmarks/generate.py`, seed {args.seed}: {n_files} files (75% Python, 10% YAML, 12% Markdown, "
        "3% .env) in a git repo; 0.5% of the files hold retired ids (assignments, `model=` keyword arguments, comparisons, "
        "comments, dict values, `os.getenv` defaults, YAML `model:` keys, .env values), another 0.5% mention DeepSeek "
        "without one. One service has its own `[tool.v4-migrate]` table.",
        "- Full check: `v4-migrate --format json --today 2026-11-28 .` at the root; floor: "
        "`git grep -n -E 'deepseek-(chat|reasoner|coder)|api\\.deepseek\\.com'`, run in turns with it.",
        f"- Fixit: `fixit lint` with `benchmarks/fixit_rule/legacy_deepseek.py` (flags every string literal equal to a "
        f"retired id; Fixit's built-in rules disabled) on a deterministic subset of {fixit_limit or 'all'} Python files "
        "(every k-th file plus the planted ones); the time per file above one file's run is extrapolated to every Python "
        "file. Fixit and v4-migrate both use every core.",
        "- Peak RSS: `ru_maxrss` of `RUSAGE_CHILDREN` in a fresh Python process that runs the full check (the largest "
        "single process: the parent or one worker); the summed RSS of the whole process tree is sampled every 5 ms.",
        "- `--fix`: a fresh copy of a tree whose Python files all hold retired ids in value positions (untracked files in "
        "a new git repo); MB/s per "
        "core = MB of Python / wall time / cores; MB per CPU-second from `RUSAGE_CHILDREN`.",
        "- Pre-commit: `v4-migrate f1.py ... f10.py` on 10 clean Python files of the tree (a root pyproject.toml and a "
        "service pyproject.toml above them) vs `python -c pass`, both with the venv's interpreter, in turns.",
        "- Growth (`benchmarks/growth.py`): the time of one input at size n and at 4n, best of several runs; "
        f"linear work grows 4x, quadratic 16x, and a case passes at <= {growth.MAX_RATIO:.0f}x. `redact_line` is timed "
        "in process; the full check of one file as a subprocess, minus the same check of a size-1 file.",
        "- Fix growth: `benchmarks/fix_growth.py`'s cases, `python -m codemod` from this checkout on one generated file at "
        "sizes 1, n and 4n, in turns; the ratio of the CPU seconds above size 1 (linear: 4x, quadratic: 16x).",
        "- The project's `codemod/` is byte-compiled first, as an installed wheel would be; the measured commands run "
        "with bytecode writing on (no PYTHONDONTWRITEBYTECODE), so the warm-up run leaves the cache of dataclass methods "
        "(`codemod/_bytecode_cache.py`) that every later run on a user's machine has.",
    ]
    return "\n".join(lines) + "\n"


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def _git_version() -> str:
    try:
        return subprocess.run(["git", "--version"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "git (unknown version)"


if __name__ == "__main__":
    sys.exit(main())
