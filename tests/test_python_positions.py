"""pyupgrade-style tables: (source, expected after --fix) per position kind, and what is reported."""

from __future__ import annotations

import pytest

from helpers import rules_of, run_on_text

ENV_CHAT = 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")'
ENV_REASONER = 'os.environ.get("DEEPSEEK_REASONER_MODEL", "deepseek-v4-flash")'

# Value positions: a safe fix to the env-parameterized V4 id.
SAFE_FIXES = [
    ("assignment", 'M = "deepseek-chat"\n', f"import os\nM = {ENV_CHAT}\n"),
    ("annotated assignment", 'M: str = "deepseek-reasoner"\n', f"import os\nM: str = {ENV_REASONER}\n"),
    ("function default", 'def f(model="deepseek-chat"):\n    pass\n', f"import os\ndef f(model={ENV_CHAT}):\n    pass\n"),
    (
        "dataclass default",
        "@dataclass\nclass C:\n    model: str = 'deepseek-chat'\n",
        "import os\n@dataclass\nclass C:\n    model: str = os.environ.get('DEEPSEEK_CHAT_MODEL', 'deepseek-v4-flash')\n",
    ),
    ("dict value under model", 'cfg = {"model": "deepseek-chat"}\n', f'import os\ncfg = {{"model": {ENV_CHAT}}}\n'),
    ("model keyword", 'llm = ChatDeepSeek(model="deepseek-chat")\n', f"import os\nllm = ChatDeepSeek(model={ENV_CHAT}, extra_body={{\"thinking\": {{\"type\": \"disabled\"}}}})\n"),
    ("positional model", 'llm = ChatDeepSeek("deepseek-chat")\n', f"import os\nllm = ChatDeepSeek({ENV_CHAT})\n"),
    ("field default", 'model: str = Field(default="deepseek-chat")\n', f"import os\nmodel: str = Field(default={ENV_CHAT})\n"),
    ("return value", 'def m():\n    return "deepseek-chat"\n', f"import os\ndef m():\n    return {ENV_CHAT}\n"),
    ("conditional branch", 'M = "deepseek-reasoner" if t else "x"\n', f'import os\nM = {ENV_REASONER} if t else "x"\n'),
    ("getenv default", 'M = os.getenv("LLM", "deepseek-chat")\n', 'M = os.getenv("LLM", "deepseek-v4-flash")\n'),
    ("environ.get default", "M = os.environ.get('LLM', 'deepseek-chat')\n", "M = os.environ.get('LLM', 'deepseek-v4-flash')\n"),
    ("lookup default", 'M = cfg.get("model", "deepseek-chat")\n', f'import os\nM = cfg.get("model", {ENV_CHAT})\n'),
    ("litellm prefix", 'r = completion(model="deepseek/deepseek-chat")\n', f'import os\nr = completion(model="deepseek/" + {ENV_CHAT}, thinking={{"type": "disabled"}})\n'),
    ("pydantic-ai prefix", 'a = Agent("deepseek:deepseek-reasoner")\n', f'import os\na = Agent("deepseek:" + {ENV_REASONER}, model_settings={{"extra_body": {{"thinking": {{"type": "enabled"}}}}}})\n'),
    ("deepseek-coder", 'M = "deepseek-coder"\n', f"import os\nM = {ENV_CHAT}\n"),
    ("parenthesized", 'M = ("deepseek-chat")\n', f"import os\nM = ({ENV_CHAT})\n"),
]

# OpenAI-SDK call sites keep the thinking mode the old id implied.
CALL_SITES = [
    (
        "append extra_body",
        'c.chat.completions.create(model="deepseek-chat", messages=m)\n',
        f'import os\nc.chat.completions.create(model={ENV_CHAT}, messages=m, extra_body={{"thinking": {{"type": "disabled"}}}})\n',
    ),
    (
        "merge into extra_body dict",
        'c.chat.completions.create(model="deepseek-reasoner", extra_body={"top_k": 2})\n',
        f'import os\nc.chat.completions.create(model={ENV_REASONER}, extra_body={{"top_k": 2, "thinking": {{"type": "enabled"}}}})\n',
    ),
    (
        "extra_body already sets thinking",
        'c.chat.completions.create(model="deepseek-chat", extra_body={"thinking": {"type": "enabled"}})\n',
        f'import os\nc.chat.completions.create(model={ENV_CHAT}, extra_body={{"thinking": {{"type": "enabled"}}}})\n',
    ),
    (
        "extra_body is a variable",
        'c.chat.completions.create(model="deepseek-chat", extra_body=opts)\n',
        f'import os\nc.chat.completions.create(model={ENV_CHAT}, extra_body={{"thinking": {{"type": "disabled"}}, **opts}})\n',
    ),
    (
        "vertical layout with trailing comma",
        'r = c.chat.completions.create(\n    model="deepseek-chat",\n    messages=m,\n)\n',
        f'import os\nr = c.chat.completions.create(\n    model={ENV_CHAT},\n    messages=m,\n    extra_body={{"thinking": {{"type": "disabled"}}}},\n)\n',
    ),
    (
        "vertical layout without trailing comma",
        'r = c.chat.completions.create(\n    model="deepseek-chat",\n    messages=m\n)\n',
        f'import os\nr = c.chat.completions.create(\n    model={ENV_CHAT},\n    messages=m,\n    extra_body={{"thinking": {{"type": "disabled"}}}}\n)\n',
    ),
    (
        "parenthesized call and dict",
        'r = (c.chat.completions.create(model="deepseek-chat", extra_body=({"a": 1})))\n',
        f'import os\nr = (c.chat.completions.create(model={ENV_CHAT}, extra_body=({{"a": 1, "thinking": {{"type": "disabled"}}}})))\n',
    ),
    (
        "closing paren on its own line after a comment",
        'r = c.chat.completions.create(\n    model="deepseek-chat",  # pick\n    n=1,  # one\n)\n',
        f'import os\nr = c.chat.completions.create(\n    model={ENV_CHAT},  # pick\n    n=1,  # one\n    extra_body={{"thinking": {{"type": "disabled"}}}},\n)\n',
    ),
    (
        "one branch of a conditional: no call-wide thinking mode",
        'c.chat.completions.create(model="deepseek-reasoner" if t else M)\n',
        f"import os\nc.chat.completions.create(model={ENV_REASONER} if t else M)\n",
    ),
    (
        "**kwargs may carry extra_body: leave it",
        'c.chat.completions.create(model="deepseek-chat", **kw)\n',
        f"import os\nc.chat.completions.create(model={ENV_CHAT}, **kw)\n",
    ),
]


@pytest.mark.parametrize("label, source, expected", SAFE_FIXES + CALL_SITES, ids=[c[0] for c in SAFE_FIXES + CALL_SITES])
def test_safe_fix(tmp_path, label, source, expected):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nretry-strategy = "off"\n')
    result, after = run_on_text(tmp_path, source, fix=True)
    assert not result.errors
    assert after.decode() == expected
    again, after_again = run_on_text(tmp_path, after, fix=True)
    assert after_again == after, "a second --fix must change nothing"


# Review positions: reported as DS002, never changed by a safe fix.
REVIEW = [
    ("comparison", 'if model == "deepseek-chat": pass\n', "unsafe"),
    ("membership", 'ok = model in ("deepseek-chat", "deepseek-reasoner")\n', "unsafe"),
    ("startswith", 'if m.startswith("deepseek-chat"): pass\n', "unsafe"),
    ("dict key", 'PRICE = {"deepseek-reasoner": 0.55}\n', "unsafe"),
    ("subscript", 'p = PRICE["deepseek-chat"]\n', "unsafe"),
    ("Literal", 'M = Literal["deepseek-chat"]\n', "unsafe"),
    ("match case", 'match m:\n    case "deepseek-chat":\n        pass\n', "unsafe"),
    ("assert", 'assert cfg.model == "deepseek-chat"\n', "unsafe"),
    ("unittest assertion", 'self.assertEqual(cfg.model, "deepseek-chat")\n', "unsafe"),
    ("mock assertion", 'create.assert_called_once_with(model="deepseek-chat")\n', "unsafe"),
    ("Enum member", 'class Model(str, Enum):\n    CHAT = "deepseek-chat"\n', None),
    ("StrEnum member", 'class M(enum.StrEnum):\n    R: str = "deepseek-reasoner"\n', None),
    ("unknown call argument", 'register("deepseek-chat")\n', "unsafe"),
    ("collection", 'MODELS = ["deepseek-chat", "deepseek-v4-pro"]\n', "unsafe"),
]


@pytest.mark.parametrize("label, source, fix", REVIEW, ids=[c[0] for c in REVIEW])
def test_review_positions_are_reported_and_left_alone(tmp_path, label, source, fix):
    result, after = run_on_text(tmp_path, source, fix=True)
    assert set(rules_of(result)) == {"DS002"}
    assert result.findings[0].fix == fix
    assert after.decode() == source


def test_unsafe_fix_applies_only_with_unsafe_fixes(tmp_path):
    _, after = run_on_text(tmp_path, 'PRICE = {"deepseek-reasoner": 0.55}\n', fix=True, unsafe=True)
    assert after.decode() == 'PRICE = {"deepseek-reasoner": 0.55, "deepseek-v4-flash": 0.55}\n'  # beside, never renamed


# Docs, comments and prose: information only, never rewritten.
MENTIONS = [
    ("comment", "x = 1  # was deepseek-chat\n"),
    ("docstring", 'def f():\n    """Uses deepseek-reasoner."""\n'),
    ("prose string", 'log.info("switching from deepseek-chat")\n'),
    ("f-string prose", 'log.info(f"model deepseek-chat for {user}")\n'),
]


@pytest.mark.parametrize("label, source", MENTIONS, ids=[c[0] for c in MENTIONS])
def test_mentions_are_info_and_not_fixed(tmp_path, label, source):
    result, after = run_on_text(tmp_path, source, fix=True, unsafe=True)
    assert rules_of(result) == ["DS003"]
    assert result.findings[0].severity == "info"
    assert after.decode() == source


# Never reported: other providers, other models, identifiers.
PRECISION_BAIT = [
    'ollama.chat(model="deepseek-r1:7b")',
    'ollama.chat(model="deepseek-coder:6.7b")',
    'tok = AutoTokenizer.from_pretrained("deepseek-ai/DeepSeek-V3")',
    'tok = AutoTokenizer.from_pretrained("deepseek-ai/deepseek-coder-6.7b-instruct")',
    'completion(model="ollama/deepseek-chat")',
    'completion(model="ollama_chat/deepseek-reasoner")',
    'completion(model="openrouter/deepseek/deepseek-chat")',
    'completion(model="bedrock/deepseek-chat")',
    'completion(model="azure/deepseek-reasoner")',
    'completion(model="together_ai/deepseek-chat")',
    'completion(model="groq/deepseek-chat")',
    'M = "deepseek-chat-v3-0324"',
    'M = "deepseek-reasoner-distill"',
    "deepseek_chat = build()",
    "def deepseek_reasoner(): pass",
    'M = "DeepSeek-Chat"',
    'ALLOWED = ["api.deepseek.com"]',
    'DOCS = "https://api-docs.deepseek.com/quick_start/pricing"',
    'M = f"deepseek-v4-{size}"',
    'M = "deepseek/" + name',
]


@pytest.mark.parametrize("source", PRECISION_BAIT)
def test_precision_bait_is_not_reported(tmp_path, source):
    result, after = run_on_text(tmp_path, source + "\n", fix=True, unsafe=True)
    assert result.findings == []
    assert after.decode() == source + "\n"


HOST_CONTEXT = [
    (
        "client variable with a local base URL",
        'client = OpenAI(base_url="http://localhost:8000/v1")\nclient.chat.completions.create(model="deepseek-chat")\n',
        [],
    ),
    (
        "constructor with an OpenRouter base URL",
        'llm = ChatOpenAI(model="deepseek-chat", base_url="https://openrouter.ai/api/v1")\n',
        [],
    ),
    (
        "self attribute client in another method",
        'class A:\n    def __init__(self):\n        self.c = OpenAI(base_url="http://127.0.0.1:9/v1")\n'
        '    def go(self):\n        return self.c.chat.completions.create(model="deepseek-chat")\n',
        [],
    ),
    (
        "DeepSeek base URL is still reported",
        'client = OpenAI(base_url="https://api.deepseek.com")\nclient.chat.completions.create(model="deepseek-chat")\n',
        ["DS001", "DS201"],
    ),
]


@pytest.mark.parametrize("label, source, expected", HOST_CONTEXT, ids=[c[0] for c in HOST_CONTEXT])
def test_host_context(tmp_path, label, source, expected):
    result, _ = run_on_text(tmp_path, source)
    assert rules_of(result) == expected


IMPORT_PLACEMENT = [
    ("after docstring", '"""Doc."""\nM = "deepseek-chat"\n', f'"""Doc."""\nimport os\nM = {ENV_CHAT}\n'),
    (
        "after __future__",
        '"""Doc."""\nfrom __future__ import annotations\n\nimport sys\nM = "deepseek-chat"\n',
        f'"""Doc."""\nfrom __future__ import annotations\nimport os\n\nimport sys\nM = {ENV_CHAT}\n',
    ),
    ("after shebang and comments", '#!/usr/bin/env python\n# c\nM = "deepseek-chat"\n', f"#!/usr/bin/env python\n# c\nimport os\nM = {ENV_CHAT}\n"),
    ("already imported", 'import os\nM = "deepseek-chat"\n', f"import os\nM = {ENV_CHAT}\n"),
    ("once for many sites", 'A = "deepseek-chat"\nB = "deepseek-reasoner"\n', f"import os\nA = {ENV_CHAT}\nB = {ENV_REASONER}\n"),
]


@pytest.mark.parametrize("label, source, expected", IMPORT_PLACEMENT, ids=[c[0] for c in IMPORT_PLACEMENT])
def test_import_os_placement(tmp_path, label, source, expected):
    _, after = run_on_text(tmp_path, source, fix=True)
    assert after.decode() == expected


BYTE_EXACT = [
    ("CRLF", b'"""D."""\r\nM = "deepseek-chat"  # keep\r\n', b'"""D."""\r\nimport os\r\nM = ' + ENV_CHAT.encode() + b"  # keep\r\n"),
    ("BOM", b'\xef\xbb\xbfM = "deepseek-chat"\n', b"\xef\xbb\xbfimport os\nM = " + ENV_CHAT.encode() + b"\n"),
    (
        "latin-1 cookie",
        b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nM = "deepseek-chat"\n',
        b'# -*- coding: latin-1 -*-\nimport os\nNAME = "caf\xe9"\nM = ' + ENV_CHAT.encode() + b"\n",
    ),
    ("no final newline", b'M = "deepseek-chat"', b"import os\nM = " + ENV_CHAT.encode()),
    ("tabs", b'if x:\n\tM = "deepseek-chat"\n', b"import os\nif x:\n\tM = " + ENV_CHAT.encode() + b"\n"),
]


@pytest.mark.parametrize("label, source, expected", BYTE_EXACT, ids=[c[0] for c in BYTE_EXACT])
def test_bytes_around_edits_are_kept(tmp_path, label, source, expected):
    result, after = run_on_text(tmp_path, source, fix=True)
    assert not result.errors
    assert after == expected


def test_file_that_does_not_parse_is_reported_by_text_and_left_alone(tmp_path):
    source = 'def broken(:\n    x = 1\nMODEL = "deepseek-chat"\n'
    result, after = run_on_text(tmp_path, source, fix=True)
    assert rules_of(result) == ["DS005"]
    finding = result.findings[0]
    assert (finding.line, finding.column) == (3, 10)
    assert "does not parse" in finding.message
    assert after.decode() == source


DYNAMIC = [
    ('M = "deepseek-" + ("reasoner" if t else "chat")\n', ["DS004"]),
    ('M = "deepseek-" "chat"\n', ["DS004"]),
    ("M = f\"deepseek-{'chat'}\"\n", ["DS004"]),
    ('M = f"deepseek-{x}"\n', []),
    ('M = "deepseek-" + "v4-flash"\n', []),
]


@pytest.mark.parametrize("source, expected", DYNAMIC)
def test_dynamic_ids(tmp_path, source, expected):
    result, after = run_on_text(tmp_path, source, fix=True)
    assert rules_of(result) == expected
    assert after.decode() == source


def test_expired_dated_endpoint_is_an_error_with_a_safe_fix(tmp_path):
    source = 'c = OpenAI(base_url="https://api.deepseek.com/v3.2_speciale_expires_on_20251215")\n'
    result, after = run_on_text(tmp_path, source, fix=True)
    assert result.findings[0].rule == "DS101" and result.findings[0].severity == "error"
    assert after.decode() == 'c = OpenAI(base_url="https://api.deepseek.com")\n'


@pytest.mark.parametrize("url", ["https://api.deepseek.com", "https://api.deepseek.com/v1", "https://api.deepseek.com/beta", "https://api.deepseek.com/anthropic"])
def test_current_endpoints_are_never_rewritten_by_default(tmp_path, url):
    source = f'c = OpenAI(base_url="{url}")\n'
    result, after = run_on_text(tmp_path, source, fix=True, unsafe=True)
    assert result.findings == []
    assert after.decode() == source


def test_suppression_comments(tmp_path):
    source = (
        'A = "deepseek-chat"  # v4-migrate: ignore[DS001]\n'
        "# v4-migrate: ignore\n"
        'B = "deepseek-chat"\n'
        'C = "deepseek-chat"  # v4-migrate: ignore[DS002]\n'
    )
    result, _ = run_on_text(tmp_path, source)
    assert [(f.rule, f.line) for f in result.findings] == [("DS001", 4), ("DS900", 4)]  # DS002 covers nothing there


SUPPRESSIONS = [
    ("a trailing comment covers its own line, not the next",
     'A = "deepseek-chat"  # v4-migrate: ignore[DS001]\nB = "deepseek-chat"\n', [("DS001", 2)]),
    ("a comment on its own line covers the next",
     '# v4-migrate: ignore[DS001]\nA = "deepseek-chat"\nB = "deepseek-chat"\n', [("DS001", 3)]),
    ("noqa with this tool's code, among another linter's",
     'A = "deepseek-chat"  # noqa: E501, DS001\nB = "deepseek-chat"  # noqa:DS001\n', []),
    ("a bare noqa is another linter's",
     'A = "deepseek-chat"  # noqa\nB = "deepseek-chat"  # noqa: E501\n', [("DS001", 1), ("DS001", 2)]),
    ("an unused comment, and an unused code of a used one",
     'A = "deepseek-chat"  # v4-migrate: ignore[DS001, DS003]\nB = 1  # v4-migrate: ignore\n', [("DS900", 1), ("DS900", 2)]),
    ("turning a rule off makes no comment stale",
     '"""deepseek-chat in prose."""  # v4-migrate: ignore[DS003]\n', []),
]


@pytest.mark.parametrize("name, source, expected", SUPPRESSIONS, ids=[case[0] for case in SUPPRESSIONS])
def test_suppression_comments_cover_their_line_or_the_next(tmp_path, name, source, expected):
    config = tmp_path / "v4-migrate.toml"
    config.write_text('ignore = ["DS003"]\n')
    result, _ = run_on_text(tmp_path, source, config_path=config)
    assert [(f.rule, f.line) for f in result.findings] == expected


def test_unused_suppressions_are_removed_by_the_fix(tmp_path):
    source = ('A = "deepseek-chat"  # v4-migrate: ignore[DS001, DS003]\n'
              '# v4-migrate: ignore[DS002]\nB = 1  # keep this comment\n'
              'C = "deepseek-chat"  # noqa: DS003, E501\n')
    result, after = run_on_text(tmp_path, source, fix=True)
    assert not result.errors
    assert after.decode() == ('import os\nA = "deepseek-chat"  # v4-migrate: ignore[DS001]\n'
                              'B = 1  # keep this comment\n'
                              'C = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")  # noqa: E501\n')


def test_form_feed_page_breaks_keep_positions_and_bytes(tmp_path):
    source = b'"""D."""\n\x0c\ndef f():\n\x0c    return "deepseek-chat"\n'
    result, _ = run_on_text(tmp_path, source)
    finding = result.findings[0]
    assert (finding.line, finding.column, finding.end_column) == (4, 13, 28)
    result, after = run_on_text(tmp_path, source, fix=True)
    assert not result.errors
    assert after == b'"""D."""\nimport os\n\x0c\ndef f():\n\x0c    return ' + ENV_CHAT.encode() + b"\n"


def test_unsafe_fixes_keep_test_assertions_in_step_with_migrated_calls(tmp_path):
    source = 'def test_it(create):\n    run()\n    create.assert_called_once_with(model="deepseek-chat")\n    assert cfg.model == "deepseek/deepseek-chat"\n'
    _, after = run_on_text(tmp_path, source, fix=True, unsafe=True)
    assert after.decode() == (
        'def test_it(create):\n    run()\n    create.assert_called_once_with(model="deepseek-v4-flash")\n'
        '    assert cfg.model == "deepseek/deepseek-v4-flash"\n'
    )


def test_methods_of_an_enum_class_are_not_members(tmp_path):
    source = 'class M(Enum):\n    A = "a"\n    def default(self):\n        model = "deepseek-chat"\n        return model\n'
    result, _ = run_on_text(tmp_path, source)
    assert [(f.rule, f.fix) for f in result.findings] == [("DS001", "safe")]
