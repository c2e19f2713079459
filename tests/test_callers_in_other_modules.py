"""A parameter's default decides the thinking mode of its function's request only for the calls
that pass nothing. A call in another module that passes its own model (``ask(q,
model="deepseek-reasoner")``) would get the default's mode too once the request sends it: that
fix is unsafe, and the report names the call. Calls in the function's own module are followed
by the scan itself (tests/test_thinking_flow.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_deepseek import FakeDeepSeek
from forked_python import clean_env, run_python
from helpers import check_callers_keep_their_mode, check_default_fix, committed_repo, run_cli

OFF = 'extra_body={"thinking": {"type": "disabled"}}'
HEAD = 'import os\nfrom openai import OpenAI\nclient = OpenAI(base_url=os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com"))\n'
FUNCTION = HEAD + ('\n\ndef ask(prompt, model="deepseek-chat"):\n'
                   '    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])\n')
METHOD = HEAD + ('\n\nclass LLM:\n    def ask(self, prompt, model="deepseek-chat"):\n'
                 '        return client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])\n')
CONSTRUCTOR = HEAD + ('\n\nclass LLM:\n    def __init__(self, model="deepseek-chat"):\n        self.model = model\n\n'
                      '    def ask(self, prompt):\n'
                      '        return client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": prompt}])\n')

# (name, the module that defines the default, the caller, whether the default's fix stays safe)
CALLERS = [
    ("passes nothing", FUNCTION, 'from app.llm import ask\nask("hi")\n', True),
    ("passes the same id", FUNCTION, 'from app.llm import ask\nask("hi", model="deepseek-chat")\n', True),
    ("passes the other id", FUNCTION, 'from app.llm import ask\nask("hi", model="deepseek-reasoner")\n', False),
    ("passes it by position", FUNCTION, 'from app.llm import ask\nask("hi", "deepseek-reasoner")\n', False),
    ("passes a value not known", FUNCTION, 'import sys\nfrom app.llm import ask\nask("hi", model=sys.argv[1])\n', False),
    ("passes a current id", FUNCTION, 'from app.llm import ask\nask("hi", model="deepseek-v4-pro")\n', False),
    ("passes **kwargs", FUNCTION, 'from app.llm import ask\n\ndef go(**kw):\n    return ask("hi", **kw)\n', False),
    ("module alias", FUNCTION, 'import app.llm as llm\nllm.ask("hi", model="deepseek-reasoner")\n', False),
    ("from package import module", FUNCTION, 'from app import llm\nllm.ask("hi", model="deepseek-reasoner")\n', False),
    ("dotted module", FUNCTION, 'import app.llm\napp.llm.ask("hi", model="deepseek-reasoner")\n', False),
    ("relative import", FUNCTION, 'from .llm import ask\nask("hi", model="deepseek-reasoner")\n', False),
    ("another module's ask", FUNCTION, 'from app.other import ask\nask("hi", model="deepseek-reasoner")\n', True),
    ("a method", METHOD, 'from app.llm import LLM\nbot = LLM()\nbot.ask("hi", model="deepseek-reasoner")\n', False),
    ("a method, by position", METHOD, 'from app.llm import LLM\nbot = LLM()\nbot.ask("hi", "deepseek-reasoner")\n', False),
    ("a method passed nothing", METHOD, 'from app.llm import LLM\nLLM().ask("hi")\n', True),
    ("a constructor", CONSTRUCTOR, 'from app.llm import LLM\nLLM(model="deepseek-reasoner").ask("hi")\n', False),
    ("a constructor, by position", CONSTRUCTOR, 'from app.llm import LLM\nLLM("deepseek-reasoner").ask("hi")\n', False),
    ("a constructor passed nothing", CONSTRUCTOR, 'from app.llm import LLM\nLLM().ask("hi")\n', True),
]


def _default_finding(root: Path, env=None) -> dict:
    report = json.loads(run_cli(["--format", "json", "."], cwd=root, env=env).stdout)["findings"]
    [default] = [f for f in report if f["path"] == "app/llm.py" and f["rule"] == "DS001"]
    return default


@pytest.mark.parametrize("name, definer, caller, safe", CALLERS, ids=[case[0] for case in CALLERS])
@pytest.mark.parametrize("git_grep", [True, False], ids=["git-grep", "python-read"])
def test_a_default_whose_callers_elsewhere_pass_another_mode_is_an_unsafe_fix(tmp_path, name, definer, caller, safe, git_grep):
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": definer, "app/other.py": "def ask(q, model=None):\n    pass\n",
                            "app/main.py": caller})
    env = {} if git_grep else {"V4_MIGRATE_NO_GIT_GREP": "1"}
    check_default_fix(root, env, root / "app/llm.py", "app/main.py", safe, OFF, _default_finding(root, env))


def test_the_callers_decide_in_a_process_pool_too(tmp_path):
    """A component is scanned in a worker: the calls and the defaults cross to it and back."""
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": FUNCTION,
                                     "app/main.py": 'from app.llm import ask\nask("hi", model="deepseek-reasoner")\n'})
    env = {"V4_MIGRATE_POOL_MIN_BYTES": "0"}
    report = json.loads(run_cli(["--format", "json", "--jobs", "2", "."], cwd=root, env=env).stdout)["findings"]
    assert [f["fix"] for f in report if f["path"] == "app/llm.py"] == ["unsafe"]
    assert run_cli(["--fix", "--jobs", "2", "."], cwd=root, env=env).returncode in (0, 1)
    assert OFF not in (root / "app/llm.py").read_text() and "deepseek-v4-flash" in (root / "app/main.py").read_text()


def test_callers_are_named_a_few_at_a_time(tmp_path):
    from codemod.engine import MAX_CALLERS_NAMED

    calls = "".join(f'ask("q{n}", model="deepseek-reasoner")\n' for n in range(MAX_CALLERS_NAMED + 2))
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": FUNCTION, "app/main.py": "from app.llm import ask\n" + calls})
    message = _default_finding(root)["message"]
    assert message.count("app/main.py:") == MAX_CALLERS_NAMED and message.endswith("and 2 more, and its request would send "
                                                                                   "thinking disabled for that too"), message


MAIN = '''import sys

from app.llm import ask

reply = ask(sys.argv[1], model="deepseek-reasoner") if sys.argv[1:] else ask("[chat] hello")
print(reply.choices[0].message.content)
'''


def _run(tree: Path, server: FakeDeepSeek, *args: str):
    env = clean_env()
    env.update(DEEPSEEK_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test", PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    return run_python(["-m", "app.main", *args], cwd=tree, env=env, timeout=60, preload=("openai",))


def test_with_the_real_openai_sdk_the_plain_fix_keeps_each_calls_thinking_mode(tmp_path):
    """Against the fake V4 API: the caller that passed ``deepseek-reasoner`` still gets thinking
    on after ``--fix`` (its id rewritten, the function's request left as it was, reported); the
    unsafe fix sends thinking disabled for it too, which is why it is unsafe."""
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": FUNCTION, "app/main.py": MAIN})
    check_callers_keep_their_mode(root, root / "app/llm.py", _run)


SIGNATURES = [
    ('def ask(prompt, model="deepseek-chat"):\n    pass\n', {("ask", "model")}),
    ("async def ask(prompt, model: str = 'deepseek-reasoner') -> str:\n    pass\n", {("ask", "model")}),
    ('def ask(\n    prompt,  # (the question)\n    model: Optional[str] = "deepseek-chat",\n):\n    pass\n', {("ask", "model")}),
    ('def ask(prompt, *, model="deepseek-chat", retries=(1, 2)):\n    pass\n', {("ask", "model")}),
    ('class LLM:\n    def __init__(self, model="deepseek-chat"):\n        pass\n', {("LLM", "model")}),
    ('class LLM:\n    def ask(self, q, model="deepseek-chat"):\n        pass\n', {("LLM.ask", "model")}),
    # not a default: a call's keyword, a nested function's, a lambda's, a comparison
    ('def ask(q):\n    return create(model="deepseek-chat")\n', set()),
    ('def outer():\n    def ask(q, model="deepseek-chat"):\n        pass\n', set()),
    ('def ask(q):\n    pass\nf = lambda model="deepseek-chat": model\n', set()),
    ('def ask(q, m=None):\n    return m == "deepseek-chat"\n', set()),
    ('def ask(q, model="deepseek/deepseek-chat"):\n    pass\n', set()),  # (LiteLLM's form: not followed across modules)
]


@pytest.mark.parametrize("src, expected", SIGNATURES)
def test_a_parameters_default_is_an_export_found_by_lines(src, expected):
    from codemod import project
    from codemod.catalog import default_catalog

    found = {(e.name, e.param) for e in project.exports_in(src.encode(), "app/llm.py", default_catalog()) if e.param}
    assert found == expected


def test_a_definer_with_another_fix_keeps_the_default_unsafe_in_the_second_pass(tmp_path):
    """The second pass over the fixed definer scans it alone, without its callers: what the callers
    decided (unsafe) still holds there, so the fix of the file's other id goes through."""
    definer = FUNCTION + '\nCHAT = "deepseek-chat"\nclient.chat.completions.create(model=CHAT, messages=[])\n'
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": definer,
                                     "app/main.py": 'from app.llm import ask\nask("hi", model="deepseek-reasoner")\n'})
    fixed = run_cli(["--fix", "--format", "json", "."], cwd=root)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    text = (root / "app/llm.py").read_text()
    assert 'model="deepseek-chat"' in text and 'CHAT = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in text
    left = [f for f in json.loads(fixed.stdout)["findings"] if f["path"] == "app/llm.py" and not f["fixed"]]
    assert [(f["rule"], f["fix"]) for f in left] == [("DS001", "unsafe")] and "is also called with its own" in left[0]["message"]
