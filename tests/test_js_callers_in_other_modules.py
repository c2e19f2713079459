"""JavaScript/TypeScript: a parameter's default decides the thinking mode of its function's request
only for the calls that pass nothing. A call in another module that passes its own model
(``ask(q, "deepseek-reasoner")``, ``new Bot({ model: "deepseek-reasoner" })``) would get the
default's mode too once the request sends it: that fix is unsafe, and the report names the call.
The Python side is tests/test_callers_in_other_modules.py; calls in the function's own module are
followed by the scan itself (the last tests here)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fake_deepseek import FakeDeepSeek
from helpers import check_callers_keep_their_mode, check_default_fix, committed_repo, run_cli
from test_js_apps import app_env

OFF = 'thinking: { type: "disabled" }'
CLIENT = ('import OpenAI from "openai";\n'
          'const client = new OpenAI({ baseURL: process.env.DEEPSEEK_BASE_URL ?? "https://api.deepseek.com", '
          'apiKey: process.env.DEEPSEEK_API_KEY });\n')
SEND = 'client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }] })'
FUNCTION = CLIENT + f'export async function ask(prompt, model = "deepseek-chat") {{\n  return {SEND};\n}}\n'
ARROW = CLIENT + f'export const ask = async (prompt, model = "deepseek-chat") => {SEND};\n'
TYPED = CLIENT + f'export async function ask(prompt: string, model: string = "deepseek-chat") {{\n  return {SEND};\n}}\n'
ENV_DEFAULT = CLIENT + f'export async function ask(prompt, model = process.env.CHAT_MODEL ?? "deepseek-chat") {{\n  return {SEND};\n}}\n'
OPTIONS = CLIENT + f'export async function ask(prompt, {{ model = "deepseek-chat", temperature = 0 }} = {{}}) {{\n  return {SEND};\n}}\n'
MULTILINE = CLIENT + f'export async function ask(\n  prompt,\n  model = "deepseek-chat", // the chat model\n) {{\n  return {SEND};\n}}\n'
CLASS = CLIENT + ('export class Bot {\n  constructor({ model = "deepseek-chat" } = {}) {\n    this.model = model;\n  }\n\n'
                  '  async reply(prompt) {\n    return client.chat.completions.create({ model: this.model, '
                  'messages: [{ role: "user", content: prompt }] });\n  }\n}\n')
METHOD = CLIENT + f'export class Bot {{\n  async reply(prompt, model = "deepseek-chat") {{\n    return {SEND};\n  }}\n}}\n'
# koay-bot's shape: the methods of a module-level object (`deepseek.chat(...)`)
OBJECT = CLIENT + f'export const deepseek = {{\n  async chat(prompt, model = "deepseek-chat") {{\n    return {SEND};\n  }},\n}};\n'
OBJECT_ARROW = CLIENT + f'export const deepseek = {{\n  chat: async (prompt, model = "deepseek-chat") => {SEND},\n}};\n'
DEFAULT_CLASS = CLASS.replace("export class Bot", "export default class Bot")
COMMONJS = (CLIENT.replace('import OpenAI from "openai";', 'const OpenAI = require("openai");')
            + CLASS.split(CLIENT, 1)[1].replace("export class Bot", "class Bot") + "module.exports = Bot;\n")

# (name, the definer (app/llm.js, or .ts), the caller (app/main.js), whether the default's fix stays safe)
CALLERS = [
    ("passes nothing", FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi");\n', True),
    ("passes the same id", FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-chat");\n', True),
    ("passes the other id", FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-reasoner");\n', False),
    ("passes a value not known", FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi", process.argv[2]);\n', False),
    ("passes a current id", FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-v4-pro");\n', False),
    ("passes a spread", FUNCTION, 'import { ask } from "./llm.js";\nexport const go = (...args) => ask(...args);\n', False),
    ("an alias", FUNCTION, 'import { ask as chat } from "./llm.js";\nawait chat("hi", "deepseek-reasoner");\n', False),
    ("a namespace", FUNCTION, 'import * as llm from "./llm.js";\nawait llm.ask("hi", "deepseek-reasoner");\n', False),
    ("require", FUNCTION, 'const { ask } = require("./llm");\nask("hi", "deepseek-reasoner");\n', False),
    ("another module's ask", FUNCTION, 'import { ask } from "./other.js";\nawait ask("hi", "deepseek-reasoner");\n', True),
    ("an arrow function", ARROW, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-reasoner");\n', False),
    ("an env default", ENV_DEFAULT, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-reasoner");\n', False),
    ("a signature on lines", MULTILINE, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-reasoner");\n', False),
    ("an options key", OPTIONS, 'import { ask } from "./llm.js";\nawait ask("hi", { model: "deepseek-reasoner" });\n', False),
    ("options without it", OPTIONS, 'import { ask } from "./llm.js";\nawait ask("hi", { temperature: 1 });\n', True),
    ("options not known", OPTIONS, 'import { ask } from "./llm.js";\nexport const go = (o) => ask("hi", o);\n', False),
    ("a constructor", CLASS, 'import { Bot } from "./llm.js";\nawait new Bot({ model: "deepseek-reasoner" }).reply("hi");\n', False),
    ("a constructor passed nothing", CLASS, 'import { Bot } from "./llm.js";\nawait new Bot().reply("hi");\n', True),
    ("a default-exported class", DEFAULT_CLASS, 'import Bot from "./llm.js";\nnew Bot({ model: "deepseek-reasoner" });\n', False),
    ("module.exports = Class", COMMONJS, 'const Bot = require("./llm");\nnew Bot({ model: "deepseek-reasoner" });\n', False),
    ("a method", METHOD, 'import { Bot } from "./llm.js";\nconst bot = new Bot();\nawait bot.reply("hi", "deepseek-reasoner");\n', False),
    ("an object's method", OBJECT, 'import { deepseek } from "./llm.js";\nconst think = process.argv.length > 2;\n'
     'await deepseek.chat("hi", think ? "deepseek-reasoner" : "deepseek-chat");\n', False),
    ("an object's method passed nothing", OBJECT, 'import { deepseek } from "./llm.js";\nawait deepseek.chat("hi");\n', True),
    ("an object's arrow function", OBJECT_ARROW, 'import { deepseek } from "./llm.js";\nawait deepseek.chat("hi", "deepseek-reasoner");\n', False),
    ("a method passed nothing", METHOD, 'import { Bot } from "./llm.js";\nawait new Bot().reply("hi");\n', True),
]


def _tree(tmp_path: Path, definer: str, caller: str) -> Path:
    suffix = "ts" if definer is TYPED else "js"
    return committed_repo(tmp_path, {f"app/llm.{suffix}": definer, "app/main.js": caller,
                                     "app/other.js": "export async function ask(q, model) {}\n"})


def _default_finding(root: Path, env=None) -> dict:
    report = json.loads(run_cli(["--format", "json", "."], cwd=root, env=env).stdout)["findings"]
    [default] = [f for f in report if f["path"].startswith("app/llm.") and f["rule"] == "DS001"]
    return default


def _definer_text(root: Path) -> str:
    return next(root.glob("app/llm.*")).read_text()


@pytest.mark.parametrize("name, definer, caller, safe", CALLERS, ids=[case[0] for case in CALLERS])
@pytest.mark.parametrize("git_grep", [True, False], ids=["git-grep", "python-read"])
def test_a_default_whose_callers_elsewhere_pass_another_mode_is_an_unsafe_fix(tmp_path, name, definer, caller, safe, git_grep):
    root = _tree(tmp_path, definer, caller)
    env = {} if git_grep else {"V4_MIGRATE_NO_GIT_GREP": "1"}
    definer_path = next(root.glob("app/llm.*"))
    check_default_fix(root, env, definer_path, "app/main.js", safe, OFF, _default_finding(root, env))


def test_a_typescript_definer(tmp_path):
    root = _tree(tmp_path, TYPED, 'import { ask } from "./llm";\nawait ask("hi", "deepseek-reasoner");\n')
    assert _default_finding(root)["fix"] == "unsafe"


def test_the_callers_decide_in_a_process_pool_too(tmp_path):
    root = _tree(tmp_path, FUNCTION, 'import { ask } from "./llm.js";\nawait ask("hi", "deepseek-reasoner");\n')
    env = {"V4_MIGRATE_POOL_MIN_BYTES": "0"}
    report = json.loads(run_cli(["--format", "json", "--jobs", "2", "."], cwd=root, env=env).stdout)["findings"]
    assert [f["fix"] for f in report if f["path"] == "app/llm.js"] == ["unsafe"]
    assert run_cli(["--fix", "--jobs", "2", "."], cwd=root, env=env).returncode in (0, 1)
    assert OFF not in _definer_text(root)


# In the function's own module, the scan follows its calls: a constructor's too (`new Bot(...)`), and
# the keys of options destructured with a default (`{ model = "..." } = {}`), in JavaScript and TypeScript.
OWN_MODULE = [
    ("a constructor called with the other id", CLASS + 'export const thinker = new Bot({ model: "deepseek-reasoner" });\n', False),
    ("a constructor called with nothing", CLASS + "export const bot = new Bot();\n", True),
    ("typed options", CLASS.replace('{ model = "deepseek-chat" } = {}', '{ model = "deepseek-chat" }: { model?: string } = {}')
     + 'export const thinker = new Bot({ model: "deepseek-reasoner" });\n', False),
    ("a renamed key", OPTIONS.replace('{ model = "deepseek-chat", temperature = 0 }', '{ model: chosen = "deepseek-chat" }')
     .replace("{ model, messages", "{ model: chosen, messages") + 'await ask("hi", { model: "deepseek-reasoner" });\n', False),
]


@pytest.mark.parametrize("name, source, thinking_sent", OWN_MODULE, ids=[case[0] for case in OWN_MODULE])
def test_calls_in_the_functions_own_module(tmp_path, name, source, thinking_sent):
    suffix = "ts" if "?: string" in source else "js"
    root = committed_repo(tmp_path, {f"app/llm.{suffix}": source})
    assert run_cli(["--fix", "."], cwd=root).returncode in (0, 1)
    text = _definer_text(root)
    assert "deepseek-chat" not in text and (OFF in text) is thinking_sent, text


MAIN = '''import { Bot } from "./llm.mjs";

const bot = process.argv[2] ? new Bot({ model: "deepseek-reasoner" }) : new Bot();
const reply = await bot.reply(process.argv[2] ?? "[chat] hello");
console.log(reply.choices[0].message.content);
'''


def _run(tree: Path, server: FakeDeepSeek, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", "app/main.mjs", *args], cwd=tree, env=app_env(server), capture_output=True, text=True, timeout=60)


def test_with_real_openai_node_the_plain_fix_keeps_each_calls_thinking_mode(tmp_path, node_modules):
    """Under node, against the fake V4 API: the constructor call that passed ``deepseek-reasoner`` still gets
    thinking on after ``--fix`` (its id rewritten, the function's request left as it was, reported);
    the unsafe fix sends thinking disabled for it too, which is why it is unsafe."""
    (tmp_path / "node_modules").symlink_to(node_modules, target_is_directory=True)
    root = committed_repo(tmp_path, {"app/llm.mjs": CLASS, "app/main.mjs": MAIN})  # node finds the packages above it
    check_callers_keep_their_mode(root, root / "app/llm.mjs", _run)


# The signature finder (by lines, before any parse) must name what the scan's tree names: a
# function it misses has no importers followed, and its default's fix stays safe.
SIGNATURES = [
    ("a function", FUNCTION, [("ask", "model")]),
    ("an arrow function", ARROW, [("ask", "model")]),
    ("typed", TYPED, [("ask", "model")]),
    ("an env default", ENV_DEFAULT, [("ask", "model")]),
    ("an options key", OPTIONS, [("ask", "model")]),
    ("on lines", MULTILINE, [("ask", "model")]),
    ("a constructor", CLASS, [("Bot", "model")]),
    ("a method", METHOD, [("Bot.reply", "model")]),
    ("an object's method", OBJECT, [("deepseek.chat", "model")]),
    ("an object's arrow function", OBJECT_ARROW, [("deepseek.chat", "model")]),
    ("a class field holding a function", 'export class Bot {\n  reply = async (model = "deepseek-chat") => {};\n}\n', []),
    ("an assignment in a body", 'export function ask(prompt) {\n  let model;\n  model = "deepseek-chat";\n}\n', []),
    ("a parameter destructured in the body", 'export function ask(o) {\n  const { model = "deepseek-chat" } = o;\n}\n', [("ask", "model")]),
    ("a nested function's body", 'export function ask(o) {\n  return () => {\n    const { model = "deepseek-chat" } = other;\n  };\n}\n', []),
    ("a nested function", 'export function outer() {\n  function ask(model = "deepseek-chat") {}\n}\n', []),
    ("a comment closes nothing", 'export function ask(prompt, // (a\n  model = "deepseek-chat") {}\n', [("ask", "model")]),
    ("options read in the body", 'class Bot {\n  constructor(config = {}) {\n    const { model = "deepseek-chat" } = config;\n  }\n}\n',
     [("Bot", "model")]),
    ("another name read in the body", 'class Bot {\n  constructor(config = {}) {\n    const { model = "deepseek-chat" } = other;\n  }\n}\n', []),
    ("a class in a function", 'function make() {\n  class Bot {\n    constructor(model = "deepseek-chat") {}\n  }\n}\n', []),
]


@pytest.mark.parametrize("name, source, expected", SIGNATURES, ids=[case[0] for case in SIGNATURES])
def test_the_signature_finder(name, source, expected):
    from codemod.catalog import default_catalog
    from codemod.project import js_exports_in

    path = "app/llm.ts" if source is TYPED else "app/llm.js"
    found = [(e.name, e.param) for e in js_exports_in(source.encode(), path, default_catalog()) if e.param]
    assert found == expected


def test_the_module_default_export_is_known():
    from codemod.catalog import default_catalog
    from codemod.project import ProjectFacts, js_exports_in

    for source in (DEFAULT_CLASS, COMMONJS):
        facts = ProjectFacts(js_exports_in(source.encode(), "app/llm.js", default_catalog()))
        view = facts.for_file("app/main.js", "javascript")
        assert view.functions_of("./llm") == {"Bot": "app/llm.js:Bot", "default": "app/llm.js:Bot"}
        assert "default" not in facts.names  # (a word every module holds: not searched for)


# anything-llm's shape: the constructor destructures its options in its body, and the caller reaches
# the class through the folder's barrel module (`module.exports = { DeepSeekProvider }`).
PROVIDER = ('const OpenAI = require("openai");\n\nclass DeepSeekProvider {\n  model;\n\n  constructor(config = {}) {\n'
            '    const { model = "deepseek-chat" } = config;\n'
            '    this._client = new OpenAI({ baseURL: "https://api.deepseek.com/v1", apiKey: process.env.DEEPSEEK_API_KEY });\n'
            '    this.model = model;\n  }\n\n  async complete(messages) {\n'
            '    return await this._client.chat.completions.create({ model: this.model, messages });\n  }\n}\n\n'
            'module.exports = DeepSeekProvider;\n')
BARREL = 'const DeepSeekProvider = require("./deepseek.js");\n\nmodule.exports = { DeepSeekProvider };\n'


@pytest.mark.parametrize("caller, safe", [
    ('const Providers = require("./providers/index.js");\nconst p = new Providers.DeepSeekProvider({ model: config.model });\n', False),
    ('const { DeepSeekProvider } = require("./providers");\nconst p = new DeepSeekProvider({ model: "deepseek-reasoner" });\n', False),
    ('const { DeepSeekProvider } = require("./providers");\nconst p = new DeepSeekProvider();\n', True),
], ids=["through the barrel, a model not known", "destructured from the barrel", "passed nothing"])
def test_a_constructor_reading_its_options_in_its_body_through_a_barrel(tmp_path, caller, safe):
    root = committed_repo(tmp_path, {"agents/providers/deepseek.js": PROVIDER, "agents/providers/index.js": BARREL,
                                     "agents/index.js": caller})
    report = json.loads(run_cli(["--format", "json", "."], cwd=root).stdout)["findings"]
    [default] = [f for f in report if f["path"] == "agents/providers/deepseek.js" and f["rule"] == "DS001"]
    assert default["fix"] == ("safe" if safe else "unsafe"), default["message"]
    assert run_cli(["--fix", "."], cwd=root).returncode in (0, 1)
    assert (OFF in (root / "agents/providers/deepseek.js").read_text()) is safe
