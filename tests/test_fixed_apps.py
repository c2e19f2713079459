"""End to end: small LLM apps (fixtures/apps/<name>/) are fixed with the real CLI, then run against the fake API.

For each app: copy it to a temp folder, commit it with real git, run ``python -m codemod --fix .`` there, and
run ``python main.py`` (forked after its libraries are imported: tests/forked_python.py) with
``DEEPSEEK_BASE_URL`` pointing at a FakeDeepSeek (tests/fake_deepseek.py). Before
the fix the app must fail (its first request uses a retired id: HTTP 400). After it, the app must exit 0, send
no retired id, and keep each call's old thinking mode: a request that came from ``deepseek-chat`` must arrive
with thinking disabled, one from ``deepseek-reasoner`` with thinking enabled (V4 thinks by default).

Which legacy id a request came from is told by a tag in its user message: ``[chat]`` or ``[reasoner]``.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from fake_deepseek import RETIRED_IDS, FakeDeepSeek, Received
from forked_python import clean_env, run_python
from helpers import REPO_ROOT, git, run_cli

APPS_DIR = REPO_ROOT / "fixtures" / "apps"
EXPECTED_MODE = {"chat": "disabled", "reasoner": "enabled"}
TAG = re.compile(r"\[(chat|reasoner)\]")

# app -> (the legacy ids' tags its requests carry, the importable packages it needs)
APPS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "openai_tool_loop_import": (("chat",), ("openai",)),
    "openai_module_alias": (("chat", "reasoner"), ("openai",)),
    "openai_self_model": (("chat",), ("openai",)),
    "payload_requests": (("chat",), ("openai", "requests")),
    "langchain_deepseek": (("chat", "reasoner"), ("langchain_deepseek", "langchain_openai")),
    "same_file_constants": (("chat",), ("openai",)),
    "env_file_model": (("chat",), ("openai", "dotenv")),
}


def tagged(request: Received) -> str:
    """The request's first user message with a tag ("" when none)."""
    for message in request.body.get("messages") or []:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str) and TAG.search(content):
            return content
    return ""


def origin(request: Received) -> str:
    """The tag of the request: "chat", "reasoner" or ""."""
    match = TAG.search(tagged(request))
    return match.group(1) if match else ""


def problems_after_fix(run: subprocess.CompletedProcess, server: FakeDeepSeek, tags: Tuple[str, ...]) -> List[str]:
    """What a fixed app's run got wrong: its exit, a retired id sent, a request whose thinking mode
    is not the one its old id had, or requests of other tags than the app's."""
    problems: List[str] = []
    if run.returncode != 0:
        problems.append(f"the fixed app exited {run.returncode}: {tail(run.stderr, 4)}")
    for number, request in enumerate(server.requests, 1):
        where = f"request {number} ({request.path}, model={request.model}, status {request.status}): {tagged(request)[:50]!r}"
        if request.model in RETIRED_IDS:
            problems.append(f"retired id sent: {where}")
        elif origin(request) in EXPECTED_MODE and request.thinking != EXPECTED_MODE[origin(request)]:
            problems.append(f"thinking {request.thinking}, want {EXPECTED_MODE[origin(request)]}: {where}")
    seen = sorted({origin(r) for r in server.requests})
    if seen != sorted(tags):
        problems.append(f"requests tagged {seen}, want {sorted(tags)}")
    return problems


def run_app(tree: Path, server: FakeDeepSeek) -> subprocess.CompletedProcess:
    """``python main.py`` in ``tree``, its libraries imported once for all apps (tests/forked_python.py)."""
    env = clean_env()
    env.update(DEEPSEEK_BASE_URL=server.base_url, DEEPSEEK_API_KEY="sk-test", PYTHONPATH=str(tree),
               PYTHONDONTWRITEBYTECODE="1")
    return run_python(["main.py"], cwd=tree, env=env, timeout=60, preload=APPS[tree.name][1])


def tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture
def fake():
    server = FakeDeepSeek().start()
    yield server
    server.stop()


@pytest.mark.parametrize("name", sorted(APPS))
def test_fixed_app_runs_against_the_v4_api(name, tmp_path, fake):
    tags, needs = APPS[name]
    missing = [module for module in needs if importlib.util.find_spec(module) is None]
    assert not missing, f"the test extras install {missing}: pip install -e '.[test]'"
    tree = tmp_path / name
    shutil.copytree(APPS_DIR / name, tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "the app as written for the legacy ids")

    # Before the fix: the retired id is rejected, and the app fails.
    before = run_app(tree, fake)
    assert before.returncode != 0, f"{name} ran before the fix:\n{before.stdout}"
    assert [(r.model in RETIRED_IDS, r.status) for r in fake.requests[:1]] == [(True, 400)], fake.models
    assert "400" in before.stderr, tail(before.stderr)
    fake.requests.clear()

    fixed = run_cli(["--fix", "."], cwd=tree)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr  # 2 = an error
    diff = git(tree, "diff")
    assert diff, f"--fix changed nothing in {name}:\n{fixed.stdout}"

    after = run_app(tree, fake)
    problems = problems_after_fix(after, fake, tags)
    assert not problems, "\n".join(problems) + "\n--- the fix:\n" + diff
    again = run_cli(["--fix", "."], cwd=tree)
    assert again.returncode in (0, 1) and git(tree, "diff") == diff, "a second --fix changed the tree again"
