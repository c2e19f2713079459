"""The JavaScript/TypeScript scanner (scanners/javascript.py): every call shape of issue 13 across
CommonJS, ESM, TypeScript, TSX and a Vue SFC, as (path, source, fixed) tables with exact edits;
the review and mention positions; the ids that are not DeepSeek's API; files that do not parse.

The thinking mode each library takes (rules/libraries_js.toml) is checked against the real
packages by tests/test_js_apps.py; here the edits themselves are pinned."""

from __future__ import annotations

import json

import pytest

from helpers import git, run_cli, run_on_text

FIXED = [
    # openai-node, ESM, a multi-line call with a trailing comma
    ("chat.mjs",
     'import OpenAI from "openai";\n'
     'const client = new OpenAI({ baseURL: "https://api.deepseek.com", apiKey: process.env.DEEPSEEK_API_KEY });\n'
     "const reply = await client.chat.completions.create({\n"
     '  model: "deepseek-chat",\n'
     "  messages,\n"
     "});\n",
     'import OpenAI from "openai";\n'
     'const client = new OpenAI({ baseURL: "https://api.deepseek.com", apiKey: process.env.DEEPSEEK_API_KEY });\n'
     "const reply = await client.chat.completions.create({\n"
     '  model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash",\n'
     "  messages,\n"
     '  thinking: { type: "disabled" },\n'
     "});\n"),
    # CommonJS, single quotes, one line: deepseek-reasoner keeps thinking on, explicitly
    ("worker.cjs",
     "const OpenAI = require('openai');\nconst client = new OpenAI();\n"
     "client.chat.completions.create({ model: 'deepseek-reasoner', messages }).then(print);\n",
     "const OpenAI = require('openai');\nconst client = new OpenAI();\n"
     "client.chat.completions.create({ model: process.env.DEEPSEEK_REASONER_MODEL ?? 'deepseek-v4-flash', messages, "
     "thinking: { type: 'enabled' } }).then(print);\n"),
    # a constant of the file, sent by two requests; a stream. In TypeScript openai-node's body gets
    # `...{ thinking }`: its request type has no `thinking`, and a spread is not checked for excess keys
    ("src/agent.ts",
     'const MODEL = "deepseek-chat";\n'
     "export async function ask(messages: Msg[]) {\n"
     "  await client.chat.completions.create({ model: MODEL, messages });\n"
     "  return client.chat.completions.stream({ model: MODEL, messages, stream: true });\n"
     "}\n",
     'const MODEL = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\n'
     "export async function ask(messages: Msg[]) {\n"
     '  await client.chat.completions.create({ model: MODEL, messages, ...{ thinking: { type: "disabled" } } });\n'
     '  return client.chat.completions.stream({ model: MODEL, messages, stream: true, ...{ thinking: { type: "disabled" } } });\n'
     "}\n"),
    # a class field read as this.model, and a constructor parameter property
    ("src/bot.ts",
     "class Bot {\n"
     '  model = "deepseek-chat";\n'
     "  run(messages: Msg[]) {\n"
     "    return this.client.chat.completions.create({ model: this.model, messages });\n"
     "  }\n"
     "}\n",
     "class Bot {\n"
     '  model = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\n'
     "  run(messages: Msg[]) {\n"
     '    return this.client.chat.completions.create({ model: this.model, messages, ...{ thinking: { type: "disabled" } } });\n'
     "  }\n"
     "}\n"),
    # a parameter's default, sent as the shorthand `{ model }`
    ("lib/ask.js",
     'export async function ask(prompt, model = "deepseek-chat") {\n'
     '  return client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }] });\n'
     "}\n",
     'export async function ask(prompt, model = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash") {\n'
     '  return client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], thinking: { type: "disabled" } });\n'
     "}\n"),
    # an explicit thinking mode is never overridden
    ("explicit.mjs",
     'await client.chat.completions.create({ model: "deepseek-chat", messages, thinking: { type: "enabled" } });\n',
     'await client.chat.completions.create({ model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash", messages, '
     'thinking: { type: "enabled" } });\n'),
    # a spread may carry its own thinking: ours goes first, so the spread's wins
    ("spread.mjs",
     'await client.chat.completions.create({ ...defaults, model: "deepseek-chat" });\n',
     'await client.chat.completions.create({ thinking: { type: "disabled" }, ...defaults, '
     'model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash" });\n'),
    # the Vercel AI SDK: the provider's model, thinking in providerOptions.deepseek
    ("src/route.ts",
     'import { generateText, streamText } from "ai";\n'
     'import { deepseek, createDeepSeek } from "@ai-sdk/deepseek";\n'
     'const { text } = await generateText({ model: deepseek("deepseek-chat"), prompt });\n'
     "const stream = streamText({\n"
     '  model: createDeepSeek({ apiKey })("deepseek-reasoner"),\n'
     "  prompt,\n"
     "});\n",
     'import { generateText, streamText } from "ai";\n'
     'import { deepseek, createDeepSeek } from "@ai-sdk/deepseek";\n'
     'const { text } = await generateText({ model: deepseek(process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"), prompt, '
     'providerOptions: { deepseek: { thinking: { type: "disabled" } } } });\n'
     "const stream = streamText({\n"
     '  model: createDeepSeek({ apiKey })(process.env.DEEPSEEK_REASONER_MODEL ?? "deepseek-v4-flash"),\n'
     "  prompt,\n"
     '  providerOptions: { deepseek: { thinking: { type: "enabled" } } },\n'
     "});\n"),
    # a provider made once and its model kept in a constant; providerOptions already there
    ("src/summary.ts",
     'const ds = createDeepSeek({ baseURL: "https://api.deepseek.com/v1" });\n'
     'const model = ds("deepseek-chat");\n'
     "await generateText({ model, prompt, providerOptions: { deepseek: { maxRetries: 1 } } });\n",
     'const ds = createDeepSeek({ baseURL: "https://api.deepseek.com/v1" });\n'
     'const model = ds(process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash");\n'
     'await generateText({ model, prompt, providerOptions: { deepseek: { maxRetries: 1, thinking: { type: "disabled" } } } });\n'),
    # LangChain.js: `model` and `modelName`
    ("chain.ts",
     'import { ChatDeepSeek } from "@langchain/deepseek";\n'
     'const llm = new ChatDeepSeek({ model: "deepseek-chat", temperature: 0 });\n'
     'const thinker = new ChatDeepSeek({ modelName: "deepseek-reasoner" });\n',
     'import { ChatDeepSeek } from "@langchain/deepseek";\n'
     'const llm = new ChatDeepSeek({ model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash", temperature: 0, '
     'modelKwargs: { thinking: { type: "disabled" } } });\n'
     'const thinker = new ChatDeepSeek({ modelName: process.env.DEEPSEEK_REASONER_MODEL ?? "deepseek-v4-flash", '
     'modelKwargs: { thinking: { type: "enabled" } } });\n'),
    # fetch with a body built first, and axios
    ("src/http.js",
     'const body = { model: "deepseek-chat", messages };\n'
     'await fetch(`${BASE}/chat/completions`, { method: "POST", body: JSON.stringify(body) });\n'
     'await axios.post("https://api.deepseek.com/chat/completions", { model: "deepseek-chat", messages });\n',
     'const body = { model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash", messages, thinking: { type: "disabled" } };\n'
     'await fetch(`${BASE}/chat/completions`, { method: "POST", body: JSON.stringify(body) });\n'
     'await axios.post("https://api.deepseek.com/chat/completions", { model: process.env.DEEPSEEK_CHAT_MODEL ?? '
     '"deepseek-v4-flash", messages, thinking: { type: "disabled" } });\n'),
    # a TSX component runs in a browser, where `process` may not be defined: literals; fetch in a handler
    ("app/Chat.tsx",
     "export function Chat() {\n"
     "  const send = () => fetch(\"/api/chat\", { method: \"POST\", body: JSON.stringify({ model: 'deepseek-chat', messages }) });\n"
     '  return <Picker model="deepseek-chat" onSend={send} />;\n'
     "}\n",
     "export function Chat() {\n"
     "  const send = () => fetch(\"/api/chat\", { method: \"POST\", body: JSON.stringify({ model: "
     "'deepseek-v4-flash', messages, thinking: { type: 'disabled' } }) });\n"
     '  return <Picker model="deepseek-chat" onSend={send} />;\n'  # a bare id no request here sends: unsafe
     "}\n"),
    # a Vue SFC that reads no environment: a literal (`process` is not defined in the browser)
    ("src/components/Ask.vue",
     "<template><button @click=\"ask\">deepseek-chat</button></template>\n"
     '<script setup lang="ts">\n'
     'const ask = () => fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "deepseek-chat" }) });\n'
     "</script>\n",
     "<template><button @click=\"ask\">deepseek-chat</button></template>\n"
     '<script setup lang="ts">\n'
     'const ask = () => fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "deepseek-v4-flash", '
     'thinking: { type: "disabled" } }) });\n'
     "</script>\n"),
    # Vite: the file reads import.meta.env already
    ("src/api.ts",
     "const base = import.meta.env.VITE_API_BASE;\n"
     'export const chat = (messages) => client.chat.completions.create({ model: "deepseek-chat", messages });\n',
     "const base = import.meta.env.VITE_API_BASE;\n"
     'export const chat = (messages) => client.chat.completions.create({ model: import.meta.env.VITE_DEEPSEEK_CHAT_MODEL ?? '
     '"deepseek-v4-flash", messages, ...{ thinking: { type: "disabled" } } });\n'),
    # an env read's default: only the default changes; a counting prefix stays outside the variable
    ("config.js",
     'const model = process.env.LLM_MODEL || "deepseek-chat";\n'
     'const routed = "deepseek/deepseek-chat";\n'
     'const fallback = pick() || "deepseek-reasoner";\n',
     'const model = process.env.LLM_MODEL || "deepseek-chat";\n'  # another variable's default: bare, unsent, unsafe
     'const routed = "deepseek/" + (process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash");\n'
     'const fallback = pick() || (process.env.DEEPSEEK_REASONER_MODEL ?? "deepseek-v4-flash");\n'),
    # a test file: literals, and the value and its check move together
    ("src/__tests__/config.test.ts",
     'const cfg = { model: "deepseek-chat" };\n'
     'expect(cfg.model).toBe("deepseek-chat");\n'
     'assert.strictEqual(load().model, "deepseek-chat");\n',
     'const cfg = { model: "deepseek-v4-flash" };\n'
     'expect(cfg.model).toBe("deepseek-v4-flash");\n'
     'assert.strictEqual(load().model, "deepseek-v4-flash");\n'),
]


@pytest.mark.parametrize("path, source, fixed", FIXED, ids=[case[0] for case in FIXED])
def test_safe_fix_rewrites_the_id_and_sends_its_thinking_mode(tmp_path, path, source, fixed):
    result, after = run_on_text(tmp_path, source, name=path, fix=True)
    assert not result.errors
    assert after.decode("utf-8") == fixed
    again, after_again = run_on_text(tmp_path, after, name=path, fix=True)
    assert after_again == after and not again.changed


ASK = 'export const ask = (messages) => client.chat.completions.create({ model: "deepseek-chat", messages });\n'


@pytest.mark.parametrize("package, source, expected", [
    # Vite defines no `process` in the browser: a read of it would throw as the page loads
    ({"devDependencies": {"vite": "^6.0.0"}}, ASK, 'model: "deepseek-v4-flash"'),
    # a file of it that reads process.env runs where there is one (a server, vite.config.ts)
    ({"devDependencies": {"vite": "^6.0.0"}}, "const key = process.env.KEY;\n" + ASK,
     'model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"'),
    ({"dependencies": {"next": "15.0.0"}}, ASK, 'model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"'),
], ids=["vite", "vite-reads-process-env", "next"])
def test_a_package_that_vite_builds_gets_the_literal(tmp_path, package, source, expected):
    (tmp_path / "package.json").write_text(json.dumps(package))
    result, after = run_on_text(tmp_path, source, name="src/api.ts", fix=True)
    assert not result.errors and expected in after.decode()


@pytest.mark.parametrize("name, source", [
    ("src/use-agent.ts", 'import { useMemo } from "react";\n' + ASK),  # Kotion's hooks: a React import
    ("src/chat.ts", 'import { useChat } from "@ai-sdk/react";\n' + ASK),
    ("src/chat.js", 'const { h } = require("preact");\n' + ASK),
    ("src/actions.ts", '"use client";\n' + ASK),
    ("src/Chat.jsx", ASK),
])
def test_code_that_runs_in_a_browser_gets_the_literal(tmp_path, name, source):
    result, after = run_on_text(tmp_path, source, name=name, fix=True)
    assert not result.errors and 'model: "deepseek-v4-flash"' in after.decode()
    server, after_server = run_on_text(tmp_path, "const key = process.env.KEY;\n" + source.replace('"use client";\n', ""),
                                       name=name, fix=True)
    assert 'model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"' in after_server.decode()


CLIENT = 'import OpenAI from "openai";\nconst client = new OpenAI({ baseURL: "https://api.deepseek.com" });\n'
CHAT_ENV = 'process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash"'
REASONER_ENV = 'process.env.DEEPSEEK_REASONER_MODEL ?? "deepseek-v4-flash"'


# (name, source after CLIENT, expected after CLIENT): a default is what a call that passes nothing sends
PARAMETER_DEFAULTS = [
    ("callers pass nothing",
     'export function chat(m, model = "deepseek-chat") {\n  return client.chat.completions.create({ model, messages: m });\n}\n'
     'chat([]);\n',
     f'export function chat(m, model = {CHAT_ENV}) {{\n  return client.chat.completions.create({{ model, messages: m, '
     'thinking: { type: "disabled" } });\n}\nchat([]);\n'),
    ("a caller passes the other mode",  # koay-bot's src/api/deepseek.ts, with its caller in the same file
     'export const api = {\n  async chat(m, model = "deepseek-chat") {\n    return client.chat.completions.create({ model, messages: m });\n  },\n};\n'
     'api.chat([], "deepseek-reasoner");\n',
     f'export const api = {{\n  async chat(m, model = {CHAT_ENV}) {{\n    return client.chat.completions.create({{ model, messages: m }});\n  }},\n}};\n'
     f'api.chat([], {REASONER_ENV});\n'),
    ("options with the other mode",
     'const chat = ({ m, model = "deepseek-chat" }) => client.chat.completions.create({ model, messages: m });\n'
     'chat({ m: [] });\nchat({ m: [], model: "deepseek-reasoner" });\n',
     f'const chat = ({{ m, model = {CHAT_ENV} }}) => client.chat.completions.create({{ model, messages: m }});\n'
     f'chat({{ m: [] }});\nchat({{ m: [], model: {REASONER_ENV} }});\n'),
    ("a method named like the library's request",
     'class Chat {\n  create({ m, model = "deepseek-chat" }) {\n    return client.chat.completions.create({ model, messages: m });\n  }\n}\n',
     f'class Chat {{\n  create({{ m, model = {CHAT_ENV} }}) {{\n    return client.chat.completions.create({{ model, messages: m, '
     'thinking: { type: "disabled" } });\n  }\n}\n'),
    ("a spread may pass anything",
     'function chat(m, model = "deepseek-chat") {\n  return client.chat.completions.create({ model, messages: m });\n}\n'
     'chat(...args);\n',
     f'function chat(m, model = {CHAT_ENV}) {{\n  return client.chat.completions.create({{ model, messages: m }});\n}}\n'
     'chat(...args);\n'),
]


@pytest.mark.parametrize("name, source, expected", PARAMETER_DEFAULTS, ids=[case[0] for case in PARAMETER_DEFAULTS])
def test_a_parameters_default_decides_the_mode_only_for_calls_that_pass_nothing(tmp_path, name, source, expected):
    result, after = run_on_text(tmp_path, CLIENT + source, name="api.js", fix=True)
    assert not result.errors and after.decode() == CLIENT + expected
    again, after_again = run_on_text(tmp_path, after, name="api.js", fix=True)
    assert after_again == after and not again.changed


E, I = "error", "info"


def _commit(tree) -> None:
    """A real git repository of the tree: the cross-module facts come from what git tracks."""
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "project")

REPORTED = [
    ("checks.ts",
     'if (model === "deepseek-chat") {}\n'
     'switch (m) { case "deepseek-reasoner": break; }\n'
     'const PRICES = { "deepseek-chat": 0.27 };\n'
     'type Model = "deepseek-chat" | "deepseek-v4-flash";\n'
     'enum M { Chat = "deepseek-chat" }\n'
     'const MODELS = ["deepseek-chat", "deepseek-v4-pro"];\n'
     "// deepseek-reasoner was slower\n"
     "const note = `switch from deepseek-chat`;\n"
     'if (ids.includes("deepseek-chat")) {}\n',
     [("DS002", 1, 15, E, "unsafe"), ("DS002", 2, 19, E, "unsafe"), ("DS002", 3, 18, E, None),
      ("DS002", 4, 14, E, None), ("DS002", 5, 17, E, None), ("DS002", 6, 17, E, None),
      ("DS003", 7, 4, I, None), ("DS003", 8, 27, I, None), ("DS002", 9, 18, E, "unsafe")]),
    # an argument of a call that is not a provider, a value under a key that is not a model key: for review
    ("calls.js",
     'logger.info("deepseek-chat");\nconst labels = { fast: "deepseek-chat" };\n',
     [("DS002", 1, 13, E, "unsafe"), ("DS002", 2, 24, E, "unsafe")]),
]


@pytest.mark.parametrize("path, source, expected", REPORTED, ids=[case[0] for case in REPORTED])
def test_review_and_mention_positions(tmp_path, path, source, expected):
    result, after = run_on_text(tmp_path, source, name=path, fix=True)
    assert after.decode("utf-8") == source  # none of these has a safe fix
    found = [(f.rule, f.line, f.column, f.severity, f.fix) for f in result.findings]
    assert found == expected


NOT_DEEPSEEK = [
    ("ollama.mjs", 'await ollama.chat({ model: "deepseek-r1:7b", messages });\n'),
    ("hf.ts", 'const repo = "deepseek-ai/DeepSeek-V3";\n'),
    ("suffixed.js", 'const m = "deepseek-chat-v3-0324";\n'),
    ("router.ts", 'import { openrouter } from "@openrouter/ai-sdk-provider";\n'
                  'await generateText({ model: openrouter("deepseek/deepseek-chat"), prompt });\n'),
    ("gateway.ts", 'await generateText({ model: "deepseek/deepseek-chat", prompt });\n'),
    ("other_host.mjs", 'const client = new OpenAI({ baseURL: "https://openrouter.ai/api/v1" });\n'
                       'await client.chat.completions.create({ model: "deepseek/deepseek-chat", messages });\n'),
    ("local.mjs", 'const client = new OpenAI({ baseURL: "http://localhost:8000/v1" });\n'
                  'await client.chat.completions.create({ model: "deepseek-chat", messages });\n'),
    ("comet.ts", 'export const COMETAPI_DEEPSEEK_CHAT = "deepseek-chat";\n'),
    ("fetch_elsewhere.js", 'fetch("https://api.together.xyz/v1/chat/completions", { body: JSON.stringify({ model: "deepseek-chat" }) });\n'),
    ("lc_elsewhere.ts", 'new ChatOpenAI({ model: "deepseek-chat", configuration: { baseURL: "https://openrouter.ai/api/v1" } });\n'),
]


@pytest.mark.parametrize("path, source", NOT_DEEPSEEK, ids=[case[0] for case in NOT_DEEPSEEK])
def test_ids_that_are_not_deepseeks_api_are_not_reported(tmp_path, path, source):
    result, _ = run_on_text(tmp_path, source, name=path)
    assert [f for f in result.findings if f.rule in ("DS001", "DS002", "DS007")] == []


def test_a_value_no_request_sends_says_what_to_send(tmp_path):
    result, after = run_on_text(tmp_path, 'export const settings = { model: "deepseek-chat" };\n', name="settings.js", fix=True)
    assert after == b'export const settings = { model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash" };\n'
    fixed, left = result.findings
    assert fixed.fixed and "no request sending it was found: send thinking disabled" in fixed.message
    # after the fix the rewrite is still listed, as in Python: V4 thinks by default, and nothing sends disabled yet
    assert (left.rule, left.severity, left.fixed) == ("DS007", "notice", False)
    assert "`DEEPSEEK_CHAT_MODEL` holds the successor of `deepseek-chat`, whose thinking mode was disabled" in left.message


UNSENT_REWRITES = [
    ("a constant no request sends", 'const MODEL = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\nconsole.log(MODEL);\n', 1),
    ("a Vite variable", 'const MODEL = import.meta.env.VITE_DEEPSEEK_REASONER_MODEL ?? "deepseek-v4-flash";\n', 1),
    ("sent with its thinking mode", 'const MODEL = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\n'
     'await client.chat.completions.create({ model: MODEL, messages, thinking: { type: "disabled" } });\n', 0),
    ("another variable", 'const MODEL = process.env.MY_MODEL ?? "deepseek-v4-flash";\n', 0),
    ("compared, not sent", 'if ((process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash") === m) {}\n', 0),
]


@pytest.mark.parametrize("name, source, notices", UNSENT_REWRITES, ids=[case[0] for case in UNSENT_REWRITES])
def test_a_rewrite_no_request_sends_stays_listed(tmp_path, name, source, notices):
    """A check of code this tool already fixed: its rewrite, where no request sends it with the
    thinking mode the old id had, is a DS007 notice, so a fixed tree never says "All checks passed"
    while a request would think where the old id did not."""
    path = tmp_path / "app.mjs"
    path.write_text(source)
    _commit(tmp_path)
    report = json.loads(run_cli(["--format", "json", "."], tmp_path).stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in report] == [("DS007", "notice")] * notices, report


def test_a_request_whose_model_may_have_two_thinking_modes_is_not_given_one(tmp_path):
    source = 'const m = fast ? "deepseek-chat" : "deepseek-reasoner";\nawait client.chat.completions.create({ model: m, messages });\n'
    result, after = run_on_text(tmp_path, source, name="pick.mjs", fix=True)
    text = after.decode()
    assert "thinking" not in text and text.count("deepseek-v4-flash") == 2
    assert all("different thinking modes" in f.message for f in result.findings)


def test_a_file_that_does_not_parse_is_reported_by_text_and_left_alone(tmp_path):
    source = 'const client = {\n  model: "deepseek-chat",\n'
    result, after = run_on_text(tmp_path, source, name="broken.ts", fix=True)
    assert after.decode() == source
    assert [(f.rule, f.line) for f in result.findings] == [("DS005", 2)]
    assert "does not parse" in result.findings[0].message


def test_suppression_comments_use_the_languages_own_comment(tmp_path):
    source = ('const a = "deepseek-chat"; // v4-migrate: ignore[DS001]\n'
              "// noqa: DS001\n"
              'const b = "deepseek-chat";\n'
              'const c = "deepseek-chat";\n')
    result, _ = run_on_text(tmp_path, source, name="s.ts")
    assert [(f.rule, f.line) for f in result.findings] == [("DS001", 4)]


def test_non_ascii_text_before_an_id_keeps_offsets(tmp_path):
    source = 'const greeting = "héllo 👋";\nawait client.chat.completions.create({ model: "deepseek-chat", messages });\n'
    result, after = run_on_text(tmp_path, source, name="u.mjs", fix=True)
    assert after.decode() == ('const greeting = "héllo 👋";\nawait client.chat.completions.create({ model: '
                              'process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash", messages, thinking: { type: "disabled" } });\n')


def test_minified_bundles_are_skipped_quietly(tmp_path):
    bundle = "var a=" + ",".join(["1"] * 4000) + ';var m="deepseek-chat";\n'
    result, _ = run_on_text(tmp_path, bundle, name="dist/app.js")
    assert result.findings == [] and not result.errors


def test_a_constant_imported_from_another_module_gets_its_thinking_mode_there(tmp_path):
    """Cross-module: `config.ts` exports the id, `client.mjs` sends it; one fix covers both files."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "config.ts").write_text('export const CHAT_MODEL = "deepseek-chat";\n')
    (tmp_path / "src" / "client.mjs").write_text(
        'import { CHAT_MODEL as model } from "./config";\n'
        'const cfg = require("./config.ts");\n'
        "await client.chat.completions.create({ model, messages });\n"
        "await client.chat.completions.create({ model: cfg.CHAT_MODEL, messages });\n")
    _commit(tmp_path)
    check = run_cli(["--format", "concise", "."], tmp_path)
    assert "src/client.mjs:3:40: DS007" in check.stdout and "src/config.ts:1:27: DS001" in check.stdout
    fixed = run_cli(["--fix", "."], tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (tmp_path / "src" / "config.ts").read_text() == 'export const CHAT_MODEL = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\n'
    assert (tmp_path / "src" / "client.mjs").read_text() == (
        'import { CHAT_MODEL as model } from "./config";\n'
        'const cfg = require("./config.ts");\n'
        'await client.chat.completions.create({ model, messages, thinking: { type: "disabled" } });\n'
        'await client.chat.completions.create({ model: cfg.CHAT_MODEL, messages, thinking: { type: "disabled" } });\n')
    again = run_cli(["--fix", "--format", "concise", "."], tmp_path)
    assert "All checks passed" in again.stdout, again.stdout


def test_a_member_of_a_constant_table_is_followed(tmp_path):
    """A value under a key that is not a model key is for review, unless a request sends it."""
    source = ("export const MODELS = { CHAT: 'deepseek-chat', CODER: 'deepseek-coder' } as const;\n"
              "await client.chat.completions.create({ model: MODELS.CHAT, messages });\n")
    _, after = run_on_text(tmp_path, source, name="table.ts", fix=True)
    assert after.decode() == (
        "export const MODELS = { CHAT: process.env.DEEPSEEK_CHAT_MODEL ?? 'deepseek-v4-flash', CODER: 'deepseek-coder' } as const;\n"
        "await client.chat.completions.create({ model: MODELS.CHAT, messages, ...{ thinking: { type: 'disabled' } } });\n")


@pytest.mark.parametrize("declared, warned", [("^0.2.13", True), ("~1.0.5", True), ("^1.0.31", False), ("2.0.69", False),
                                              ("latest", False), (None, False)])
def test_an_ai_sdk_too_old_to_send_the_thinking_mode_is_reported(tmp_path, declared, warned):
    """@ai-sdk/deepseek reads providerOptions.deepseek.thinking from 1.0.31 on (its dist/index.mjs): with an
    older one allowed by package.json, the request would think anyway. The fix still rewrites the id and
    sends the mode; DS007 stays until the package is upgraded."""
    if declared is not None:
        (tmp_path / "package.json").write_text('{"dependencies": {"@ai-sdk/deepseek": "%s", "ai": "^4.3.10"}}' % declared)
    source = 'await generateText({ model: deepseek("deepseek-chat"), prompt });\n'
    result, after = run_on_text(tmp_path, source, name="src/route.ts", fix=True)
    assert "providerOptions: { deepseek: { thinking: { type: \"disabled\" } } }" in after.decode()
    again, _ = run_on_text(tmp_path, after, name="src/route.ts")
    messages = [f.message for f in again.findings if f.rule == "DS007"]
    assert bool(messages) == warned, messages
    if warned:
        assert f"allows `@ai-sdk/deepseek` {declared}" in messages[0] and "before 1.0.31" in messages[0]


SVELTE = ('<script lang="ts">\n  import { generateText } from "ai";\n  const reply = () => generateText({ model: deepseek("deepseek-chat"), prompt });\n'
          "</script>\n\n<p>Ask deepseek-chat</p>\n")


def test_a_svelte_script_block_is_fixed_in_place(tmp_path):
    result, after = run_on_text(tmp_path, SVELTE, name="src/Ask.svelte", fix=True)
    assert after.decode() == SVELTE.replace(
        'deepseek("deepseek-chat"), prompt });',
        'deepseek("deepseek-v4-flash"), prompt, providerOptions: { deepseek: { thinking: { type: "disabled" } } } });')
    assert [(f.rule, f.line) for f in result.findings if not f.fixed] == [("DS003", 6)]  # the markup: prose


def test_js_findings_go_through_every_report_format_the_baseline_and_diff(tmp_path):
    """No special case for the new format: SARIF (valid against the schema), the baseline ratchet, --diff."""
    import json

    from test_reporters import assert_valid_sarif

    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "chat.ts").write_text('export const reply = () => client.chat.completions.create({ model: "deepseek-chat", messages });\n')
    _commit(tmp_path)
    sarif = run_cli(["--format", "sarif", "."], tmp_path)
    document = json.loads(sarif.stdout)
    assert_valid_sarif(document)
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "DS001" and result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "web/chat.ts"
    diff = run_cli(["--diff", "."], tmp_path)
    assert '+export const reply = () => client.chat.completions.create({ model: process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash", ' \
           'messages, ...{ thinking: { type: "disabled" } } });' in diff.stdout
    assert run_cli(["--write-baseline", "base.json", "."], tmp_path).returncode == 0
    assert run_cli(["--baseline", "base.json", "."], tmp_path).returncode == 0
    (tmp_path / "web" / "more.mjs").write_text('export const MODEL = "deepseek-reasoner";\n')
    assert run_cli(["--baseline", "base.json", "."], tmp_path).returncode == 1  # a new one fails the gate


def test_a_vue_templates_attribute_is_reported_for_review(tmp_path):
    source = '<template>\n  <ChatBox model="deepseek-chat" title="Ask deepseek-reasoner" />\n</template>\n<script setup>\nconst x = 1;\n</script>\n'
    result, after = run_on_text(tmp_path, source, name="Chat.vue", fix=True)
    assert after.decode() == source
    assert [(f.rule, f.line, f.column, f.fix) for f in result.findings] == [("DS002", 2, 19, None), ("DS003", 2, 45, None)]


@pytest.mark.parametrize("dialect", ["javascript", "typescript", "tsx"])
def test_the_query_index_and_the_plain_walk_find_the_same_nodes(dialect):
    """The index of a file comes from one tree-sitter query; without one (an older binding) a walk."""
    from codemod.scanners import _jsflow, _jstree

    source = FIXED[2][1] + FIXED[4][1] + FIXED[9][1]
    parser = _jstree.parser(dialect)
    root = parser.parse(source.encode()).root_node
    by_query = _jstree.nodes_of(root, _jsflow._INDEXED, parser.language)
    by_walk = _jstree.nodes_of(root, _jsflow._INDEXED)
    assert [(n.type, n.start_byte) for n in by_query] == [(n.type, n.start_byte) for n in by_walk] and by_walk


def test_a_test_check_moves_with_its_value_or_stays(tmp_path):
    """In a test, a check is fixed with the value it checks (here, or a constant of an imported module);
    a check of a value the fix leaves alone (a library's own table) is not, or the test would fail."""
    (tmp_path / "src").mkdir()
    (tmp_path / "test").mkdir()
    (tmp_path / "src" / "config.ts").write_text('export const CHAT_MODEL = "deepseek-chat";\n')
    (tmp_path / "src" / "models.ts").write_text('export enum Model { Chat = "deepseek-chat" }\n')
    (tmp_path / "test" / "config.test.ts").write_text(
        'import { CHAT_MODEL } from "../src/config";\n'
        'import { Model } from "../src/models";\n'
        'expect(CHAT_MODEL).toBe("deepseek-chat");\n'
        'expect(Model.Chat).toBe("deepseek-reasoner".replace("reasoner", "chat"));\n')
    (tmp_path / "test" / "models.test.ts").write_text('import { Model } from "../src/models";\nexpect(Model.Chat).toBe("deepseek-chat");\n')
    _commit(tmp_path)
    run_cli(["--fix", "."], tmp_path)
    assert (tmp_path / "src" / "config.ts").read_text() == 'export const CHAT_MODEL = process.env.DEEPSEEK_CHAT_MODEL ?? "deepseek-v4-flash";\n'
    assert 'expect(CHAT_MODEL).toBe("deepseek-v4-flash");' in (tmp_path / "test" / "config.test.ts").read_text()
    assert (tmp_path / "src" / "models.ts").read_text() == 'export enum Model { Chat = "deepseek-chat" }\n'  # review only
    assert (tmp_path / "test" / "models.test.ts").read_text().endswith('toBe("deepseek-chat");\n')  # so its check stays


def test_a_deepseek_request_whose_model_is_not_known_here_is_a_notice(tmp_path):
    """The model comes from somewhere the tool cannot see (an env var no file sets, an argument):
    V4 thinks by default, so the request is listed (DS007, a notice below the default gate), unfixed."""
    source = ('const client = new OpenAI({ baseURL: "https://api.deepseek.com" });\n'
              "export const ask = (model, messages) => client.chat.completions.create({ model, messages });\n"
              "export const llm = new ChatDeepSeek({ model: process.env.LLM_MODEL });\n"
              "export const local = new OpenAI({ baseURL: 'http://localhost:8000/v1' }).chat.completions.create({ model, messages });\n")
    result, after = run_on_text(tmp_path, source, name="ask.mjs", fix=True)
    assert after.decode() == source
    assert [(f.rule, f.line, f.severity, f.fix) for f in result.findings] == [("DS007", 2, "notice", None), ("DS007", 3, "notice", None)]
    assert "its model is not known here" in result.findings[0].message


def test_an_env_var_a_dotenv_file_sets_to_a_retired_id_gets_its_thinking_mode(tmp_path):
    """`.env` says DEEPSEEK_MODEL=deepseek-chat and the code sends `process.env.DEEPSEEK_MODEL`: the .env
    value and the request's thinking mode are one fix."""
    (tmp_path / ".env").write_text("DEEPSEEK_MODEL=deepseek-chat\n")
    (tmp_path / "bot.mjs").write_text("await client.chat.completions.create({ model: process.env.DEEPSEEK_MODEL, messages });\n")
    _commit(tmp_path)
    fixed = run_cli(["--fix", "."], tmp_path)
    assert (tmp_path / ".env").read_text() == "DEEPSEEK_MODEL=deepseek-v4-flash\n", fixed.stdout
    assert (tmp_path / "bot.mjs").read_text() == (
        'await client.chat.completions.create({ model: process.env.DEEPSEEK_MODEL, messages, thinking: { type: "disabled" } });\n')


BROWSER = 'import { useMemo } from "react";\n'
# (name, source of browser code, the fix of its id): a rewrite to the bare V4 id keeps no trace of the
# thinking mode the old id had, so where no request of the file sends that mode, the fix is unsafe
BARE_REWRITES = [
    ("sent by a request of the file", BROWSER + ASK, "safe"),
    ("passed to another module's function", BROWSER + 'import { chat } from "./api";\nchat({ model: "deepseek-chat" });\n', "unsafe"),
    ("a request whose model may be another", BROWSER + 'const m = fast ? "deepseek-chat" : props.model;\n'
     'await client.chat.completions.create({ model: m, messages });\n', "unsafe"),
    # V4 thinks by default, as deepseek-reasoner did: its bare id keeps the mode without a request
    ("the old id thought", BROWSER + 'import { chat } from "./api";\nchat({ model: "deepseek-reasoner" });\n', "safe"),
    ("a server file reads the environment", 'import { chat } from "./api";\nconst key = process.env.KEY;\nchat({ model: "deepseek-chat" });\n', "safe"),
]


@pytest.mark.parametrize("name, source, fix", BARE_REWRITES, ids=[case[0] for case in BARE_REWRITES])
def test_a_bare_rewrite_whose_thinking_mode_is_not_sent_is_unsafe(tmp_path, name, source, fix):
    result, after = run_on_text(tmp_path, source, name="src/hooks.ts", fix=True)
    ids = [f for f in result.findings if f.rule == "DS001"]
    assert ids and {f.fix for f in ids} == {fix}, [(f.fix, f.message) for f in ids]
    assert ("deepseek-chat" in after.decode()) is (fix == "unsafe")


@pytest.mark.parametrize("caller, safe", [
    ('import { MODEL } from "./config";\nawait client.chat.completions.create({ model: MODEL, messages });\n', True),
    ('import { MODEL } from "./config";\nconsole.log(MODEL);\n', False),
], ids=["a request sends it", "no request sends it"])
def test_an_exported_bare_rewrite_is_fixed_only_where_a_request_gets_its_mode(tmp_path, caller, safe):
    """Browser code's `export const MODEL = "deepseek-chat"` becomes the bare V4 id: safe where a
    request of the project sends it (and so its thinking mode), unsafe where none does."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "config.tsx").write_text('export const MODEL = "deepseek-chat";\n')
    (tmp_path / "src" / "chat.mjs").write_text(CLIENT + caller)
    _commit(tmp_path)
    report = json.loads(run_cli(["--format", "json", "."], tmp_path).stdout)["findings"]
    [constant] = [f for f in report if f["path"] == "src/config.tsx"]
    assert constant["fix"] == ("safe" if safe else "unsafe"), constant["message"]
    assert run_cli(["--fix", "."], tmp_path).returncode in (0, 1)
    assert ("deepseek-v4-flash" in (tmp_path / "src" / "config.tsx").read_text()) is safe
