"""Issue 15's measurements, for benchmarks/run.py: speed when many files hold ids, and bounded
memory on one big module, each as the issue's "Done when" states it.

* The full check at 0.5%, 5% and 20% of files holding an id (trees of benchmarks/generate.py
  that differ only in which files are planted), in turns with `git grep` on the same tree.
* `--fix` at 5%, as a ratio to the check of the same tree; each `--fix` run on a fresh clone.
* Peak RSS and time of the check of one generated module (3 MB; 0.3 MB with --quick): its ids
  at top level, and the same text inside one class body.
* Start-up: the pre-commit path on 10 dirty files (8 Python, 2 YAML, all holding ids) and on 10
  clean ones, and `v4-migrate --version`, in turns with `python -c pass`.

Each is measured with the installed package and its caches, and with PYTHONDONTWRITEBYTECODE=1
(see ``bytecode_installs``); start-up also from source with no .pyc at all.
"""

from __future__ import annotations

import compileall
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import generate
from measure import GIT_GREP, PYTHON, TODAY, V4, Command, check_findings, clean_env, in_turns, peak_rss_mb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

DENSITIES = (0.05, 0.20)  # beside run.py's 0.5% tree
FIX_DENSITY = 0.05
CHECK_TARGETS = {0.005: "check_vs_grep", 0.05: "check_vs_grep_5pct", 0.20: "check_vs_grep_20pct"}  # keys of run.py's TARGETS
BIG_MODULE_MB, BIG_MODULE_MB_QUICK = 3.0, 0.3
DIRTY_FILES = (("py", 8), ("yaml", 2))
CLEAN_FILES = 10


# -- the ways the code runs ------------------------------------------------------------------------


class Install(NamedTuple):
    key: str
    prefix: Tuple[str, ...]
    env: Dict[str, str]

    def argv(self, *args: str) -> List[str]:
        return [*self.prefix, *args]


INSTALL_KEYS = ("cached", "dont_write", "no_pyc")
INSTALL_LABELS = {"cached": "", "dont_write": ", PYTHONDONTWRITEBYTECODE=1", "no_pyc": ", no .pyc (PYTHONDONTWRITEBYTECODE=1)"}


def bytecode_installs(work: Path) -> Dict[str, Install]:
    """The installed `v4-migrate` with its caches (the .pyc files and the dataclass-method cache
    that the warm-up run leaves); the same under PYTHONDONTWRITEBYTECODE=1, as a Docker image
    that sets it has it: the modules' .pyc written at install time and no cache written at run
    time (`python -m codemod` from a compiled copy of codemod/ and rules/); and from source with
    no .pyc at all (a copy without __pycache__, the variable set)."""
    dont_write = {"PYTHONDONTWRITEBYTECODE": "1"}
    return {
        "cached": Install("cached", (V4,), clean_env()),
        "dont_write": Install("dont_write", (PYTHON, "-m", "codemod"),
                              clean_env(PYTHONPATH=str(_source_copy(work / "source-compiled", compiled=True)), **dont_write)),
        "no_pyc": Install("no_pyc", (PYTHON, "-m", "codemod"),
                          clean_env(PYTHONPATH=str(_source_copy(work / "source-no-pyc", compiled=False)), **dont_write)),
    }


def _source_copy(folder: Path, compiled: bool) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    for part in ("codemod", "rules"):
        shutil.copytree(REPO / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if compiled and not compileall.compile_dir(str(folder / "codemod"), quiet=1):
        raise SystemExit(f"could not byte-compile {folder / 'codemod'}")
    return folder


def bytecode_files(install: Install) -> int:
    """How many .pyc and cache files a source copy holds (0 for the no-.pyc copy after its runs)."""
    root = install.env.get("PYTHONPATH")
    return sum(1 for _ in Path(root).rglob("__pycache__/*")) if root else 0


# -- the full check (and --fix) against git grep -----------------------------------------------------


def check_tree(tree: Path, manifest: dict, runs: int, installs: Dict[str, Install], fix_clone: Optional[Path] = None
               ) -> Tuple[Dict[str, object], dict]:
    """The check with each install and `git grep`, in turns; with ``fix_clone``, also `--fix`
    with each install on a fresh clone of the tree there. (The row, the cached check's report.)"""
    check = ("--format", "json", "--today", TODAY, ".")
    commands = [Command(installs[key].argv(*check), tree, installs[key].env) for key in ("cached", "dont_write")]
    commands.append(Command(GIT_GREP, tree))
    if fix_clone is not None:
        fresh = _fresh_clone(tree, fix_clone)
        commands += [Command(installs[key].argv("--fix", *check), fix_clone, installs[key].env, prepare=fresh)
                     for key in ("cached", "dont_write")]
    timings = in_turns(commands, runs)
    report = json.loads(timings[0].last.stdout)
    row: Dict[str, object] = {
        "share": manifest.get("planted_share", generate.PLANTED_SHARE),
        "planted": sum(1 for info in manifest["interesting"].values() if info["planted"]),
        "check": timings[0].median, "check_runs": timings[0].runs,
        "check_dw": timings[1].median, "check_dw_runs": timings[1].runs,
        "grep": timings[2].median, "grep_runs": timings[2].runs, "grep_lines": timings[2].last.stdout.count(b"\n"),
        "findings": report["summary"]["findings"], "files_scanned": report["summary"]["files_scanned"],
        "problems": check_findings(report, manifest),
        "same_dw": json.loads(timings[1].last.stdout)["findings"] == report["findings"],
    }
    if fix_clone is not None:
        fixed = json.loads(timings[3].last.stdout)
        row.update(fix=timings[3].median, fix_runs=timings[3].runs, fix_dw=timings[4].median, fix_dw_runs=timings[4].runs,
                   fixed=fixed["summary"]["fixed"], files_changed=fixed["summary"]["files_changed"],
                   fix_errors=fixed["errors"][:3])
        shutil.rmtree(fix_clone, ignore_errors=True)
    return row, report


def _fresh_clone(pristine: Path, target: Path):
    """A clone of the committed tree: the files tracked as in the pristine tree, so discovery and
    the `git grep` prefilter work as they do for the check."""
    def prepare() -> None:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", str(pristine), str(target)], check=True)
    return prepare


# -- one big module ---------------------------------------------------------------------------------


def big_modules(work: Path, target_bytes: int, seed: int, runs: int, installs: Dict[str, Install]) -> List[Dict[str, object]]:
    """Peak RSS (one run, which is also the warm-up) and median time of ``runs`` more of the
    check of each big module, with the cached install and under PYTHONDONTWRITEBYTECODE; with
    ``runs`` 0, the time of the peak-RSS run (its sampling of /proc included)."""
    tree, manifest = generate.generate_big_modules(work, target_bytes, seed)
    reports = work / "big-module-reports"
    reports.mkdir(exist_ok=True)
    entries = []
    for name, in_class in generate.BIG_MODULE_FILES.items():
        entry: Dict[str, object] = {"file": name, "in_class": in_class, **manifest["files"][name]}
        commands = []
        for key in ("cached", "dont_write"):
            report = reports / f"{Path(name).stem}-{key}.json"
            argv = installs[key].argv("--format", "json", "--today", TODAY, "--output", str(report), name)
            start = time.perf_counter()
            rss, tree_rss = peak_rss_mb(argv, tree, installs[key].env)
            entry[key] = {"rss": rss, "tree_rss": tree_rss, "time": time.perf_counter() - start, "runs": [], "report": report}
            commands.append(Command(argv, tree, installs[key].env))
        if runs:
            for key, timing in zip(("cached", "dont_write"), in_turns(commands, runs, warmup=False)):
                entry[key].update(time=timing.median, runs=timing.runs)
        for key in ("cached", "dont_write"):
            found = json.loads(entry[key].pop("report").read_text())
            entry[key].update(findings=found["summary"]["findings"], errors=found["errors"][:2])
        entries.append(entry)
    return entries


# -- start-up ---------------------------------------------------------------------------------------


def planted_files(manifest: dict) -> List[str]:
    """``DIRTY_FILES`` planted files of each kind, spread over the sorted list; none from the
    service whose configuration ignores comments."""
    chosen = []
    for kind, count in DIRTY_FILES:
        files = sorted(rel for rel, info in manifest["interesting"].items()
                       if info["planted"] and info["kind"] == kind and not rel.startswith(manifest["configured_service"] + "/"))
        chosen += [files[i * len(files) // count] for i in range(min(count, len(files)))]
    return chosen


def clean_files(tree: Path, manifest: dict) -> List[str]:
    """``CLEAN_FILES`` Python files without a mention of DeepSeek, spread over the sorted list."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=tree, stdout=subprocess.PIPE, check=True).stdout.decode().split()
    files = sorted(rel for rel in listed if rel not in manifest["interesting"])
    return [files[i * len(files) // CLEAN_FILES] for i in range(CLEAN_FILES)]


STARTUP_CASES = ("clean", "dirty", "version")


def startup(tree: Path, manifest: dict, runs: int, installs: Dict[str, Install]) -> Dict[str, object]:
    """The pre-commit path on 10 clean and on 10 dirty files of ``tree`` and `--version`, with
    every install, and `python -c pass`: all in turns."""
    files = {"clean": clean_files(tree, manifest), "dirty": planted_files(manifest), "version": ["--version"]}
    keys = [(case, key) for case in STARTUP_CASES for key in INSTALL_KEYS]
    commands = [Command(installs[key].argv(*files[case]), tree, installs[key].env, ok_codes=(0,) if case != "dirty" else (0, 1))
                for case, key in keys]
    timings = in_turns(commands + [Command([PYTHON, "-c", "pass"], tree, ok_codes=(0,))], runs)
    cases = {f"{case}/{key}": {"time": t.median, "runs": t.runs, "output": _last_line(t.last.stdout)}
             for (case, key), t in zip(keys, timings)}
    return {"startup": cases, "python_pass": timings[-1].median, "startup_files": files,
            "no_pyc_files_after": bytecode_files(installs["no_pyc"])}


def _last_line(output: bytes) -> str:
    lines = output.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


# -- everything of this module ------------------------------------------------------------------------


def measure(work: Path, n_files: int, seed: int, runs: int, quick: bool, installs: Dict[str, Install],
            big_mb: Optional[float] = None, big_runs: int = 1, log=print) -> Dict[str, object]:
    """The denser trees (``DENSITIES``; `--fix` at ``FIX_DENSITY``), the big modules and
    start-up. The 0.5% tree is run.py's first part (``check_tree``)."""
    results: Dict[str, object] = {"densities": []}
    trees = {}
    for share in DENSITIES:
        log(f"generating the {n_files}-file tree with {share:.0%} of files holding ids (reused when present) ...")
        trees[share] = generate.generate_tree(work, n_files, seed, share)
    for share, (tree, manifest) in trees.items():
        fix = " and --fix on fresh clones" if share == FIX_DENSITY else ""
        log(f"{share:.0%} of files hold ids: the check (cached, PYTHONDONTWRITEBYTECODE=1){fix} and git grep, in turns ({runs} runs) ...")
        row, _ = check_tree(tree, manifest, runs, installs, work / "fix-clone" if share == FIX_DENSITY else None)
        results["densities"].append(row)
    mb = big_mb or (BIG_MODULE_MB_QUICK if quick else BIG_MODULE_MB)
    log(f"one {mb:g} MB module, ids at top level and in one class body: peak RSS and time ({big_runs} run(s)) ...")
    results["big_modules"] = big_modules(work, int(mb * 1e6), seed, big_runs, installs)
    pc_runs = max(9, runs * 3)
    log(f"start-up: 10 clean files, 10 dirty files, --version (each install) and python -c pass, in turns ({pc_runs} runs) ...")
    results.update(startup(trees[FIX_DENSITY][0], trees[FIX_DENSITY][1], pc_runs, installs))
    return results


# -- rows and details ---------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _share(d: Dict) -> str:
    return f"{100 * d['share']:g}% of files hold ids ({d['planted']})"


def check_rows(r: Dict, targets: Dict[str, float]) -> List[Tuple[str, str, str, str]]:
    """The full check at each density, as a ratio to git grep on the same tree."""
    rows = []
    for d in sorted(r.get("densities", ()), key=lambda d: d["share"]):
        target = targets[CHECK_TARGETS[d["share"]]]
        for key, label in (("check", ""), ("check_dw", INSTALL_LABELS["dont_write"])):
            ratio = d[key] / d["grep"]
            rows.append((f"full check vs git grep, {_share(d)}{label}", f"{ratio:.1f}x ({d[key]:.2f} s vs {d['grep']:.3f} s)",
                         f"<= {target:g}x", _verdict(ratio <= target)))
    return rows


def rows(r: Dict, targets: Dict[str, float]) -> List[Tuple[str, str, str, str]]:
    """--fix against the check, the big modules and start-up."""
    return _fix_rows(r, targets) + _big_rows(r, targets) + _startup_rows(r, targets)


def _fix_rows(r: Dict, targets: Dict[str, float]) -> List[Tuple[str, str, str, str]]:
    out = []
    for d in (d for d in r.get("densities", ()) if "fix" in d):
        for fix, check, label in (("fix", "check", ""), ("fix_dw", "check_dw", INSTALL_LABELS["dont_write"])):
            ratio = d[fix] / d[check]
            out.append((f"--fix vs the check, {_share(d)}{label}",
                        f"{ratio:.2f}x ({d[fix]:.2f} s vs {d[check]:.2f} s; {d[fix] / d['grep']:.1f}x git grep)",
                        f"<= {targets['fix_vs_check']:g}x the check", _verdict(ratio <= targets["fix_vs_check"])))
    return out


def _big_rows(r: Dict, targets: Dict[str, float]) -> List[Tuple[str, str, str, str]]:
    out = []
    for e in r.get("big_modules", ()):
        where = "inside one class body" if e["in_class"] else "ids at top level"
        for key in ("cached", "dont_write"):
            m = e[key]
            peak = max(m["rss"], m["tree_rss"])
            out.append((f"peak RSS, check of one {e['bytes'] / 1e6:.2g} MB module, {where}{INSTALL_LABELS[key]}",
                        f"{peak:.0f} MB (process tree {m['tree_rss']:.0f} MB, largest process {m['rss']:.0f} MB); {m['time']:.1f} s",
                        f"<= {targets['big_module_rss_mb']:.0f} MB", _verdict(peak <= targets["big_module_rss_mb"])))
    return out


STARTUP_WHAT = {"clean": "pre-commit path, 10 clean files", "dirty": "pre-commit path, 10 dirty files",
                "version": "start-up, v4-migrate --version"}


def _startup_rows(r: Dict, targets: Dict[str, float]) -> List[Tuple[str, str, str, str]]:
    """Verdicts where the issues set a target (clean files cached, dirty files with and without
    PYTHONDONTWRITEBYTECODE); the other ways are reported."""
    target_keys = {"clean/cached": "precommit_vs_python", "dirty/cached": "precommit_dirty_vs_python",
                   "dirty/dont_write": "precommit_dirty_vs_python"}
    out = []
    for case in STARTUP_CASES:
        for key in INSTALL_KEYS:
            name = f"{case}/{key}"
            if name not in r.get("startup", {}):
                continue
            t = r["startup"][name]["time"]
            ratio = t / r["python_pass"]
            measured = f"{ratio:.1f}x ({1000 * t:.0f} ms vs {1000 * r['python_pass']:.0f} ms)"
            target = targets.get(target_keys.get(name, ""))
            out.append((f"{STARTUP_WHAT[case]}{INSTALL_LABELS[key]}", measured,
                        f"<= {target:g}x python -c pass" if target else "(reported)", _verdict(ratio <= target) if target else "-"))
    return out


def details(r: Dict) -> List[str]:
    lines = []
    for d in sorted(r.get("densities", ()), key=lambda d: d["share"]):
        lines.append(f"{_share(d)}: check {_runs(d['check_runs'])}, with PYTHONDONTWRITEBYTECODE=1 {_runs(d['check_dw_runs'])} "
                     f"(same findings: {d['same_dw']}), git grep {_runs(d['grep_runs'])} ({d['grep_lines']} lines); "
                     f"{d['findings']} findings in {d['files_scanned']} files checked; recall/precision problems: {d['problems'] or 'none'}")
        if "fix" in d:
            lines.append(f"  --fix on fresh clones {_runs(d['fix_runs'])}, with PYTHONDONTWRITEBYTECODE=1 {_runs(d['fix_dw_runs'])}; "
                         f"{d['fixed']} fixes in {d['files_changed']} files; errors: {d['fix_errors'] or 'none'}")
    for e in r.get("big_modules", ()):
        lines.append(f"big module {e['file']}: {e['bytes'] / 1e6:.2f} MB, {e['sites']} retired ids; " + "; ".join(
            f"{key}: {e[key]['findings']} findings, {_runs(e[key]['runs']) if e[key]['runs'] else 'timed in the peak-RSS run'}, "
            f"errors: {e[key]['errors'] or 'none'}" for key in ("cached", "dont_write")))
    if "startup" in r:
        files = r["startup_files"]
        lines.append(f"start-up: python -c pass {1000 * r['python_pass']:.1f} ms; 10 clean files ({files['clean'][0]}, ...), "
                     f"10 dirty files ({files['dirty'][0]}, ...); .pyc or cache files in the no-.pyc copy after its runs: "
                     f"{r['no_pyc_files_after']}")
        for case in STARTUP_CASES:
            lines.append(f"  {STARTUP_WHAT[case]}: " + "; ".join(
                f"{key} {1000 * c['time']:.1f} ms" for key, c in ((k, r["startup"][f"{case}/{k}"]) for k in INSTALL_KEYS))
                + f" (output: {r['startup'][case + '/cached']['output']!r})")
    return lines


def _runs(times: Sequence[float]) -> str:
    return str([round(t, 3) for t in times])
