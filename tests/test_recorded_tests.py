"""A test that answers its requests from recorded HTTP interactions (a VCR cassette, as in
pydantic-ai's tests/models/test_deepseek.py): the recording sent and answered the old id, so a
rewrite of the id in the test is unsafe, never applied by a plain --fix, and the project's own
tests pass after it as before. Real vcrpy replays a hand-written cassette to the real openai SDK."""

from __future__ import annotations

import importlib.util
import json

import pytest

from helpers import git, run_cli, run_on_text, run_project_tests

pytestmark = pytest.mark.skipif(importlib.util.find_spec("vcr") is None, reason="vcrpy is a test extra")

CASSETTE = """\
interactions:
- request:
    body: '{"messages":[{"role":"user","content":"hi"}],"model":"deepseek-reasoner"}'
    headers: {}
    method: POST
    uri: https://api.deepseek.com/chat/completions
  response:
    body:
      string: '{"id":"r1","object":"chat.completion","created":1721000000,"model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","content":"hello","reasoning_content":"greet back"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
    headers:
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
"""

TEST_CHAT = """\
import vcr
from openai import OpenAI


@vcr.use_cassette("tests/cassettes/chat.yaml", record_mode="none")
def test_reasoner_answers():
    client = OpenAI(api_key="sk-test", base_url="https://api.deepseek.com", max_retries=0)
    response = client.chat.completions.create(model="deepseek-reasoner", messages=[{"role": "user", "content": "hi"}])
    assert response.model == "deepseek-reasoner"
    assert response.choices[0].message.content == "hello"
"""


def _project(tmp_path):
    root = tmp_path / "project"
    (root / "tests" / "cassettes").mkdir(parents=True)
    (root / "tests" / "cassettes" / "chat.yaml").write_text(CASSETTE)
    (root / "tests" / "test_chat.py").write_text(TEST_CHAT)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "recorded test")
    return root


def test_a_test_that_replays_a_cassette_still_passes_after_fix(tmp_path):
    root = _project(tmp_path)
    assert run_project_tests(root, preload=("openai", "vcr")).returncode == 0
    check = json.loads(run_cli(["--format", "json", "."], cwd=root).stdout)
    in_test = [f for f in check["findings"] if f["path"] == "tests/test_chat.py"]
    assert [(f["line"], f["rule"], f["fix"]) for f in in_test] == [(8, "DS001", "unsafe"), (9, "DS001", "unsafe")]
    assert all("re-recorded" in f["message"] for f in in_test)
    assert {f["rule"] for f in check["findings"] if f["path"] == "tests/cassettes/chat.yaml"} == {"DS006"}

    fixed = run_cli(["--fix", "."], cwd=root)
    assert fixed.returncode == 1 and git(root, "status", "--porcelain") == ""
    assert run_project_tests(root, preload=("openai", "vcr")).returncode == 0

    # what the unsafe fix warns of: the recording still answers the old id
    run_cli(["--fix", "--unsafe-fixes", "."], cwd=root)
    assert '"deepseek-v4-flash"' in (root / "tests" / "test_chat.py").read_text()
    after = run_project_tests(root, preload=("openai", "vcr"))
    assert after.returncode == 1 and "deepseek-reasoner" in after.stdout


@pytest.mark.parametrize("marker", [
    "pytestmark = pytest.mark.vcr\n",
    "import vcr\n",
    "from vcr import VCR\n",
    "@pytest.mark.default_cassette('chat.yaml')\n@pytest.mark.vcr\ndef test_other():\n    pass\n",
    "from betamax import Betamax\n",
])
def test_each_recorder_makes_the_fixes_of_a_test_file_unsafe(tmp_path, marker):
    text = f"import pytest\n{marker}\n\ndef test_chat(client):\n    client.chat.completions.create(model='deepseek-chat', messages=[])\n"
    result, _ = run_on_text(tmp_path, text, name="tests/test_chat.py")
    [finding] = [f for f in result.findings if f.legacy]  # (DS201, a retry, is not about the id)
    assert finding.fix == "unsafe" and "replays recorded HTTP interactions" in finding.message


@pytest.mark.parametrize("name, text", [
    ("tests/test_chat.py", "def test_chat(client):\n    client.chat.completions.create(model='deepseek-chat', messages=[])\n"),
    # a recorder named outside a test file: the module is not a test that replays it
    ("app/record.py", "import vcr\n\nMODEL = 'deepseek-chat'\n"),
    # a name that only looks like one
    ("tests/test_chat.py", "cassette_vcrs = 1\n\ndef test_chat(client):\n    client.chat.completions.create(model='deepseek-chat', messages=[])\n"),
])
def test_without_a_recorder_the_fix_stays_safe(tmp_path, name, text):
    result, _ = run_on_text(tmp_path, text, name=name)
    assert [f.fix for f in result.findings if f.legacy] == ["safe"]
