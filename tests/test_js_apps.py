"""End to end: small JavaScript/TypeScript apps (fixtures/js_apps/<name>/) are fixed with the real CLI, then run
under node against the fake API.

As tests/test_fixed_apps.py does for Python: copy the app to a temp folder, commit it with real git, run
``python -m codemod --fix .`` there, and run it with ``DEEPSEEK_BASE_URL`` pointing at a FakeDeepSeek. Before
the fix the app must fail (its first request uses a retired id: HTTP 400). After it, the app must exit 0, send
no retired id, and keep each call's old thinking mode, told by the ``[chat]`` / ``[reasoner]`` tag of its user
message. A second ``--fix`` must change nothing.

The packages (openai, ai, @langchain/deepseek, axios, typescript...) come from the ``node_modules`` fixture,
linked in *beside* the app's folder, not inside it: node and tsc find it by walking up, and the CLI never sees
it. A TypeScript app (one with a tsconfig.json) is compiled with that tsc into a folder beside the app and the
JavaScript is run; after the fix it must also pass ``tsc --noEmit``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Tuple

import pytest

from fake_deepseek import RETIRED_IDS, FakeDeepSeek
from helpers import REPO_ROOT, git, run_cli
from node_support import tsc_command
from test_fixed_apps import problems_after_fix, tail

APPS_DIR = REPO_ROOT / "fixtures" / "js_apps"

# app -> the legacy ids' tags its requests carry
APPS: Dict[str, Tuple[str, ...]] = {
    "openai_esm_constant": ("chat",),
    "openai_cjs_inline": ("chat", "reasoner"),
    "ai_sdk": ("chat", "reasoner"),
    "ai_sdk_shared_model": ("chat",),
    "langchain_js": ("chat", "reasoner"),
    "fetch_body": ("chat", "reasoner"),
    "ts_service": ("chat", "reasoner"),
}


def is_typescript(tree: Path) -> bool:
    return (tree / "tsconfig.json").is_file()


def app_env(server: FakeDeepSeek) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DEEPSEEK_", "OPENAI_", "V4_MIGRATE_", "LANGSMITH_", "LANGCHAIN_", "NODE_"))}
    env.update(DEEPSEEK_BASE_URL=server.base_url, DEEPSEEK_API_KEY="sk-test", NO_PROXY="127.0.0.1,localhost",
               no_proxy="127.0.0.1,localhost")
    return env


def typecheck(tree: Path, node_modules: Path, *args: str) -> subprocess.CompletedProcess:
    """``tsc -p <tree>`` with the installed TypeScript (the tsconfig is strict)."""
    return subprocess.run([*tsc_command(node_modules), "-p", str(tree), *args], cwd=tree, capture_output=True,
                          text=True, timeout=300)


def entry_point(tree: Path, node_modules: Path) -> Path:
    """The JavaScript to run: package.json's ``main``, or for TypeScript the compiled ``src/main.ts``."""
    if not is_typescript(tree):
        return tree / json.loads((tree / "package.json").read_text())["main"]
    build = tree.parent / f"{tree.name}-build"
    shutil.rmtree(build, ignore_errors=True)
    compiled = typecheck(tree, node_modules, "--outDir", str(build))
    assert compiled.returncode == 0, f"tsc failed on {tree.name}:\n{compiled.stdout}{compiled.stderr}"
    return build / "main.js"


def run_app(tree: Path, node_modules: Path, server: FakeDeepSeek) -> subprocess.CompletedProcess:
    script = entry_point(tree, node_modules)
    return subprocess.run(["node", str(script)], cwd=tree, env=app_env(server), capture_output=True, text=True,
                          timeout=60)


def committed_copy(name: str, tmp_path: Path, node_modules: Path) -> Path:
    (tmp_path / "node_modules").symlink_to(node_modules, target_is_directory=True)
    tree = tmp_path / name
    shutil.copytree(APPS_DIR / name, tree, ignore=shutil.ignore_patterns("node_modules", "dist"))
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "the app as written for the legacy ids")
    return tree


@pytest.fixture
def fake():
    server = FakeDeepSeek().start()
    yield server
    server.stop()


@pytest.mark.parametrize("name", sorted(APPS))
def test_fixed_js_app_runs_against_the_v4_api(name, tmp_path, fake, node_modules):
    tree = committed_copy(name, tmp_path, node_modules)

    # Before the fix: the retired id is rejected, and the app fails.
    before = run_app(tree, node_modules, fake)
    assert before.returncode != 0, f"{name} ran before the fix:\n{before.stdout}"
    assert [(r.model in RETIRED_IDS, r.status) for r in fake.requests[:1]] == [(True, 400)], fake.models
    assert "deepseek-v4" in before.stderr, tail(before.stderr)  # the API's message reached the app's error
    fake.requests.clear()

    fixed = run_cli(["--fix", "."], cwd=tree)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr  # 2 = an error
    diff = git(tree, "diff")
    assert diff, f"--fix changed nothing in {name}:\n{fixed.stdout}"

    if is_typescript(tree):
        checked = typecheck(tree, node_modules, "--noEmit")
        assert checked.returncode == 0, f"tsc --noEmit fails after the fix:\n{checked.stdout}{checked.stderr}\n--- the fix:\n{diff}"
    after = run_app(tree, node_modules, fake)
    problems = problems_after_fix(after, fake, APPS[name])
    assert not problems, "\n".join(problems) + "\n--- the fix:\n" + diff
    again = run_cli(["--fix", "."], cwd=tree)
    assert again.returncode in (0, 1) and git(tree, "diff") == diff, "a second --fix changed the tree again"
