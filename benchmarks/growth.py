"""Growth cases: how the time of one input grows with its size, measured at n and at 4n.

    /work/venv/bin/python benchmarks/growth.py           # every case (about a minute)
    /work/venv/bin/python benchmarks/growth.py --quick   # smaller sizes

Linear work takes 4x as long on 4x the input, quadratic work 16x: a case passes when the
ratio stays at or below ``MAX_RATIO`` (8x, halfway between the two on a log scale). Ratios, not times, so that a loaded machine does not
decide the verdict (each time is the best of a few runs). ``benchmarks/run.py`` runs them too
and lists them in RESULTS.md.

Cases (issue 17, item 12: masking a snippet was quadratic in the line's length, and a list of
ids on one line quadratic in the ids):

* ``codemod.redact.redact_line`` on lines of one character repeated, a secret word repeated,
  one long quoted value, many ``key=value`` pairs and an unclosed quote (in this process);
* the full check (``v4-migrate FILE``, a subprocess; the time of the same kind of file at
  size 1 is subtracted, so start-up does not flatten the ratio) of a one-line JSON file with
  one id and a long value, a Python line with many ids in a list, and a one-line JSON file
  with many ids (1.3 MB at 4,000 ids); and ``--diff --unsafe-fixes`` of that last one, which
  masks the diff and also plans every fix (the applier's growth in edits is issue 17, item 13).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MAX_RATIO = 8.0  # 4 for linear growth, 16 for quadratic: the verdict splits them halfway (log scale)
# Seconds at n below which a ratio is noise: a timer in this process is precise, a process's
# start varies by tens of milliseconds on a shared machine.
MIN_TIME_IN_PROCESS = 0.001
MIN_TIME_CLI = 0.04
TODAY = "2026-11-28"


def _best(run: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


# -- in this process: redact_line ------------------------------------------------------------------

REDACT_SHAPES: Dict[str, Callable[[int], str]] = {
    "one character": lambda n: "a" * n,
    "a secret word repeated": lambda n: "key" * (n // 3),
    "one long quoted value": lambda n: 'x = "' + "y" * n + '"',
    "many key=value pairs": lambda n: "token=abcdefghij " * (n // 17),
    "an unclosed quote after each key": lambda n: 'token: "' * (n // 8),
    "JWT starts in one run": lambda n: "eyJ" + "aaaaaaaa-eyJ" * (n // 12),
    "private key headers without an end": lambda n: "-----BEGIN RSA PRIVATE KEY-----" * (n // 31),
    "reads of a key's variable with unclosed defaults": lambda n: "api_key=os.getenv('API_KEY', '" * (n // 31),
    "fallbacks after a key's value, calls left open": lambda n: "token=os.getenv('T') if x else f( " * (n // 34),
}


def redact_case(shape: str, n: int, repeat: int) -> float:
    sys.path.insert(0, str(REPO))
    from codemod import redact

    line = REDACT_SHAPES[shape](n)

    def run() -> None:
        redact._masked_line.cache_clear()  # a line is masked once per run, not served from the cache
        redact.snippet(line, n // 2)

    return _best(run, repeat)


# -- the full check of one file ------------------------------------------------------------------

def _one_id_long_value(n: int) -> Tuple[str, str]:
    return "one.json", json.dumps({"model": "deepseek-chat", "note": "x" * n})


def _python_list_of_ids(n: int) -> Tuple[str, str]:
    return "ids.py", "MODELS = [" + ", ".join(['"deepseek-chat"'] * n) + "]\n"


def _json_many_ids(n: int) -> Tuple[str, str]:
    return "many.json", json.dumps({f"entry{i}": {"model": "deepseek-chat", "note": "n" * 300} for i in range(n)})


# name -> (file maker, flags, n, n with --quick): sizes whose time at n is well above the
# jitter of starting a process (the issue reported 2,000 ids in a list and 250 ids in 385 KB)
CLI_CASES: Dict[str, Tuple[Callable[[int], Tuple[str, str]], List[str], int, int]] = {
    "check: one-line JSON, one id, a long value (chars)": (_one_id_long_value, [], 800000, 200000),  # 4n < 4 MiB
    "check: a Python list of ids on one line (ids)": (_python_list_of_ids, [], 500, 250),
    "check: one-line JSON with many ids (ids)": (_json_many_ids, [], 1000, 400),
    # the fixes are planned too: the growth of the applier in edits (issue 17, item 13) shows here
    "--diff --unsafe-fixes: one-line JSON with many ids (ids)": (_json_many_ids, ["--diff", "--unsafe-fixes"], 1000, 400),
}


def _v4(args: List[str], cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("V4_MIGRATE_TODAY", "NO_COLOR", "CI")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, "-m", "codemod", "--today", TODAY, *args], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"v4-migrate {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")


def cli_case(case: str, n: int, repeat: int, work: Path) -> float:
    make, flags = CLI_CASES[case][:2]
    folder = Path(tempfile.mkdtemp(dir=work))
    name, text = make(n)
    (folder / name).write_text(text, encoding="utf-8")
    tiny = folder / "tiny"
    tiny.mkdir()
    (tiny / name).write_text(make(1)[1], encoding="utf-8")  # the same scanners, next to no work
    _v4(flags + [name], folder)  # warm-up: page cache, .pyc
    start_up = _best(lambda: _v4(flags + [f"tiny/{name}"], folder), repeat)
    return max(_best(lambda: _v4(flags + [name], folder), repeat) - start_up, 0.0)


# -- all of them ---------------------------------------------------------------------------------


def measure(quick: bool = False) -> Dict[str, object]:
    """``{"growth": [{"case", "n", "t_n", "t_4n", "min_time"}, ...]}``."""
    repeat = 3 if quick else 5
    rows: List[Dict[str, object]] = []
    redact_n = 100000 if quick else 250000
    for shape in REDACT_SHAPES:
        t_n, t_4n = redact_case(shape, redact_n, repeat), redact_case(shape, 4 * redact_n, repeat)
        rows.append({"case": f"redact_line: {shape} (chars)", "n": redact_n, "t_n": t_n, "t_4n": t_4n,
                     "min_time": MIN_TIME_IN_PROCESS})
    with tempfile.TemporaryDirectory() as tmp:
        for case, (_, _, full, small) in CLI_CASES.items():
            n = small if quick else full
            t_n, t_4n = cli_case(case, n, repeat, Path(tmp)), cli_case(case, 4 * n, repeat, Path(tmp))
            rows.append({"case": case, "n": n, "t_n": t_n, "t_4n": t_4n, "min_time": MIN_TIME_CLI})
    return {"growth": rows}


def summary_rows(results: Dict[str, object]) -> List[Tuple[str, str, str, str]]:
    """(what, measured, target, PASS/MISS) rows, as benchmarks/run.py prints them; a time at n
    below the case's ``min_time`` is too close to the noise for a ratio (``-``)."""
    rows = []
    for row in results.get("growth", []):
        times = f"{row['t_n']:.3f} s -> {row['t_4n']:.3f} s"
        if row["t_n"] < row["min_time"]:
            rows.append((f"growth, {row['case']}", f"n={row['n']} too fast to tell ({times})", f"<= {MAX_RATIO:.0f}x", "-"))
            continue
        ratio = row["t_4n"] / row["t_n"]
        rows.append((f"growth, {row['case']}", f"{ratio:.1f}x from n={row['n']} to 4n ({times})",
                     f"<= {MAX_RATIO:.0f}x (linear: 4x)", "PASS" if ratio <= MAX_RATIO else "MISS"))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, three runs each")
    args = parser.parse_args(argv)
    rows = summary_rows(measure(args.quick))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    return 1 if any(row[3] == "MISS" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
