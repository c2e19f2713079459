"""The benchmark scripts measure what they say (benchmarks/generate.py, measure.py, density.py):
the denser trees differ from the 0.5% tree only in which files are planted, and that tree is the
one generated (and cached) before; the big module is the same text at top level and in one class;
the dirty files hold ids and the clean ones do not; each way of running the code runs the copy it
names; commands run in turns; every target gets its verdict; and each module of the dense tree
that ran before --fix runs after it. (No timings here: speed belongs to benchmarks/run.py.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import density  # noqa: E402
import generate  # noqa: E402
import measure  # noqa: E402
import run  # noqa: E402

# `git rev-parse HEAD^{tree}` of generate_tree(root, 300, 1) as generated before the densities
# were added: cached trees stay valid only while this holds (else bump GENERATOR_VERSION)
TREE_300_S1 = "3bba1adba14cb11b0873b4dce2cf31f53af2abb2"


def _tree_hash(tree: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=tree, stdout=subprocess.PIPE, check=True, text=True).stdout.strip()


def _listed(tree: Path):
    return subprocess.run(["git", "ls-files"], cwd=tree, stdout=subprocess.PIPE, check=True, text=True).stdout.split()


def _planted(manifest: dict):
    return {rel for rel, info in manifest["interesting"].items() if info["planted"]}


def _decoys(manifest: dict):
    return {rel for rel, info in manifest["interesting"].items() if info["decoy"]}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    return {share: generate.generate_tree(root, 300, 1, share) for share in (generate.PLANTED_SHARE, 0.05, 0.20)}


def test_the_half_percent_tree_keeps_its_name_and_files(trees):
    tree, manifest = trees[generate.PLANTED_SHARE]
    assert tree.name == f"tree-300-s1-v{generate.GENERATOR_VERSION}"
    assert _tree_hash(tree) == TREE_300_S1
    assert len(_planted(manifest)) == 2  # 0.5% of 300, rounded


def test_denser_trees_have_the_same_files_and_decoys_and_more_planted(trees):
    base_tree, base = trees[generate.PLANTED_SHARE]
    for share in (0.05, 0.20):
        tree, manifest = trees[share]
        assert tree.name == f"tree-300-s1-p{100 * share:g}-v{generate.GENERATOR_VERSION}"
        assert _listed(tree) == _listed(base_tree)
        assert _decoys(manifest) == _decoys(base)
        assert _planted(base) <= _planted(manifest)
        assert len(_planted(manifest)) == round(300 * share)
    kinds = {info["kind"] for info in trees[0.20][1]["interesting"].values() if info["planted"]}
    assert {"py", "yaml", "env"} <= kinds and kinds & {"js", "ts"} and "md" not in kinds


def test_the_check_finds_every_planted_file_of_the_dense_tree(trees):
    tree, manifest = trees[0.20]
    proc = subprocess.run([sys.executable, "-m", "codemod", "--format", "json", "--today", measure.TODAY, "."], cwd=tree,
                          env=measure.clean_env(PYTHONPATH=str(REPO_ROOT)), stdout=subprocess.PIPE)
    assert proc.returncode == 1
    assert measure.check_findings(json.loads(proc.stdout), manifest) == []


def test_the_big_module_is_the_same_text_at_top_level_and_in_one_class():
    top, top_ids = generate.big_module(30000, 1, in_class=False)
    inside, inside_ids = generate.big_module(30000, 1, in_class=True)
    assert (top, top_ids) == generate.big_module(30000, 1, in_class=False)
    assert top_ids == inside_ids == top.count('"deepseek-') == inside.count('"deepseek-') > 10
    assert len(top.encode()) >= 30000
    assert len(ast.parse(top).body) > 50
    body = ast.parse(inside).body
    assert [type(node).__name__ for node in body] == ["Expr", "Import", "Import", "ClassDef"]
    class_source = inside.split(f"class {generate.BIG_MODULE_CLASS}:\n", 1)[1].split("\n", 1)[1]  # after its docstring
    assert textwrap.dedent(class_source).strip() == top.split("import logging\n", 1)[1].strip()


def test_big_modules_are_written_once_into_a_git_repo(tmp_path):
    tree, manifest = generate.generate_big_modules(tmp_path, 20000, 1)
    assert sorted(_listed(tree)) == sorted(generate.BIG_MODULE_FILES)
    for name, in_class in generate.BIG_MODULE_FILES.items():
        text, ids = generate.big_module(20000, 1, in_class)
        assert (tree / name).read_text() == text
        assert manifest["files"][name] == {"bytes": len(text.encode()), "sites": ids}
    assert generate.generate_big_modules(tmp_path, 20000, 1) == (tree, manifest)


def test_dirty_files_hold_ids_and_clean_files_do_not(trees):
    tree, manifest = trees[0.20]
    dirty = density.planted_files(manifest)
    assert [manifest["interesting"][rel]["kind"] for rel in dirty] == ["py"] * 8 + ["yaml"] * 2
    assert not any(rel.startswith(manifest["configured_service"] + "/") for rel in dirty)
    clean = density.clean_files(tree, manifest)
    assert len(set(clean)) == 10 and all(rel.endswith(".py") for rel in clean)
    assert all(b"deepseek" not in (tree / rel).read_bytes() for rel in clean)
    env = measure.clean_env(PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "codemod", "--today", measure.TODAY]
    found = subprocess.run(command + dirty, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    assert found.returncode == 1 and "in 10 file(s) of 10 checked" in found.stdout
    assert subprocess.run(command + clean, cwd=tree, env=env, stdout=subprocess.PIPE).returncode == 0


def test_each_install_runs_the_copy_it_names_and_no_pyc_stays_without_bytecode(tmp_path):
    installs = density.bytecode_installs(tmp_path)
    assert installs["cached"].prefix == (measure.V4,)
    for key, copy in (("dont_write", tmp_path / "source-compiled"), ("no_pyc", tmp_path / "source-no-pyc")):
        install = installs[key]
        assert install.env["PYTHONDONTWRITEBYTECODE"] == "1"
        where = subprocess.run([sys.executable, "-c", "import codemod; print(codemod.__file__)"], env=install.env,
                               cwd=tmp_path, stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        assert Path(where) == copy / "codemod" / "__init__.py"
        subprocess.run(install.argv("--version"), env=install.env, cwd=tmp_path, stdout=subprocess.PIPE, check=True)
    assert density.bytecode_files(installs["no_pyc"]) == 0
    compiled = list((tmp_path / "source-compiled" / "codemod").rglob("__pycache__/*.pyc"))
    assert compiled and not list((tmp_path / "source-compiled").rglob("*.marshal"))  # no cache written at run time


def test_commands_run_in_turns_each_after_its_preparation(tmp_path):
    log = tmp_path / "log"

    def step(letter: str):
        return [sys.executable, "-c", f"open({str(log)!r}, 'a').write({letter!r})"]

    def prepare():
        with open(log, "a") as fh:
            fh.write("-")

    timings = measure.in_turns([measure.Command(step("a"), tmp_path), measure.Command(step("b"), tmp_path, prepare=prepare)], 2)
    assert log.read_text() == "aa-b-ba-b"  # one untimed warm-up of each in the first turn
    assert [len(t.runs) for t in timings] == [2, 2]
    log.write_text("")
    measure.in_turns([measure.Command(step("a"), tmp_path), measure.Command(step("b"), tmp_path)], 2, warmup=False)
    assert log.read_text() == "abab"


def _density(share: float, check: float, grep: float = 0.2, **more) -> dict:
    return {"share": share, "planted": 1, "check": check, "check_dw": check, "grep": grep, **more}


def test_every_issue_15_target_gets_its_verdict():
    results = {
        "densities": [_density(0.05, 1.2, fix=1.6, fix_dw=1.6), _density(0.005, 0.8), _density(0.20, 1.7)],
        "big_modules": [{"in_class": False, "bytes": 3e6, "cached": {"rss": 150, "tree_rss": 199, "time": 1.0},
                         "dont_write": {"rss": 150, "tree_rss": 201, "time": 1.0}},
                        {"in_class": True, "bytes": 3.3e6, "cached": {"rss": 250, "tree_rss": 240, "time": 9.0},
                         "dont_write": {"rss": 120, "tree_rss": 130, "time": 9.0}}],
        "python_pass": 0.02,
        "startup": {"clean/cached": {"time": 0.05}, "dirty/cached": {"time": 0.16}, "dirty/dont_write": {"time": 0.17},
                    "dirty/no_pyc": {"time": 0.5}, "version/cached": {"time": 0.04}},
    }
    rows = density.check_rows(results, run.TARGETS) + density.rows(results, run.TARGETS)
    verdicts = [(what, target, result) for what, _, target, result in rows]
    assert verdicts == [
        ("full check vs git grep, 0.5% of files hold ids (1)", "<= 4x", "PASS"),
        ("full check vs git grep, 0.5% of files hold ids (1), PYTHONDONTWRITEBYTECODE=1", "<= 4x", "PASS"),
        ("full check vs git grep, 5% of files hold ids (1)", "<= 5x", "MISS"),
        ("full check vs git grep, 5% of files hold ids (1), PYTHONDONTWRITEBYTECODE=1", "<= 5x", "MISS"),
        ("full check vs git grep, 20% of files hold ids (1)", "<= 8x", "MISS"),
        ("full check vs git grep, 20% of files hold ids (1), PYTHONDONTWRITEBYTECODE=1", "<= 8x", "MISS"),
        ("--fix vs the check, 5% of files hold ids (1)", "<= 1.5x the check", "PASS"),
        ("--fix vs the check, 5% of files hold ids (1), PYTHONDONTWRITEBYTECODE=1", "<= 1.5x the check", "PASS"),
        ("peak RSS, check of one 3 MB module, ids at top level", "<= 200 MB", "PASS"),
        ("peak RSS, check of one 3 MB module, ids at top level, PYTHONDONTWRITEBYTECODE=1", "<= 200 MB", "MISS"),
        ("peak RSS, check of one 3.3 MB module, inside one class body", "<= 200 MB", "MISS"),
        ("peak RSS, check of one 3.3 MB module, inside one class body, PYTHONDONTWRITEBYTECODE=1", "<= 200 MB", "PASS"),
        ("pre-commit path, 10 clean files", "<= 3x python -c pass", "PASS"),
        ("pre-commit path, 10 dirty files", "<= 8x python -c pass", "PASS"),
        ("pre-commit path, 10 dirty files, PYTHONDONTWRITEBYTECODE=1", "<= 8x python -c pass", "MISS"),
        ("pre-commit path, 10 dirty files, no .pyc (PYTHONDONTWRITEBYTECODE=1)", "(reported)", "-"),
        ("start-up, v4-migrate --version", "(reported)", "-"),
    ]


def test_the_compare_times_the_importer_search_for_the_names_definers_export(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "config.py").write_text('MODEL = "deepseek-chat"\nOTHER = "gpt-4o"\n')
    (tmp_path / "app.py").write_text("from config import MODEL\n")
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    names, cpu = run.importer_search_cpu(tmp_path, 1)
    assert names == ["MODEL"] and cpu >= 0


def test_the_compare_measures_the_same_work_on_a_clone_without_js(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    (tree / "app.py").write_text('MODEL = "deepseek-chat"\n')
    (tree / "web").mkdir()
    (tree / "web" / "client.ts").write_text('const model = "deepseek-chat";\n')
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "t"], cwd=tree, check=True)
    clone = run._without_js(tree, tmp_path)
    listed = subprocess.run(["git", "ls-files"], cwd=clone, capture_output=True, text=True, check=True).stdout.split()
    assert listed == ["app.py"] and not (clone / "web" / "client.ts").exists()
    assert run._without_js(tree, tmp_path) == clone  # kept while the tree's commit is the same
    times = {"compare_rev": "abc1234", "compare_same_new": 1.1, "compare_same_old": 1.0, "compare_new": 2.0, "compare_old": 1.0,
             "compare_same_ratio": 1.1, "compare_ratio": 2.0, "compare_same_new_runs": [1.1, 1.3, 1.0],
             "compare_same_new_cpu": 2.2, "compare_same_old_cpu": 2.0, "compare_search_cpu": 0.1}
    rows = run._compare_rows(times)
    assert rows[0][0].startswith("full check vs abc1234, the tree less its JS/TS files") and rows[0][3] == "PASS"
    assert "median of 3 turns" in rows[0][1]
    assert rows[2][2:] == ("(reported)", "-")  # the whole tree: +100%, reported only
    # the verdict is the median of the turns' ratios, not the ratio of the medians
    assert run._compare_rows({**times, "compare_same_ratio": 1.2})[0][3] == "MISS"
    assert run._compare_rows({**times, "compare_same_new": 1.3})[0][3] == "PASS"


def test_the_turns_of_a_compare_are_paired(tmp_path):
    """Each turn runs this checkout's check and the other revision's on the same tree, and the
    verdict is the median of the turns' ratios."""
    tree = tmp_path / "tree"
    tree.mkdir()
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    (tree / "app.py").write_text('MODEL = "deepseek-chat"\n')
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    measured = run._check_in_turns(run.REPO, tree, 3)
    assert len(measured["new_runs"]) == len(measured["old_runs"]) == 3
    ratios = sorted(new / old for new, old in zip(measured["new_runs"], measured["old_runs"]))
    assert measured["ratio"] == ratios[1]


def _runs(source: str, name: str) -> str:
    """How a module's top level ends when executed: "" when it runs, else the exception."""
    try:
        exec(compile(source, name, "exec"), {"__name__": "fixed_module"})
    except Exception as exc:  # what the module raises is the datum
        return f"{type(exc).__name__}: {exc}"
    return ""


def test_every_module_of_the_dense_tree_that_ran_before_the_fix_runs_after_it(trees, tmp_path):
    """The generated modules use the standard library only, and some plant a rewritten id above
    the module's own `import os` (`LLM_SETTINGS = {"model": ...}` runs as the module is imported):
    the fix's `os.environ.get` must have `os` bound by then."""
    tree, _ = trees[0.20]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(tree), str(clone)], check=True)
    proc = subprocess.run([sys.executable, "-m", "codemod", "--fix", "--today", measure.TODAY, "."], cwd=clone,
                          env=measure.clean_env(PYTHONPATH=str(REPO_ROOT)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.returncode in (0, 1), proc.stderr
    changed = subprocess.run(["git", "diff", "--name-only", "--", "*.py"], cwd=clone, stdout=subprocess.PIPE,
                             check=True, text=True).stdout.split()
    assert len(changed) >= 20
    before = {rel: _runs(subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=clone, stdout=subprocess.PIPE, check=True,
                                        text=True).stdout, rel) for rel in changed}
    after = {rel: _runs((clone / rel).read_text(), rel) for rel in changed}
    assert [(rel, after[rel]) for rel in changed if after[rel] and not before[rel]] == []
    uses_os_above_its_import = [rel for rel in changed if not after[rel] and _first_use_of_os_precedes_import(clone / rel)]
    assert uses_os_above_its_import  # the case the test is for does occur in the tree


def _first_use_of_os_precedes_import(path: Path) -> bool:
    """Whether a top-level statement uses `os.` above the module's last top-level `import os`."""
    body = ast.parse(path.read_text()).body
    imports = [i for i, s in enumerate(body) if isinstance(s, ast.Import) and any(a.name == "os" and not a.asname for a in s.names)]
    uses = [i for i, s in enumerate(body) if not isinstance(s, (ast.FunctionDef, ast.Import)) and "os." in ast.unparse(s)]
    return bool(imports and uses and uses[0] < imports[-1])


def test_the_results_say_how_fast_the_machine_ran_python():
    """Ratios to git grep (C) move with the machine's speed at Python; the details carry a fixed
    loop's CPU time, before and after, so that two runs can be compared."""
    speed = run.python_speed(1)
    assert 0 < speed < 60
    lines = run.details({"files": 1, "python_files": 1, "bytes": {"py": 1}, "planted_files": 0, "decoy_files": 0, "densities": [],
                         "cores": 2, "load_before": "0", "load_after": "0", "python_speed_before": speed, "python_speed_after": 0.25})
    assert f"took {speed:.3f} s of CPU before the run and 0.250 s after" in lines[-1]
