"""Growth cases: how the cost of one run grows when its input grows 4x. Linear work takes about
4x as long, quadratic work about 16x; a case passes at 6x or less. The cost is counted above
that of the same run on an input of size 1 (start-up, imports), which would hide the growth.

    /work/venv/bin/python benchmarks/fix_growth.py        # n = 2,500 and 10,000, 3 runs each
    /work/venv/bin/python benchmarks/fix_growth.py --quick  # n = 1,000 and 4,000, 1 run each

benchmarks/run.py runs the same cases and adds them to its table. Each run is `python -m codemod`
from this checkout on a fresh copy of one generated file; the cost is the run's CPU seconds
(user + system, RUSAGE_CHILDREN), less disturbed than wall time by other processes on a shared
machine. The runs at n and at 4n are made in turns, so both meet the same load.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
TODAY = "2026-11-28"
FACTOR = 4
MAX_RATIO = 6.0  # linear: 4x; quadratic: 16x


class Case(NamedTuple):
    key: str
    what: str  # the table's first column, with {n} and {m} for the two sizes
    options: Tuple[str, ...]
    write: Callable[[Path, int], None]  # writes the input file for n


def _constants(path: Path, n: int) -> None:
    """n module-level constants bound to a retired id: n findings, n edits and one `import os`."""
    path.write_text("".join(f'MODEL_{i} = "deepseek-chat"\n' for i in range(n)), encoding="utf-8")


def _members(path: Path, n: int) -> None:
    """A list of n retired ids and a dict keyed by n of them: the unsafe fix adds the successor
    beside the first of each, after looking at every other member."""
    members = "".join('    "deepseek-chat",\n    "deepseek-reasoner",\n' for _ in range(n // 2))
    keys = "".join(f'    "deepseek-chat": {i},\n' for i in range(n))
    path.write_text(f"MODELS = [\n{members}]\nPRICES = {{\n{keys}}}\n", encoding="utf-8")


CASES = (
    Case("fix_constants", "--fix, one file with {n} / {m} retired ids", ("--fix",), _constants),
    Case("fix_members", "--fix --unsafe-fixes, a list and a dict of {n} / {m} ids", ("--fix", "--unsafe-fixes"), _members),
)


def cpu_seconds(command: Sequence[str], cwd: Path, env: Dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"growth command failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr.decode()[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(case: Case, n: int, runs: int, work: Path, env: Dict[str, str]) -> Dict[str, object]:
    """Median CPU seconds of the case at 1, n and FACTOR * n (after one untimed run of each)."""
    sizes = (1, n, FACTOR * n)
    scratch = Path(tempfile.mkdtemp(prefix=f"growth-{case.key}-", dir=work))
    try:
        pristine = {}
        for size in sizes:
            pristine[size] = scratch / f"pristine_{size}.py"
            case.write(pristine[size], size)
        times: Dict[int, List[float]] = {size: [] for size in sizes}
        for turn in range(runs + 1):
            for size in sizes:
                target = scratch / "target.py"
                shutil.copyfile(pristine[size], target)
                seconds = cpu_seconds([PYTHON, "-m", "codemod", *case.options, "-q", "--today", TODAY, target.name], scratch, env)
                if turn:
                    times[size].append(seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    base, small, large = (statistics.median(times[size]) for size in sizes)
    ratio = (large - base) / (small - base) if small > base else float("inf")
    return {"key": case.key, "what": case.what.format(n=sizes[1], m=sizes[2]), "base": base, "small": small, "large": large,
            "ratio": ratio, "runs": [times[size] for size in sizes]}


def measure_all(work: Path, runs: int, n: int, env: Dict[str, str]) -> List[Dict[str, object]]:
    return [measure(case, n, runs, work, env) for case in CASES]


def rows(results: Sequence[Dict[str, object]]) -> List[Tuple[str, str, str, str]]:
    """(what, measured, target, PASS/MISS) rows, as benchmarks/run.py prints them."""
    return [(r["what"], f"{r['ratio']:.1f}x ({r['small'] - r['base']:.2f} s vs {r['large'] - r['base']:.2f} s CPU above size 1)",
             f"<= {MAX_RATIO:.0f}x (linear: {FACTOR}x)", "PASS" if r["ratio"] <= MAX_RATIO else "MISS") for r in results]


def details(results: Sequence[Dict[str, object]]) -> List[str]:
    return [f"growth, {r['what']}: CPU seconds at size 1, n and 4n: "
            + ", ".join(str([round(t, 2) for t in runs]) for runs in r["runs"]) for r in results]


def source_env() -> Dict[str, str]:
    """This checkout's code (`python -m codemod` with it first on the path), bytecode cached."""
    import os

    dropped = ("V4_MIGRATE_TODAY", "NO_COLOR", "CI", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPATH"] = str(REPO)
    return env


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = 1,000, one timed run per size")
    parser.add_argument("--n", type=int, default=None, help="the smaller size [2500; 1000 with --quick]")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per size [3; 1 with --quick]")
    args = parser.parse_args(argv)
    n = args.n or (1000 if args.quick else 2500)
    runs = args.runs or (1 if args.quick else 3)
    work = HERE / ".work"
    work.mkdir(parents=True, exist_ok=True)
    results = measure_all(work, runs, n, source_env())
    for line in details(results):
        print(line)
    table = rows(results)
    width = max(len(row[0]) for row in table)
    for row in table:
        print(f"{row[0].ljust(width)}  {row[1]}  {row[2]}  {row[3]}")
    return 0 if all(row[3] == "PASS" for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
