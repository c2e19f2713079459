"""`v4-migrate server`: the time from a didChange to its publishDiagnostics, on a 2,000-line file.

    python benchmarks/lsp_latency.py [--runs 30] [--lines 2000]

The server runs as an editor runs it (a subprocess on stdio, tests/lsp_client.py's JSON-RPC
client) with the debounce off (`debounceMs: 0`), so what is measured is the server's own work
on each change: an editor adds its debounce (200 ms by default) on top. Three files: Python
with retired ids throughout (every change is parsed), the same without ids (the byte prefilter
rules each change out), and JavaScript with ids. Each change edits one line, as typing does."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

LINES = 2000
TODAY = "2026-11-28"


def python_file(lines: int, with_ids: bool) -> str:
    """A module of ``lines`` lines: small functions, one in ten calling DeepSeek with an id (or, without
    ids, nothing DeepSeek at all)."""
    url = "https://api.deepseek.com" if with_ids else "https://llm.example.com/v1"  # the host is a prefilter term too
    out = ["import openai", "", f'client = openai.OpenAI(base_url="{url}")', ""]
    index = 0
    while len(out) < lines:
        model = '"deepseek-chat"' if with_ids and index % 10 == 0 else '"gpt-4o"'
        out += [f"def handler_{index}(messages):", f"    total = {index} * 2  # some work",
                f"    return client.chat.completions.create(model={model}, messages=messages)", ""]
        index += 1
    return "\n".join(out[:lines]) + "\n"


def javascript_file(lines: int) -> str:
    out = ['import OpenAI from "openai";', 'const client = new OpenAI({ baseURL: "https://api.deepseek.com" });', ""]
    index = 0
    while len(out) < lines:
        model = '"deepseek-reasoner"' if index % 10 == 0 else '"gpt-4o"'
        out += [f"export async function handler{index}(messages) {{", f"  const total = {index} * 2; // some work",
                f"  return client.chat.completions.create({{ model: {model}, messages }});", "}", ""]
        index += 1
    return "\n".join(out[:lines]) + "\n"


def measure_file(client, path: Path, text: str, language: str, runs: int) -> Tuple[List[float], int]:
    """Latencies (s) of ``runs`` changes to the middle line, and the diagnostics of the last one."""
    first = client.open(path, text, language)
    lines = text.split("\n")
    middle = len(lines) // 2
    times: List[float] = []
    published = first
    for run in range(runs + 1):  # the first change is a warm-up
        lines[middle] = f"{'#' if language == 'python' else '//'} edit {run}"
        changed = "\n".join(lines)
        start = time.perf_counter()
        published = client.change(path, changed, run + 2)
        if run:
            times.append(time.perf_counter() - start)
    return times, len(published["diagnostics"])


def measure(runs: int = 30, lines: int = LINES, work: Optional[Path] = None) -> Dict[str, object]:
    try:
        import pygls  # noqa: F401
    except ImportError:
        return {"skipped": "the lsp extra (pygls, lsprotocol) is not installed in this Python"}
    from lsp_client import LspClient

    with tempfile.TemporaryDirectory(dir=work) as folder:
        root = Path(folder)
        env = dict(os.environ, V4_MIGRATE_TODAY=TODAY,
                   PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
        client = LspClient(root, env, [sys.executable, "-m", "codemod", "server"])
        try:
            client.initialize(root, options={"debounceMs": 0})
            results: Dict[str, object] = {"lines": lines, "runs": runs}
            cases = (("python", "app.py", python_file(lines, True)), ("python_clean", "clean.py", python_file(lines, False)),
                     ("javascript", "app.js", javascript_file(lines)))
            for name, file_name, text in cases:
                language = "javascript" if file_name.endswith(".js") else "python"
                times, count = measure_file(client, root / file_name, text, language, runs)
                results[name] = {"median": statistics.median(times), "p90": sorted(times)[int(0.9 * (len(times) - 1))],
                                 "max": max(times), "diagnostics": count}
            results["counts"] = client.debug_information()["counts"]
            client.shutdown_and_exit()
        finally:
            client.close()
    return results


def rows(r: Optional[Dict]) -> List[Tuple[str, str, str, str]]:
    """(what, measured, target, verdict) rows for benchmarks/run.py's table."""
    if not r:
        return []
    if "skipped" in r:
        return [("LSP didChange -> diagnostics", f"not measured: {r['skipped']}", "(reported)", "-")]
    return [(f"LSP didChange -> diagnostics, {r['lines']} lines, {label}",
             f"{1000 * r[key]['median']:.0f} ms median, {1000 * r[key]['p90']:.0f} ms p90", "(reported)", "-")
            for key, label in (("python", "Python with ids"), ("python_clean", "Python without ids"), ("javascript", "JavaScript with ids"))]


def details(r: Optional[Dict]) -> List[str]:
    if not r or "skipped" in r:
        return []
    return [f"LSP ({r['runs']} changes each, debounce off): " + "; ".join(
        f"{key} max {1000 * r[key]['max']:.0f} ms, {r[key]['diagnostics']} diagnostics" for key in ("python", "python_clean", "javascript"))
        + f"; server counts {r['counts']}"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--lines", type=int, default=LINES)
    args = parser.parse_args(argv)
    results = measure(args.runs, args.lines)
    for what, measured, _, _ in rows(results):
        print(f"{what}: {measured}")
    for line in details(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
