"""The thinking mode follows a retired id to the request that sends it (scanners/_pyflow.py,
rules/libraries.toml): within a file as (src, expected) tables, and across files through the
project's facts (project.py), fixed as one group in real git repositories."""

from __future__ import annotations

import importlib.util

import pytest

from codemod.discovery import Candidate
from codemod.engine import FileProcessor, RunOptions
from codemod.config import ConfigResolver
from codemod import project
from codemod.catalog import default_catalog
from helpers import TODAY, committed_repo, git, run_cli, run_on_text, run_project_tests

HEAD = 'import os\nfrom openai import OpenAI\nclient = OpenAI(base_url="https://api.deepseek.com")\n'
CHAT = 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")'
REASONER = 'os.environ.get("DEEPSEEK_REASONER_MODEL", "deepseek-v4-flash")'
OFF = 'extra_body={"thinking": {"type": "disabled"}}'
ON = 'extra_body={"thinking": {"type": "enabled"}}'

# (name, source after HEAD, expected after HEAD)
SAME_FILE = [
    ("module constant",
     'M = "deepseek-chat"\ndef f():\n    return client.chat.completions.create(model=M, messages=[])\n',
     f'M = {CHAT}\ndef f():\n    return client.chat.completions.create(model=M, messages=[], {OFF})\n'),
    ("class attribute through self",
     'class B:\n    MODEL = "deepseek-reasoner"\n    def f(self):\n        return client.chat.completions.create(model=self.MODEL, messages=[])\n',
     f'class B:\n    MODEL = {REASONER}\n    def f(self):\n        return client.chat.completions.create(model=self.MODEL, messages=[], {ON})\n'),
    ("constructor default stored on self",
     'class B:\n    def __init__(self, model="deepseek-chat"):\n        self.model = model\n'
     '    def f(self):\n        return client.chat.completions.create(model=self.model, messages=[])\n',
     f'class B:\n    def __init__(self, model={CHAT}):\n        self.model = model\n'
     f'    def f(self):\n        return client.chat.completions.create(model=self.model, messages=[], {OFF})\n'),
    ("dataclass field of an annotated parameter",
     '@dataclass\nclass C:\n    model: str = "deepseek-chat"\n'
     'def f(cfg: C):\n    return client.chat.completions.create(model=cfg.model, messages=[])\n',
     f'@dataclass\nclass C:\n    model: str = {CHAT}\n'
     f'def f(cfg: C):\n    return client.chat.completions.create(model=cfg.model, messages=[], {OFF})\n'),
    ("function default",
     'def f(model="deepseek-chat"):\n    return client.chat.completions.create(model=model, messages=[])\n',
     f'def f(model={CHAT}):\n    return client.chat.completions.create(model=model, messages=[], {OFF})\n'),
    ("getenv default",
     'M = os.getenv("LLM", "deepseek-chat")\nclient.chat.completions.create(model=M, messages=[])\n',
     f'M = os.getenv("LLM", "deepseek-v4-flash")\nclient.chat.completions.create(model=M, messages=[], {OFF})\n'),
    ("x or default",
     'def f(m=None):\n    return client.chat.completions.create(model=m or "deepseek-chat", messages=[])\n',
     None),  # m may be anything: not decided, only reported
    ("conditional model, conditional thinking",
     'M = "deepseek-chat"\ndef f(think):\n    return client.chat.completions.create(model="deepseek-reasoner" if think else M, messages=[])\n',
     f'M = {CHAT}\ndef f(think):\n    return client.chat.completions.create(model={REASONER} if think else M, messages=[], '
     'extra_body={"thinking": {"type": "enabled" if think else "disabled"}})\n'),
    ("merged into an existing extra_body",
     'client.chat.completions.create(model="deepseek-chat", messages=[], extra_body={"top_k": 2})\n',
     f'client.chat.completions.create(model={CHAT}, messages=[], extra_body={{"top_k": 2, "thinking": {{"type": "disabled"}}}})\n'),
    ("an explicit thinking mode is never overridden",
     'client.chat.completions.create(model="deepseek-chat", messages=[], extra_body={"thinking": {"type": "enabled"}})\n',
     f'client.chat.completions.create(model={CHAT}, messages=[], extra_body={{"thinking": {{"type": "enabled"}}}})\n'),
    ("JSON payload sent with requests",
     'import requests\ndef f():\n    body = {"model": "deepseek-chat", "messages": []}\n'
     '    return requests.post("https://api.deepseek.com/chat/completions", json=body)\n',
     f'import requests\ndef f():\n    body = {{"model": {CHAT}, "messages": [], "thinking": {{"type": "disabled"}}}}\n'
     '    return requests.post("https://api.deepseek.com/chat/completions", json=body)\n'),
    ("payload returned by a helper",
     'import httpx\ndef build():\n    return {"model": "deepseek-chat"}\ndef f():\n'
     '    return httpx.post("https://api.deepseek.com/chat/completions", json=build())\n',
     f'import httpx\ndef build():\n    return {{"model": {CHAT}, "thinking": {{"type": "disabled"}}}}\ndef f():\n'
     '    return httpx.post("https://api.deepseek.com/chat/completions", json=build())\n'),
    ("**params dict",
     'params = {"model": "deepseek-chat", "messages": []}\nclient.chat.completions.create(**params)\n',
     f'params = {{"model": {CHAT}, "messages": [], "extra_body": {{"thinking": {{"type": "disabled"}}}}}}\n'
     'client.chat.completions.create(**params)\n'),
    ("streaming, async, raw response",
     'async def f(a):\n    return await a.chat.completions.with_raw_response.create(model="deepseek-chat", stream=True, messages=[])\n',
     f'async def f(a):\n    return await a.chat.completions.with_raw_response.create(model={CHAT}, stream=True, messages=[], {OFF})\n'),
    ("LangChain ChatDeepSeek",
     'from langchain_deepseek import ChatDeepSeek\nllm = ChatDeepSeek(model="deepseek-reasoner")\n',
     f'from langchain_deepseek import ChatDeepSeek\nllm = ChatDeepSeek(model={REASONER}, {ON})\n'),
    ("LangChain ChatOpenAI on a DeepSeek URL",
     'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model=M, base_url="https://api.deepseek.com")\nM = "x"\n',
     None),  # a current id or an unknown one: nothing to keep
    ("LiteLLM", 'import litellm\nlitellm.completion(model="deepseek/deepseek-chat", messages=[])\n',
     f'import litellm\nlitellm.completion(model="deepseek/" + {CHAT}, messages=[], thinking={{"type": "disabled"}})\n'),
    ("pydantic-ai Agent", 'from pydantic_ai import Agent\na = Agent("deepseek:deepseek-chat")\n',
     f'from pydantic_ai import Agent\na = Agent("deepseek:" + {CHAT}, model_settings={{"extra_body": {{"thinking": {{"type": "disabled"}}}}}})\n'),
    ("pydantic-ai model", 'm = OpenAIChatModel("deepseek-chat", settings={"temperature": 0})\n',
     f'm = OpenAIChatModel({CHAT}, settings={{"temperature": 0, "extra_body": {{"thinking": {{"type": "disabled"}}}}}})\n'),
    ("Anthropic-format endpoint",
     'import anthropic\nc = anthropic.Anthropic(base_url="https://api.deepseek.com/anthropic")\n'
     'c.messages.create(model="deepseek-chat", max_tokens=9, messages=[])\n',
     f'import anthropic\nc = anthropic.Anthropic(base_url="https://api.deepseek.com/anthropic")\n'
     f'c.messages.create(model={CHAT}, max_tokens=9, messages=[], thinking={{"type": "disabled"}})\n'),
    ("a FIM completion takes no thinking mode",
     'client.completions.create(model="deepseek-chat", prompt="def f(", suffix="")\n',
     f'client.completions.create(model={CHAT}, prompt="def f(", suffix="")\n'),
    ("a project's own class of a library's name is not the library",
     'from browser_use.llm.deepseek.chat import ChatDeepSeek\nllm = ChatDeepSeek(model=M)\nM = "x"\n'
     'class Agent:\n    pass\nAgent("deepseek:deepseek-v4-flash")\n', None),
    ("an imported alias of a library's class",
     'from langchain_deepseek import ChatDeepSeek as Chat\nllm = Chat(model="deepseek-chat")\n',
     f'from langchain_deepseek import ChatDeepSeek as Chat\nllm = Chat(model={CHAT}, {OFF})\n'),
    ("a client on another host is not DeepSeek's API",
     'local = OpenAI(base_url="http://localhost:11434/v1")\nM = "x"\nlocal.chat.completions.create(model=M, messages=[])\n',
     None),
    # a default is what a call that passes nothing sends: the calls of the file that pass their own count too
    ("calls that pass the default's mode",
     'def f(prompt, model="deepseek-chat"):\n    return client.chat.completions.create(model=model, messages=[])\n'
     'f("a")\nf("b", "deepseek-chat")\n',
     f'def f(prompt, model={CHAT}):\n    return client.chat.completions.create(model=model, messages=[], {OFF})\n'
     'f("a")\nf("b", "deepseek-chat")\n'),  # (an argument of the project's own function: unsafe, DS002)
    ("a call that passes a model of the other mode",
     'def f(prompt, model="deepseek-chat"):\n    return client.chat.completions.create(model=model, messages=[])\n'
     'f("a")\nf("b", model="deepseek-reasoner")\n',
     f'def f(prompt, model={CHAT}):\n    return client.chat.completions.create(model=model, messages=[])\n'
     f'f("a")\nf("b", model={REASONER})\n'),
    ("a constructor's caller that passes a model read at run time",
     'class B:\n    def __init__(self, model="deepseek-chat"):\n        self.model = model\n'
     '    def f(self):\n        return client.chat.completions.create(model=self.model, messages=[])\n'
     'B(os.environ["MODEL"])\n',
     f'class B:\n    def __init__(self, model={CHAT}):\n        self.model = model\n'
     '    def f(self):\n        return client.chat.completions.create(model=self.model, messages=[])\n'
     'B(os.environ["MODEL"])\n'),
    ("a wrapper that passes its own default on",
     'def ask(prompt, model="deepseek-chat"):\n    return client.chat.completions.create(model=model, messages=[])\n'
     'def ask_twice(prompt, model="deepseek-chat"):\n    return ask(prompt, model=model)\n',
     f'def ask(prompt, model={CHAT}):\n    return client.chat.completions.create(model=model, messages=[], {OFF})\n'
     f'def ask_twice(prompt, model={CHAT}):\n    return ask(prompt, model=model)\n'),
    ("a method named like the library's request",
     'class Chat:\n    def create(self, prompt, model="deepseek-chat"):\n'
     '        return client.chat.completions.create(model=model, messages=[])\n',
     f'class Chat:\n    def create(self, prompt, model={CHAT}):\n'
     f'        return client.chat.completions.create(model=model, messages=[], {OFF})\n'),
    ("agno's DeepSeek",
     'from agno.models.deepseek import DeepSeek\nllm = DeepSeek(id="deepseek-chat")\n',
     f'from agno.models.deepseek import DeepSeek\nllm = DeepSeek(id={CHAT}, {OFF})\n'),
    ("agno's DeepSeek told its own thinking mode",  # `use_thinking` is agno's switch: the call chose
     'from agno.models.deepseek import DeepSeek\nllm = DeepSeek(id="deepseek-chat", use_thinking=True)\n',
     f'from agno.models.deepseek import DeepSeek\nllm = DeepSeek(id={CHAT}, use_thinking=True)\n'),
    ("a DeepSeek class that is not agno's",
     'from app.models import DeepSeek\nllm = DeepSeek(id="deepseek-chat")\n', None),
    ("a method's caller that passes **kwargs",
     'class B:\n    def ask(self, model="deepseek-chat"):\n        return client.chat.completions.create(model=model, messages=[])\n'
     'B().ask(**options)\n',
     f'class B:\n    def ask(self, model={CHAT}):\n        return client.chat.completions.create(model=model, messages=[])\n'
     'B().ask(**options)\n'),
]


@pytest.mark.parametrize("name, src, expected", SAME_FILE, ids=[case[0] for case in SAME_FILE])
def test_thinking_follows_the_id_within_a_file(tmp_path, name, src, expected):
    result, after = run_on_text(tmp_path, HEAD + src, fix=True)
    assert not result.errors
    assert after.decode() == HEAD + (expected if expected is not None else src)
    again, after_again = run_on_text(tmp_path, after, fix=True)
    assert after_again == after and not again.changed


def test_a_request_whose_model_cannot_be_known_is_a_notice_without_a_fix(tmp_path):
    src = HEAD + 'import sys\nclient.chat.completions.create(model=sys.argv[1], messages=[])\n'
    result, after = run_on_text(tmp_path, src, fix=True)
    [finding] = [f for f in result.findings if f.rule == "DS007"]
    assert (finding.severity, finding.fix, finding.line) == ("notice", None, 5)
    assert "not known here" in finding.message
    assert after.decode() == src


def test_mixed_thinking_modes_are_reported_not_guessed(tmp_path):
    src = HEAD + 'M = "deepseek-chat" if os.environ.get("X") else "deepseek-reasoner"\n' \
                 'client.chat.completions.create(model=M, messages=[])\n'
    result, after = run_on_text(tmp_path, src, fix=True)
    assert "thinking" not in after.decode().split("\n")[-2]  # the request line
    [finding] = [f for f in result.findings if f.rule == "DS007"]
    assert finding.severity == "warning" and finding.fix is None
    assert "deepseek-chat" in finding.message and "deepseek-reasoner" in finding.message


def test_this_tools_own_rewrite_without_thinking_gets_the_safe_fix(tmp_path):
    src = HEAD + f'M = {CHAT}\nclient.chat.completions.create(model=M, messages=[])\n'
    result, after = run_on_text(tmp_path, src, fix=True)
    assert after.decode().endswith(f"messages=[], {OFF})\n")
    assert [f.rule for f in result.findings if f.fixed] == ["DS007"]


# -- across files -------------------------------------------------------------------------------


AGENT = 'import os\nfrom openai import OpenAI\n{imports}\nclient = OpenAI(base_url=os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com"))\n' \
        'def ask(q):\n    return client.chat.completions.create(model={model}, messages=[])\n'

IMPORTS = [
    ("from-import", "from app.settings import CHAT_MODEL", "CHAT_MODEL"),
    ("module alias", "import app.settings as s", "s.CHAT_MODEL"),
    ("from package import module", "from app import settings", "settings.CHAT_MODEL"),
    ("relative import", "from .settings import CHAT_MODEL", "CHAT_MODEL"),
    ("dataclass in another module", "from app.settings import Config\ncfg = Config()", "cfg.model"),
]


@pytest.mark.parametrize("name, imports, model", IMPORTS, ids=[case[0] for case in IMPORTS])
@pytest.mark.parametrize("git_grep", [True, False], ids=["git-grep", "python-read"])
def test_thinking_follows_a_constant_into_the_module_that_sends_it(tmp_path, name, imports, model, git_grep):
    settings = 'from dataclasses import dataclass\nCHAT_MODEL = "deepseek-chat"\n@dataclass\nclass Config:\n    model: str = "deepseek-chat"\n'
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/settings.py": settings,
                            "app/agent.py": AGENT.format(imports=imports, model=model)})
    env = {} if git_grep else {"V4_MIGRATE_NO_GIT_GREP": "1"}
    check = run_cli(["--format", "json", "."], cwd=root, env=env)
    assert '"rule": "DS007"' in check.stdout and '"group": "app/settings.py:' in check.stdout, check.stdout
    fixed = run_cli(["--fix", "."], cwd=root, env=env)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    agent = (root / "app/agent.py").read_text()
    assert agent.endswith(f"messages=[], {OFF})\n"), agent
    assert 'CHAT_MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in (root / "app/settings.py").read_text()
    diff = git(root, "diff")
    again = run_cli(["--fix", "."], cwd=root, env=env)
    assert again.returncode in (0, 1) and git(root, "diff") == diff  # one pass: the second changes nothing


def test_a_constant_no_request_sends_keeps_its_rewrite_and_says_what_to_add(tmp_path):
    root = committed_repo(tmp_path, {"app/settings.py": 'CHAT_MODEL = "deepseek-chat"\n'})
    fixed = run_cli(["--fix", "."], cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (root / "app/settings.py").read_text() == 'import os\nCHAT_MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'
    assert run_cli(["."], cwd=root).returncode == 0


def test_the_message_names_what_to_add_when_no_request_is_found(tmp_path):
    root = committed_repo(tmp_path, {"app/settings.py": 'CHAT_MODEL = "deepseek-chat"\n'})
    check = run_cli(["."], cwd=root)
    assert "no request sending it was found: send thinking disabled with it" in check.stdout


class _EditsWhileFixing(FileProcessor):
    """Another program (an editor, a formatter) rewrites one file of the group while the
    group is being fixed: after its fixes are planned, before any is written."""

    touched = None

    def plan_fix(self, state, findings, fixable=lambda finding: True):
        planned = super().plan_fix(state, findings, fixable)
        if self.touched is not None:
            self.touched.write_text(self.touched.read_text() + "# edited meanwhile\n")
            self.touched = None
        return planned


def test_a_file_changed_during_the_fix_stops_its_whole_group(tmp_path, monkeypatch):
    root = committed_repo(tmp_path, {"app/settings.py": 'CHAT_MODEL = "deepseek-chat"\n',
                            "app/agent.py": AGENT.format(imports="from app.settings import CHAT_MODEL", model="CHAT_MODEL")})
    monkeypatch.chdir(root)
    catalog = default_catalog()
    definer = Candidate(root / "app/settings.py", "app/settings.py")
    consumer = Candidate(root / "app/agent.py", "app/agent.py")
    exports = project.exports_in((root / "app/settings.py").read_bytes(), "app/settings.py", catalog)
    facts = project.ProjectFacts(exports)
    [component] = project.components([(definer, exports)], [(consumer, (root / "app/agent.py").read_text())], facts)
    options = RunOptions(today=TODAY, fix=True)
    processor = _EditsWhileFixing(options, ConfigResolver(None))
    processor.touched = root / "app/agent.py"
    before_settings = (root / "app/settings.py").read_text()
    results = processor.process_component(component)
    assert (root / "app/settings.py").read_text() == before_settings  # the definer too: neither file is fixed
    assert (root / "app/agent.py").read_text().endswith("# edited meanwhile\n")
    assert "thinking" not in (root / "app/agent.py").read_text()
    errors = [e for r in results for e in r.errors]
    assert errors and all("changed on disk" in e for e in errors)
    assert not any(r.changed for r in results)


def test_exports_are_module_constants_and_class_fields_bound_to_retired_ids():
    raw = (b'import os\nA = "deepseek-chat"\nB: str = os.getenv("X", "deepseek-reasoner")\nC = "deepseek-chat-v3"\n'
           b'D = "openrouter/deepseek-chat"\nclass K:\n    model = "deepseek-chat"\n    def f(self):\n        x = "deepseek-chat"\n'
           b'E = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n')
    found = {(e.name, e.model.id, e.kind, e.line) for e in project.exports_in(raw, "m.py", default_catalog())}
    assert found == {("A", "deepseek-chat", "retired", 2), ("B", "deepseek-reasoner", "retired", 3),
                     ("K.model", "deepseek-chat", "retired", 7), ("E", "deepseek-chat", "migrated", 10)}


@pytest.mark.parametrize("importer, module, level, expected", [
    ("app/agent.py", "app.settings", 0, "app/settings.py:M"),
    ("src/app/agent.py", "app.settings", 0, "src/app/settings.py:M"),
    ("app/agent.py", "settings", 1, "app/settings.py:M"),
    ("app/sub/agent.py", "settings", 2, "app/settings.py:M"),
    ("app/agent.py", "other", 0, None),
])
def test_imports_resolve_to_the_module_that_defines_the_name(importer, module, level, expected):
    catalog = default_catalog()
    definer = "src/app/settings.py" if importer.startswith("src/") else "app/settings.py"
    facts = project.ProjectFacts(project.exports_in(b'M = "deepseek-chat"\n', definer, catalog))
    origin = facts.for_file(importer).value(module, "M", level)
    assert (origin.export if origin is not None else None) == expected


# -- tests: values and the checks on them move together -----------------------------------------

TEST_FILE = [
    ("a value and the assertion on it",
     'def test_m():\n    llm = LLM(model="deepseek-chat")\n    assert llm.model == "deepseek-chat"\n',
     'def test_m():\n    llm = LLM(model="deepseek-v4-flash")\n    assert llm.model == "deepseek-v4-flash"\n'),
    ("a mock expectation",
     'def test_m(make):\n    Config(model="deepseek-chat")\n    make.assert_called_once_with(model="deepseek-chat")\n',
     'def test_m(make):\n    Config(model="deepseek-v4-flash")\n    make.assert_called_once_with(model="deepseek-v4-flash")\n'),
    ("a constant and assertEqual",
     'M = "deepseek-reasoner"\nclass T:\n    def test_m(self):\n        self.assertEqual(M, "deepseek-reasoner")\n',
     'M = "deepseek-v4-flash"\nclass T:\n    def test_m(self):\n        self.assertEqual(M, "deepseek-v4-flash")\n'),
    ("a test of the legacy id itself is left alone",
     'def test_deepseek_with_chat_model():\n    assert LLM(model="deepseek-chat").model == "deepseek-chat"\n', None),
    ("an assertion on nothing being fixed stays a review",
     'def test_m(x):\n    assert x == "deepseek-chat"\n', None),
    ("a helper's default and the assertion in another test on what it passed on",
     'def _tool(model="deepseek-chat"):\n    return Tool(model=model)\n\n\n'
     'def test_inherits():\n    assert argv(_tool())[1] == "deepseek-chat"\n',
     'def _tool(model="deepseek-v4-flash"):\n    return Tool(model=model)\n\n\n'
     'def test_inherits():\n    assert argv(_tool())[1] == "deepseek-v4-flash"\n'),
    ("... but not while a table of the file is keyed by the id and keeps it (an unsafe fix)",
     'def _tool(model="deepseek-chat", lookup=None):\n    return Tool(model=model, lookup=lookup)\n\n\n'
     'def test_inherits():\n    assert argv(_tool())[1] == "deepseek-chat"\n\n\n'
     'def test_profile():\n    assert argv(_tool(lookup={"deepseek-chat": "main"}.get))[1] == "main"\n', None),
    ("a text an assertion expects, made from the test's value",
     'def test_m(self):\n    run(provider="deepseek", model_name="deepseek-chat")\n'
     '    self.assertIn("Auxiliary model: deepseek/deepseek-chat", out())\n',
     'def test_m(self):\n    run(provider="deepseek", model_name="deepseek-v4-flash")\n'
     '    self.assertIn("Auxiliary model: deepseek/deepseek-v4-flash", out())\n'),
]


@pytest.mark.parametrize("name, src, expected", TEST_FILE, ids=[case[0] for case in TEST_FILE])
def test_in_tests_values_become_the_v4_id_with_the_checks_on_them(tmp_path, name, src, expected):
    result, after = run_on_text(tmp_path, src, name="tests/test_models.py", fix=True)
    assert not result.errors
    assert after.decode() == (expected if expected is not None else src)
    if expected is None:  # reported, and nothing offered as safe
        assert result.findings and not [f for f in result.findings if f.legacy and f.fix == "safe"]


def test_an_assertion_on_a_value_sent_elsewhere_is_not_fixed_even_as_unsafe(tmp_path):
    """The value goes to another host, so it stays; the assertion that checks it must stay too."""
    src = ('def test_x():\n    agent = Agent(llm=LLM("deepseek", "deepseek-chat", base_url="https://ignored.example"))\n'
           '    assert agent.params() == {"model": "deepseek-chat"}\n')
    result, after = run_on_text(tmp_path, src, name="tests/test_agent.py", fix=True, unsafe=True)
    assert after.decode() == src
    assert [(f.line, f.fix) for f in result.findings] == [(3, None)]


def test_an_assertion_in_another_file_moves_with_the_constant_it_checks(tmp_path):
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/llm.py": 'DEFAULT_MODEL = "deepseek-chat"\n',
                            "tests/test_llm.py": 'from app.llm import DEFAULT_MODEL\n\ndef test_default():\n'
                                                 '    assert DEFAULT_MODEL == "deepseek-chat"\n'})
    fixed = run_cli(["--fix", "."], cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / "tests/test_llm.py").read_text().endswith('assert DEFAULT_MODEL == "deepseek-v4-flash"\n')


# -- tables keyed by an id, and the lookups of them ------------------------------------------------

TABLES = [
    ("two ids share one successor: it is added once, beside the first",
     'P = {"deepseek-chat": 0.27, "deepseek-reasoner": 0.55}\n',
     'P = {"deepseek-chat": 0.27, "deepseek-v4-flash": 0.27, "deepseek-reasoner": 0.55}\n'),
    ("the successor is there already: nothing is added",
     'P = {"deepseek-chat": 0.27, "deepseek-v4-flash": 0.28}\nS = {"deepseek-reasoner", "deepseek-v4-flash"}\n', None),
    ("a lookup is fixed with the entry it reads",
     'P = {"deepseek-chat": 0.27}\ndef c(n):\n    return cost(model_name="deepseek-chat", n=n)\n',
     'import os\nP = {"deepseek-chat": 0.27, "deepseek-v4-flash": 0.27}\ndef c(n):\n'
     '    return cost(model_name=os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash"), n=n)\n'),
    ("a lookup whose entry cannot be added is not fixed",
     'P = {"deepseek-chat": 0.27, "deepseek-reasoner": 0.55}\ndef c(n):\n    return cost(model_name="deepseek-reasoner", n=n)\n',
     'P = {"deepseek-chat": 0.27, "deepseek-v4-flash": 0.27, "deepseek-reasoner": 0.55}\ndef c(n):\n'
     '    return cost(model_name="deepseek-reasoner", n=n)\n'),
    ("a tuple is a record: one more member would change its shape",
     'CASES = [("deepseek", "deepseek/deepseek-chat"), ("r1", "deepseek/deepseek-reasoner")]\n', None),
    ("an argument list: the model flag's value is renamed, nothing is added",
     'ARGV = ["aider", "--model", "deepseek/deepseek-chat", "--yes"]\nOTHER = ["--yes", "deepseek-chat"]\n',
     'ARGV = ["aider", "--model", "deepseek/deepseek-v4-flash", "--yes"]\nOTHER = ["--yes", "deepseek-chat"]\n'),
    ("membership tests and Literal members",
     'M = Literal["deepseek-reasoner"]\nok = m in ("deepseek-chat", "x")\n',
     'M = Literal["deepseek-reasoner", "deepseek-v4-flash"]\nok = m in ("deepseek-chat", "deepseek-v4-flash", "x")\n'),
]


BRANCHES = [
    ("an if/elif chain on both ids: neither branch is fixed",
     'def pick(n):\n    if n == "deepseek-chat":\n        return 1\n    elif n == "deepseek-reasoner":\n        return 2\n', None),
    ("a branch that tests the successor already",
     'def pick(n):\n    if n == "deepseek-v4-flash":\n        return 1\n    elif n == "deepseek-chat":\n        return 2\n', None),
    ("match cases on both ids",
     'def pick(n):\n    match n:\n        case "deepseek-chat":\n            return 1\n        case "deepseek-reasoner" | "x":\n'
     '            return 2\n', None),
    ("one branch per id is fixed; another subject does not count",
     'def pick(n, m):\n    if n == "deepseek-chat":\n        return 1\n    elif m == "deepseek-reasoner":\n        return 2\n',
     'def pick(n, m):\n    if n == "deepseek-v4-flash":\n        return 1\n    elif m == "deepseek-v4-flash":\n        return 2\n'),
]


@pytest.mark.parametrize("name, src, expected", BRANCHES, ids=[case[0] for case in BRANCHES])
def test_no_unsafe_fix_turns_two_branches_into_the_same_test(tmp_path, name, src, expected):
    result, after = run_on_text(tmp_path, src, fix=True, unsafe=True)
    assert not result.errors
    assert after.decode() == (expected if expected is not None else src)
    if expected is None:
        assert "another branch tests the same successor" in " ".join(f.message for f in result.findings)


@pytest.mark.parametrize("name, src, expected", TABLES, ids=[case[0] for case in TABLES])
def test_tables_get_the_successor_beside_the_legacy_id_never_a_duplicate(tmp_path, name, src, expected):
    result, after = run_on_text(tmp_path, src, fix=True, unsafe=True)
    assert not result.errors
    assert after.decode() == (expected if expected is not None else src)
    again, after_again = run_on_text(tmp_path, after, fix=True, unsafe=True)
    assert after_again == after and not again.changed
    safe, after_safe = run_on_text(tmp_path, src, fix=True)  # without --unsafe-fixes, tables stay as they are
    assert after_safe.decode() == src


# -- gateways: decided by the class, provider or name the value flows into ------------------------

GATEWAYS = [
    "a = Agent(OpenRouterModel('deepseek/deepseek-chat', provider=OpenRouterProvider(api_key='k')))\n",
    "m = Model('deepseek-chat', provider=OpenRouterProvider(api_key='k'))\n",
    'class ModelType(Enum):\n    COMETAPI_DEEPSEEK_CHAT = "deepseek-chat"\n',
    'class CometAPIModels:\n    CHAT = "deepseek-chat"\n',
    'TOKEN_MAX = {\n    "deepseek/deepseek-chat": 64000,  # for openrouter\n}\n',
    '# OpenRouter ids\nROUTED = ["deepseek/deepseek-chat"]\n',
    'OPENROUTER_MODEL = "deepseek/deepseek-chat"\n',
    'c = OpenAI(base_url="https://cdn.deepseek.com/v1")\nc.chat.completions.create(model="deepseek-chat", messages=[])\n',
    # a module that reaches models only through a gateway (agno's cookbook/90_models/cometapi)
    'from agno.models.cometapi import CometAPI\n\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n\n\n'
    'def run(model_id):\n    return CometAPI(id=model_id)\n',
    'import agno.models.openrouter as gateway\n\nROUTED = ("deepseek/deepseek-chat", "openai/gpt-5")\n',
]

# the same module, with a way to DeepSeek's own API: its ids are DeepSeek's
NOT_ONLY_A_GATEWAY = [
    'from openai import OpenAI\nfrom agno.models.cometapi import CometAPI\n\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n',
    'from agno.models.cometapi import CometAPI\nfrom agno.models.deepseek import DeepSeek\n\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n',
    'from agno.models.cometapi import CometAPI\n\nURL = "https://api.deepseek.com"\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n',
    'import requests, agno.models.cometapi\n\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n',
    'from litellm import completion\nfrom agno.models.openrouter import OpenRouter\n\nROUTED = ("deepseek/deepseek-chat", "x")\n',
    'from agno.models.anthropic import Claude\n\nMODELS = [("deepseek-chat", "DeepSeek Chat")]\n',  # no gateway
    'from agno.models.cometapi import CometAPI\nfrom app.llm import client\n\nMODELS = [("deepseek-chat", "x")]\n'
    'client.chat.completions.create(model=MODELS[0][0], messages=[])\n',
    # the id goes into a call of the project's own: its callee decides
    'from agno.models.cometapi import CometAPI\nfrom app.llm import ask\n\nask(model="deepseek-chat")\n',
    # a cloud platform's SDK says nothing about where the module's models go
    'from azure.identity import DefaultAzureCredential\n\nMODEL = "deepseek-chat"\n',
]


@pytest.mark.parametrize("src", GATEWAYS)
def test_an_id_that_flows_into_a_gateway_is_not_reported(tmp_path, src):
    result, after = run_on_text(tmp_path, src, fix=True, unsafe=True)
    assert [f for f in result.findings if f.legacy] == [] and after.decode() == src


@pytest.mark.parametrize("src", NOT_ONLY_A_GATEWAY)
def test_a_module_with_a_way_to_deepseeks_api_is_not_a_gateways(tmp_path, src):
    result, _ = run_on_text(tmp_path, src)
    assert [f.rule for f in result.findings if f.legacy] in (["DS001"], ["DS002"])


def test_the_same_id_outside_the_gateway_is_still_reported(tmp_path):
    src = 'class ModelType(Enum):\n    COMETAPI_DEEPSEEK_CHAT = "deepseek-chat"\n    DEEPSEEK_CHAT = "deepseek-chat"\nREAL = "deepseek-chat"\n'
    result, _ = run_on_text(tmp_path, src)
    assert sorted((f.line, f.rule) for f in result.findings if f.legacy) == [(3, "DS002"), (4, "DS001")]


# -- environment variables the project's env files set --------------------------------------------

READS_ENV = ('import os\nfrom openai import OpenAI\nclient = OpenAI(base_url=os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com"))\n'
             'def ask():\n    return client.chat.completions.create(model={read}, messages=[])\n')


@pytest.mark.parametrize("env_file, text", [
    (".env", "DEEPSEEK_API_KEY=sk-not-a-real-key-123\nLLM_MODEL=deepseek-chat\n"),
    ("docker-compose.yml", "services:\n  app:\n    environment:\n      - LLM_MODEL=deepseek-chat\n"),
], ids=["dotenv", "compose"])
@pytest.mark.parametrize("read", ['os.environ["LLM_MODEL"]', 'os.getenv("LLM_MODEL")'])
def test_a_request_that_reads_a_variable_an_env_file_sets_is_fixed_with_it(tmp_path, env_file, text, read):
    root = committed_repo(tmp_path, {env_file: text, "app/main.py": READS_ENV.format(read=read)})
    check = run_cli(["--format", "json", "."], cwd=root)
    assert "sk-not-a-real-key-123" not in check.stdout + check.stderr
    [request] = [f for f in __import__("json").loads(check.stdout)["findings"] if f["rule"] == "DS007"]
    assert request["group"] == f"{env_file}:LLM_MODEL" and request["fix"] == "safe"
    fixed = run_cli(["--fix", "."], cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert "deepseek-chat" not in (root / env_file).read_text()
    assert (root / "app/main.py").read_text().endswith(f"messages=[], {OFF})\n")


def test_a_variable_set_to_ids_of_two_thinking_modes_is_not_guessed(tmp_path):
    root = committed_repo(tmp_path, {".env": "LLM_MODEL=deepseek-chat\n", ".env.prod": "LLM_MODEL=deepseek-reasoner\n",
                            "app/main.py": READS_ENV.format(read='os.environ["LLM_MODEL"]')})
    run_cli(["--fix", "."], cwd=root)
    assert "thinking" not in (root / "app/main.py").read_text()


def test_a_lookup_of_a_table_in_another_module_is_reported_not_fixed_and_the_projects_tests_still_pass(tmp_path):
    root = committed_repo(tmp_path, {
        "app/__init__.py": "",
        "app/pricing.py": 'PRICES = {"deepseek-chat": 0.27, "deepseek-reasoner": 0.55}\n\n\n'
                          'def calculate_cost(model_name, tokens):\n    return PRICES.get(model_name, 0.0) * tokens / 1000\n',
        "tests/test_pricing.py": 'from app.pricing import calculate_cost\n\n\ndef test_cost():\n'
                                 '    cost = calculate_cost(model_name="deepseek-chat", tokens=1000)\n    assert cost == 0.27\n',
    })
    assert run_project_tests(root).returncode == 0
    check = run_cli(["."], cwd=root)
    assert "a key of the table in app/pricing.py:1" in check.stdout
    for args in (["--fix", "."], ["--fix", "--unsafe-fixes", "."]):
        run_cli(args, cwd=root)
        after = run_project_tests(root)
        assert after.returncode == 0, (args, after.stdout, git(root, "diff"))
    assert 'model_name="deepseek-chat"' in (root / "tests/test_pricing.py").read_text()  # never alone
    assert '"deepseek-v4-flash": 0.27' in (root / "app/pricing.py").read_text()  # the table gained the successor


MOCKED_APP = {
    "app/__init__.py": "",
    "app/llm.py": 'MODEL = "deepseek-chat"\n\n\ndef ask(client, prompt):\n'
                  '    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])\n',
    "app/agent.py": 'from litellm import completion\n\nAGENT_MODEL = "deepseek/deepseek-reasoner"\n\n\ndef plan(task):\n'
                    '    return completion(model=AGENT_MODEL, messages=[{"role": "user", "content": task}])\n',
    "tests/__init__.py": "",
    "tests/test_llm.py": (
        "from unittest.mock import MagicMock, call, patch\n\nfrom app.llm import ask\n\nHI = [{'role': 'user', 'content': 'hi'}]\n\n\n"
        "def test_exact_arguments():\n    client = MagicMock()\n    ask(client, 'hi')\n"
        "    client.chat.completions.create.assert_called_once_with(\n        model='deepseek-chat',\n        messages=HI,\n    )\n\n\n"
        "def test_recorded_calls():\n    client = MagicMock()\n    ask(client, 'hi')\n"
        "    client.chat.completions.create.assert_has_calls([call(model='deepseek-chat', messages=HI)])\n"
        "    assert client.chat.completions.create.call_args_list == [call(model='deepseek-chat', messages=HI)]\n\n\n"
        "def test_patched_object():\n    client = MagicMock()\n"
        "    with patch.object(client.chat.completions, 'create') as create:\n        ask(client, 'hi')\n"
        "    create.assert_called_with(model='deepseek-chat', messages=HI)\n\n\n"
        "def test_one_argument():\n    client = MagicMock()\n    ask(client, 'hi')\n"
        "    assert client.chat.completions.create.call_args.kwargs['model'] == 'deepseek-chat'\n"),
    "tests/test_agent.py": (
        "from unittest.mock import patch\n\nfrom app.agent import plan\n\n\n@patch('app.agent.completion')\n"
        "def test_plan(mock_completion):\n    plan('go')\n"
        "    mock_completion.assert_called_once_with(model='deepseek/deepseek-reasoner', messages=[{'role': 'user', 'content': 'go'}])\n"),
}


def test_mock_expectations_of_a_request_move_with_its_model_and_expect_its_thinking_mode(tmp_path):
    """The project's own tests pass after --fix as before it: an expectation of the request's exact
    arguments (the mock's own methods, ``call(...)`` records, ``patch.object`` and ``@patch``
    mocks) expects the new model and the thinking mode the request now sends; one that checks a
    single argument gets the model only."""
    assert importlib.util.find_spec("litellm") is not None, "the test extras install litellm: pip install -e '.[test]'"
    root = committed_repo(tmp_path, MOCKED_APP)
    before = run_project_tests(root, preload=("litellm",))
    assert before.returncode == 0, before.stdout
    fixed = run_cli(["--fix", "."], cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = run_project_tests(root, preload=("litellm",))
    assert after.returncode == 0, after.stdout + git(root, "diff")
    tests = (root / "tests/test_llm.py").read_text()
    assert tests.count("extra_body={'thinking': {'type': 'disabled'}}") == 4, tests  # in the file's own quotes
    assert "call_args.kwargs['model'] == 'deepseek-v4-flash'\n" in tests
    assert "thinking={'type': 'enabled'})" in (root / "tests/test_agent.py").read_text()
    diff = git(root, "diff")
    assert run_cli(["--fix", "."], cwd=root).returncode == 0 and git(root, "diff") == diff


def test_an_expectation_is_not_given_a_thinking_mode_its_request_does_not_get(tmp_path):
    files = {"app/__init__.py": "", "tests/__init__.py": "",
             # the request sends its thinking mode already: nothing is added to it, or to the expectation
             "app/llm.py": 'MODEL = "deepseek-chat"\n\n\ndef ask(client):\n    return client.chat.completions.create(\n'
                           '        model=MODEL, messages=[], extra_body={"thinking": {"type": "disabled"}})\n',
             "tests/test_llm.py": 'from unittest.mock import MagicMock\n\nfrom app.llm import ask\n\n\ndef test_ask():\n'
                                  '    client = MagicMock()\n    ask(client)\n    client.chat.completions.create.assert_called_once_with(\n'
                                  '        model="deepseek-chat", messages=[], extra_body={"thinking": {"type": "disabled"}})\n'}
    root = committed_repo(tmp_path, files)
    assert run_cli(["--fix", "."], cwd=root).returncode == 0
    assert run_project_tests(root).returncode == 0, git(root, "diff")
    assert (root / "tests/test_llm.py").read_text().count("thinking") == 1


def test_the_report_keeps_listing_a_rewritten_value_no_request_sends_until_one_does(tmp_path):
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/settings.py": 'CHAT_MODEL = "deepseek-chat"\n'})
    run_cli(["--fix", "."], cwd=root)
    listed = run_cli(["--format", "json", "."], cwd=root)
    assert listed.returncode == 0  # a notice: a finished migration passes CI
    [notice] = __import__("json").loads(listed.stdout)["findings"]
    assert (notice["rule"], notice["severity"], notice["path"], notice["line"]) == ("DS007", "notice", "app/settings.py", 2)
    (root / "app/agent.py").write_text(AGENT.format(imports="from app.settings import CHAT_MODEL", model="CHAT_MODEL"))
    sent = run_cli(["--fix", "."], cwd=root)  # a request now sends it: fixed, and the value is no longer listed
    assert (root / "app/agent.py").read_text().endswith(f"messages=[], {OFF})\n"), sent.stdout
    assert __import__("json").loads(run_cli(["--format", "json", "."], cwd=root).stdout)["findings"] == []


def test_a_client_whose_base_url_defaults_to_deepseek_makes_its_requests_deepseeks(tmp_path):
    # mem0's shape: the host is the last of an `or` chain in __init__; the model comes from config
    src = ('import os\nfrom openai import OpenAI\nclass LLM:\n    def __init__(self, config):\n        self.config = config\n'
           '        base_url = config.base_url or os.getenv("DEEPSEEK_API_BASE") or "https://api.deepseek.com"\n'
           '        self.client = OpenAI(api_key="k", base_url=base_url)\n    def generate(self, messages):\n'
           '        params = {"model": self.config.model, "messages": messages}\n        return self.client.chat.completions.create(**params)\n')
    result, _ = run_on_text(tmp_path, src)
    assert [(f.rule, f.severity, f.line) for f in result.findings if f.rule == "DS007"] == [("DS007", "notice", 9)]


def test_a_model_set_with_update_on_the_params_a_request_spreads_is_followed_not_edited(tmp_path):
    # mem0's real shape: params come from a helper, then params.update({"model": ...}), then create(**params)
    src = HEAD + ('def ask(cfg, messages, **kwargs):\n    params = dict(kwargs)\n'
                  '    params.update({"model": cfg.model, "messages": messages})\n'
                  '    return client.chat.completions.create(**params)\n')
    result, after = run_on_text(tmp_path, src, fix=True)
    assert [(f.rule, f.severity, f.line, f.fix) for f in result.findings if f.rule == "DS007"] == [("DS007", "notice", 6, None)]
    assert after.decode() == src
    # a retired id in the update: rewritten, and the request that spreads it is named, not edited (kwargs
    # may hold an extra_body the update would replace)
    retired = src.replace("cfg.model", '"deepseek-chat"')
    result, after = run_on_text(tmp_path, retired, fix=True)
    assert after.decode() == retired.replace('"deepseek-chat"', CHAT)
    [value] = [f for f in result.findings if f.rule == "DS001"]
    assert "line 7: it passes **kwargs that may hold a thinking mode" in value.message
    assert [(f.rule, f.severity) for f in result.findings if f.rule == "DS007"] == [("DS007", "warning")]
    # another dict's update, or an update after the name is bound in another scope, tells nothing
    other = src.replace("params.update(", "options.update(")
    result, _ = run_on_text(tmp_path, other)
    assert not [f for f in result.findings if f.rule == "DS007"]


@pytest.mark.parametrize("tracked", [True, False], ids=["tracked reader", "untracked reader"])
def test_a_reader_the_run_scans_itself_is_found_whether_git_grep_read_it_or_not(tmp_path, tracked):
    """A file that holds an id (here the host) and imports a constant: git grep's search for the
    exported names finds it when it is tracked; an untracked one is read again by the run."""
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/settings.py": 'CHAT_MODEL = "deepseek-chat"\n'})
    agent = root / "app" / "agent.py"
    agent.write_text(AGENT.format(imports="from app.settings import CHAT_MODEL", model="CHAT_MODEL"))
    if tracked:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "agent")
    report = __import__("json").loads(run_cli(["--format", "json", "."], cwd=root).stdout)["findings"]
    assert ("app/agent.py", "DS007") in {(f["path"], f["rule"]) for f in report}, report
    assert run_cli(["--fix", "."], cwd=root).returncode == 0
    assert agent.read_text().endswith(f"messages=[], {OFF})\n")


@pytest.mark.parametrize("text, expected", [
    ('f(a, b) + 1', 'f(a, b)'),
    ('f(g(x), [1, (2)], {"k": ")"})', 'f(g(x), [1, (2)], {"k": ")"})'),
    ("f('it\\'s )', \"\"\"a ) \" b\"\"\") # x", "f('it\\'s )', \"\"\"a ) \" b\"\"\")"),
    ('f(a,  # a ) in a comment\n  b)\n', 'f(a,  # a ) in a comment\n  b)'),
    ('f(a, "unclosed', None),
])
def test_the_arguments_of_a_call_read_from_the_text_end_at_their_paren(text, expected):
    from codemod.scanners._pyflow import _closing_paren

    end = _closing_paren(text, 1)
    assert (text[:end] if end is not None else None) == expected


def test_past_the_calls_it_reads_a_default_decides_nothing(tmp_path):
    """The calls of a function are read from the text up to MAX_CALLS_READ: any one past them
    may pass its own model, so the request is not given the default's mode (a bounded scan of
    a file with thousands of calls)."""
    from codemod.scanners._pyflow import MAX_CALLS_READ

    define = 'def f(prompt, model="deepseek-chat"):\n    return client.chat.completions.create(model=model, messages=[])\n'
    for calls, thinking in ((MAX_CALLS_READ, True), (MAX_CALLS_READ + 1, False)):
        _, after = run_on_text(tmp_path, HEAD + define + 'f("a")\n' * calls, fix=True)
        assert (OFF in after.decode()) is thinking


@pytest.mark.parametrize("caller, safe", [
    ("from app.settings import MODEL\n\nclient.chat.completions.create(model=MODEL, messages=[])\n", True),
    ("from app.settings import MODEL\n\nprint(MODEL)\n", False),
], ids=["a request sends it", "no request sends it"])
def test_another_variables_env_default_is_fixed_only_where_a_request_gets_its_mode(tmp_path, caller, safe):
    """`os.getenv("LLM_MODEL", "deepseek-chat")` becomes the bare V4 id as the default: where no
    request of the project sends the value with the old id's thinking mode, nothing would say
    afterwards which mode it needs (this tool's own rewrite stays listed, DS007), so that fix is
    unsafe; the check and the fix agree."""
    root = committed_repo(tmp_path, {"app/__init__.py": "", "app/settings.py": 'import os\n\nMODEL = os.getenv("LLM_MODEL", "deepseek-chat")\n',
                                     "app/main.py": HEAD + caller})
    import json

    report = json.loads(run_cli(["--format", "json", "."], cwd=root).stdout)["findings"]
    [default] = [f for f in report if f["path"] == "app/settings.py"]
    assert default["fix"] == ("safe" if safe else "unsafe"), default["message"]
    fixed = run_cli(["--fix", "--format", "json", "."], cwd=root)
    assert fixed.returncode in (0, 1), fixed.stderr
    settings = (root / "app/settings.py").read_text()
    assert ("deepseek-v4-flash" in settings) is safe and (OFF in (root / "app/main.py").read_text()) is safe
    left = [f["message"] for f in json.loads(fixed.stdout)["findings"] if f["path"] == "app/settings.py" and not f["fixed"]]
    # (the second pass over the fixed files keeps it unsafe, and says why once)
    assert [m.count("no request sending it was found") for m in left] == ([] if safe else [1]), left
