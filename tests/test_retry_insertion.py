"""DS201: the retry policies --fix adds at migrated DeepSeek call sites (codemod/retry.py).

Call sites are picked here the way the Python scanner picks them: OpenAI-SDK style calls whose
``model=`` is a retired id. Each fix is applied with the real applier, then rescanned."""

from __future__ import annotations

import datetime
import textwrap

import openai
import pytest
import tenacity
from libcst import Arg, Call, CSTVisitor, SimpleString, parse_module
from libcst.metadata import MetadataWrapper, PositionProvider

from codemod import retry
from codemod.applier import apply_edits, select_edits
from codemod.catalog import default_catalog
from codemod.config import build
from codemod.ftypes import Edit, Finding, ScanContext, SourceText
from fake_deepseek import Reply, error_body

TODAY = datetime.date(2026, 11, 28)
IN_FUNCTION = 'def ask(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n'
WITH_CLIENT = "from openai import OpenAI\nclient = OpenAI()\n\n" + IN_FUNCTION.replace("(client)", "()")


class _RetiredCallSites(CSTVisitor):
    def __init__(self, suffixes):
        super().__init__()
        self.suffixes = suffixes
        self.found = []

    def visit_Call(self, node: Call) -> None:
        if retry.receiver_of(node, self.suffixes) is not None and any(map(self.is_retired_model, node.args)):
            self.found.append(node)

    @staticmethod
    def is_retired_model(arg: Arg) -> bool:
        return (
            arg.keyword is not None
            and arg.keyword.value == "model"
            and isinstance(arg.value, SimpleString)
            and default_catalog().exact(arg.value.evaluated_value) is not None
        )


def scan(text: str, strategy: str = "auto", path: str = "example.py"):
    module = parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    sites = _RetiredCallSites(default_catalog().python["openai_call_suffixes"])
    module.visit(sites)
    assert sites.found, "the example has no migrated call site"
    config = build({"retry_strategy": strategy}, None)
    ctx = ScanContext(path, config.catalog, config, TODAY)
    return retry.retry_findings(SourceText(text), ctx, module, positions, sites.found)


def fix(text: str, strategy: str = "auto", path: str = "example.py") -> str:
    """Apply every DS201 edit, and check that a rescan finds nothing more to do."""
    findings = scan(text, strategy, path)
    assert findings and all(f.rule == "DS201" and f.severity == "notice" for f in findings)
    edits, fixed = select_edits(findings, ("safe", "unsafe"))
    assert len(fixed) == len(findings), "some findings' edits collide"
    result = apply_edits(text, edits)
    parse_module(result)
    assert scan(result, strategy, path) == [], "not idempotent"
    return result


def cases(*pairs):
    return [pytest.param(textwrap.dedent(before), textwrap.dedent(after), id=name) for name, before, after in pairs]


# -- sdk: max_retries on the client built in the same file ----------------------------------------------

SDK_CASES = cases(
    (
        "one-line",
        """\
        from openai import OpenAI
        client = OpenAI(base_url="https://api.deepseek.com")
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        from openai import OpenAI
        client = OpenAI(base_url="https://api.deepseek.com", max_retries=3)
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "no-arguments",
        """\
        client = openai.OpenAI( )
        client.completions.create(model="deepseek-coder", prompt="def")
        """,
        """\
        client = openai.OpenAI( max_retries=3)
        client.completions.create(model="deepseek-coder", prompt="def")
        """,
    ),
    (
        "vertical-trailing-comma",
        """\
        client = OpenAI(
            base_url="https://api.deepseek.com",  # the API
        )
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        client = OpenAI(
            base_url="https://api.deepseek.com",  # the API
            max_retries=3,
        )
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "vertical-no-trailing-comma",
        """\
        client = OpenAI(
            base_url="https://api.deepseek.com"
        )
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        client = OpenAI(
            base_url="https://api.deepseek.com",
            max_retries=3
        )
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "parenthesized-constructor",
        """\
        client = (OpenAI(api_key=key))
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        client = (OpenAI(api_key=key, max_retries=3))
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "self-attribute-in-another-method",
        """\
        class Bot:
            def __init__(self):
                self.client = AsyncOpenAI()

            async def ask(self, q):
                return await self.client.chat.completions.create(model="deepseek-reasoner", messages=q)
        """,
        """\
        class Bot:
            def __init__(self):
                self.client = AsyncOpenAI(max_retries=3)

            async def ask(self, q):
                return await self.client.chat.completions.create(model="deepseek-reasoner", messages=q)
        """,
    ),
    (
        "inline-constructor",
        """\
        OpenAI(api_key=key).chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        OpenAI(api_key=key, max_retries=3).chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "through-with-options-and-two-sites",
        """\
        client: OpenAI = wrap(OpenAI())
        client.with_options(timeout=5).chat.completions.create(model="deepseek-chat", messages=[])
        client.beta.chat.completions.parse(model="deepseek-chat", messages=[])
        """,
        """\
        client: OpenAI = wrap(OpenAI(max_retries=3))
        client.with_options(timeout=5).chat.completions.create(model="deepseek-chat", messages=[])
        client.beta.chat.completions.parse(model="deepseek-chat", messages=[])
        """,
    ),
    (
        "nearest-preceding-client",
        """\
        client = OpenAI(api_key="a")
        client = OpenAI(api_key="b")
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        client = OpenAI(api_key="a")
        client = OpenAI(api_key="b", max_retries=3)
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
)


@pytest.mark.parametrize("before, after", SDK_CASES)
def test_sdk_strategy(before, after):
    assert fix(before, "sdk") == after


# -- shim: the runtime shim's decorator on the enclosing function -----------------------------------------

SHIM_CASES = cases(
    (
        "after-docstring-future-and-imports",
        '''\
        """Ask DeepSeek."""
        from __future__ import annotations

        import json


        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        ''',
        '''\
        """Ask DeepSeek."""
        from __future__ import annotations

        import json
        from codemod.shim import retry_transient


        @retry_transient()
        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        ''',
    ),
    (
        "innermost-on-an-async-method",
        """\
        import openai


        class Bot:
            @staticmethod
            async def ask(client, q):
                return await client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        """\
        import openai
        from codemod.shim import retry_transient


        class Bot:
            @staticmethod
            @retry_transient()
            async def ask(client, q):
                return await client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
    ),
    (
        "name-already-imported-and-two-sites",
        """\
        from myapp.v4_migrate_shim import retry_transient

        def ask(client, q):
            first = client.chat.completions.create(model="deepseek-chat", messages=q)
            return first, client.chat.completions.create(model="deepseek-reasoner", messages=q)
        """,
        """\
        from myapp.v4_migrate_shim import retry_transient

        @retry_transient()
        def ask(client, q):
            first = client.chat.completions.create(model="deepseek-chat", messages=q)
            return first, client.chat.completions.create(model="deepseek-reasoner", messages=q)
        """,
    ),
    (
        "no-imports-function-first",
        """\
        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        """\
        from codemod.shim import retry_transient
        @retry_transient()
        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
    ),
    (
        "no-imports-decorated-function-first",
        """\
        # A comment.
        @app.get("/ask")
        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        """\
        # A comment.
        from codemod.shim import retry_transient
        @app.get("/ask")
        @retry_transient()
        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
    ),
    (
        "client-built-with-splat-options",
        """\
        import openai
        client = openai.OpenAI(**options)

        def ask(q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        """\
        import openai
        from codemod.shim import retry_transient
        client = openai.OpenAI(**options)

        @retry_transient()
        def ask(q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
    ),
)


@pytest.mark.parametrize("before, after", SHIM_CASES)
def test_shim_strategy(before, after):
    assert fix(before, "shim") == after


def test_crlf_files_get_crlf_lines():
    before = 'import os\r\n\r\ndef ask(client):\r\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\r\n'
    after = (
        "import os\r\nfrom codemod.shim import retry_transient\r\n\r\n@retry_transient()\r\ndef ask(client):\r\n"
        '    return client.chat.completions.create(model="deepseek-chat", messages=[])\r\n'
    )
    assert fix(before, "shim") == after


# The id fix (DS001) inserts `import os` at the start of the first statement's line after the
# docstring and __future__ imports. The applier refuses two insertions at one point, and the id
# fix removes the call site, so both fixes must apply in the same run.
IMPORT_OS_CASES = [
    pytest.param(
        'def ask(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n\n\n'
        'def ask_again(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n',
        1,
        "import os\nfrom codemod.shim import retry_transient\n@retry_transient()\n"
        'def ask(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n\n\n'
        "@retry_transient()\n"
        'def ask_again(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n',
        id="functions-from-line-1",
    ),
    pytest.param(
        "# Ask.\n" + IN_FUNCTION,
        2,
        "# Ask.\nfrom codemod.shim import retry_transient\nimport os\n@retry_transient()\n" + IN_FUNCTION,
        id="function-after-a-comment",
    ),
    pytest.param(
        '"""Doc."""\n@app.get("/")\n' + IN_FUNCTION,
        2,
        '"""Doc."""\nfrom codemod.shim import retry_transient\nimport os\n@app.get("/")\n@retry_transient()\n' + IN_FUNCTION,
        id="decorated-function-after-the-docstring",
    ),
]


@pytest.mark.parametrize("before, import_os_line, after", IMPORT_OS_CASES)
def test_fix_applies_together_with_the_id_fixs_import_os(before, import_os_line, after):
    point = SourceText(before).line_start(import_os_line)
    import_os = Finding("DS001", "error", "", 1, 1, 1, 1, fix="safe", edits=(Edit(point, point, "import os\n"),))
    findings = [import_os] + scan(before, "shim")
    edits, fixed = select_edits(findings, ("safe", "unsafe"))
    assert fixed == findings
    assert apply_edits(before, edits) == after


# -- tenacity ------------------------------------------------------------------------------------------------

TENACITY_POLICY = """\
@tenacity.retry(
    retry=tenacity.retry_if_exception(
        lambda e: isinstance(e, openai.APIConnectionError)
        or getattr(e, "status_code", None) in (408, 409, 429)
        or (getattr(e, "status_code", None) or 0) >= 500
    ),
    wait=tenacity.wait_random_exponential(multiplier=0.5, max=30),
    stop=tenacity.stop_after_attempt(4),
    reraise=True,
)
"""

TENACITY_CASES = cases(
    (
        "adds-both-imports",
        """\
        from openai import OpenAI

        def ask(client, q):
            return client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        "from openai import OpenAI\nimport openai\nimport tenacity\n\n"
        + TENACITY_POLICY
        + 'def ask(client, q):\n    return client.chat.completions.create(model="deepseek-chat", messages=q)\n',
    ),
    (
        "indented-method-imports-present",
        """\
        import openai
        import tenacity

        class Bot:
            def ask(self, q):
                return self.client.chat.completions.create(model="deepseek-chat", messages=q)
        """,
        "import openai\nimport tenacity\n\nclass Bot:\n"
        + textwrap.indent(TENACITY_POLICY, "    ")
        + '    def ask(self, q):\n        return self.client.chat.completions.create(model="deepseek-chat", messages=q)\n',
    ),
    (
        "module-level-falls-back-to-sdk",
        """\
        client = OpenAI()
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
        """\
        client = OpenAI(max_retries=3)
        client.chat.completions.create(model="deepseek-chat", messages=[])
        """,
    ),
)


@pytest.mark.parametrize("before, after", TENACITY_CASES)
def test_tenacity_strategy(before, after):
    assert fix(before, "tenacity") == after


# -- auto: never a new dependency -----------------------------------------------------------------------------



@pytest.mark.parametrize(
    "files, expected",
    [
        ({"requirements.txt": "openai>=1.30\ntenacity>=8.2  # retries\n"}, "tenacity"),
        ({"requirements-prod.txt": "Tenacity==9.0\n", "pyproject.toml": "[project]\nname = 'x'\n"}, "tenacity"),
        ({"pyproject.toml": "[project]\ndependencies = ['tenacity~=9.0', 'openai']\n"}, "tenacity"),
        ({"pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.9'\ntenacity = '^9'\n"}, "tenacity"),
        ({"setup.cfg": "[options]\ninstall_requires =\n    openai\n    tenacity>=8\n"}, "tenacity"),
        ({"pyproject.toml": "[project]\ndependencies = ['openai']\n[project.optional-dependencies]\nx = ['tenacity']\n"}, "shim"),
        ({"requirements.txt": "tenacity-plugin\n"}, "shim"),
        ({}, "shim"),
    ],
)
def test_auto_uses_tenacity_only_when_the_project_declares_it(tmp_path, files, expected):
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    package = tmp_path / "pkg"
    package.mkdir()
    fixed = fix(IN_FUNCTION, "auto", str(package / "ask.py"))
    assert ("@tenacity.retry(" in fixed, "@retry_transient()" in fixed) == (expected == "tenacity", expected == "shim")


def test_auto_stops_at_the_project_root(tmp_path):
    (tmp_path / "requirements.txt").write_text("tenacity\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    assert "@retry_transient()" in fix(IN_FUNCTION, "auto", str(project / "ask.py"))


def test_auto_uses_tenacity_when_the_file_imports_it(tmp_path):
    assert "@tenacity.retry(" in fix("import tenacity\n" + IN_FUNCTION, "auto", str(tmp_path / "a.py"))


def test_auto_prefers_the_client_over_the_shim(tmp_path):
    fixed = fix(WITH_CLIENT, "auto", str(tmp_path / "a.py"))
    assert "OpenAI(max_retries=3)" in fixed and "retry_transient" not in fixed


def test_relative_display_path_resolves_from_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "requirements.txt").write_text("tenacity\n")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path)
    assert "@tenacity.retry(" in fix(IN_FUNCTION, "auto", "src/ask.py")


# -- sites that already retry, and sites that cannot be fixed ----------------------------------------------

COVERED = [
    "@retry(stop=stop_after_attempt(3))\n" + IN_FUNCTION,
    "@tenacity.retry\n" + IN_FUNCTION,
    "@backoff.on_exception(backoff.expo, openai.RateLimitError)\n" + IN_FUNCTION,
    "@retry_transient()\n" + IN_FUNCTION,
    "@stamina.retry(on=Exception)\ndef outer(client):\n    def inner():\n"
    '        return client.chat.completions.create(model="deepseek-chat", messages=[])\n    return inner()\n',
    'client = OpenAI(max_retries=5)\nclient.chat.completions.create(model="deepseek-chat", messages=[])\n',
    'client.with_options(max_retries=4).chat.completions.create(model="deepseek-chat", messages=[])\n',
    "def ask(client):\n    while True:\n        try:\n"
    '            return client.chat.completions.create(model="deepseek-chat", messages=[])\n'
    "        except openai.RateLimitError:\n            time.sleep(1)\n",
    "def ask(client):\n    for attempt in range(3):\n        try:\n            if attempt:\n"
    '                return client.chat.completions.create(model="deepseek-chat", messages=[])\n'
    "        except openai.APIError:\n            continue\n",
    "def ask(client):\n    for attempt in tenacity.Retrying(stop=tenacity.stop_after_attempt(3)):\n        with attempt:\n"
    '            return client.chat.completions.create(model="deepseek-chat", messages=[])\n',
    "async def ask(client):\n    async for attempt in AsyncRetrying():\n        with attempt:\n"
    '            return await client.chat.completions.create(model="deepseek-chat", messages=[])\n',
]


@pytest.mark.parametrize("strategy", ["auto", "tenacity", "sdk", "shim"])
@pytest.mark.parametrize("source", COVERED)
def test_sites_with_a_retry_policy_are_left_alone(source, strategy):
    assert scan(source, strategy) == []


NOT_COVERED = [
    '@app.route("/retry")\n' + IN_FUNCTION,
    "def ask(client, models):\n    for model in models:\n"
    '        client.chat.completions.create(model="deepseek-chat", messages=[])\n',
    "def ask(client):\n    try:\n"
    '        return client.chat.completions.create(model="deepseek-chat", messages=[])\n'
    "    except openai.APIError:\n        return None\n",
    "def ask(client):\n    for _ in range(3):\n        try:\n            pass\n        except ValueError:\n"
    '            return client.chat.completions.create(model="deepseek-chat", messages=[])\n',
]


@pytest.mark.parametrize("source", NOT_COVERED)
def test_loops_and_decorators_that_do_not_retry_the_call_are_reported(source):
    assert "@retry_transient()" in fix(source, "shim")


@pytest.mark.parametrize(
    "source, strategy, reason",
    [
        ('client.chat.completions.create(model="deepseek-chat", messages=[])\n', "auto", "a module-level call"),
        (
            'def make(client):\n    return lambda: client.chat.completions.create(model="deepseek-chat", messages=[])\n',
            "shim",
            "a call inside a lambda",
        ),
        (
            "def stream(client):\n"
            '    for chunk in client.chat.completions.create(model="deepseek-chat", messages=[], stream=True):\n'
            "        yield chunk\n",
            "tenacity",
            "`stream` is a generator",
        ),
        (IN_FUNCTION, "sdk", "the retry strategy does not apply here"),
    ],
)
def test_sites_without_a_safe_place_are_reported_without_a_fix(source, strategy, reason):
    (finding,) = scan(source, strategy)
    assert finding.fix is None and finding.edits == ()
    assert reason in finding.message and "no client built in this file" in finding.message
    assert (finding.line, finding.column) == SourceText(source).position(source.index("client.chat"))


def test_strategy_off_reports_nothing():
    assert scan(IN_FUNCTION, "off") == []


def test_finding_names_the_call_and_the_policy(tmp_path):
    (finding,) = scan(WITH_CLIENT, "auto", str(tmp_path / "a.py"))
    assert finding.message.startswith("DeepSeek API call `client.chat.completions.create` has no retry policy")
    assert "max_retries=3" in finding.message and "line 2" in finding.message
    assert finding.fix == "unsafe" and finding.replacement == "max_retries=3"


# -- the added policies, run against the fake API -------------------------------------------------------------


def run_fixed(source: str, strategy: str):
    namespace: dict = {}
    exec(compile(fix(source, strategy), f"<fixed-{strategy}>", "exec"), namespace)
    return namespace


def ask_source(base_url: str, strategy: str) -> str:
    """A call site fixable by ``strategy``. For the decorators the SDK's own retries are turned
    off through a ``**`` splat, which neither counts as a policy nor takes ``max_retries=``."""
    if strategy == "sdk":
        return (
            f"from openai import OpenAI\nclient = OpenAI(base_url={base_url!r}, api_key='test')\n\n"
            "def ask():\n    return client.chat.completions.create(model='deepseek-chat', messages=[])\n"
        )
    return (
        f"from openai import OpenAI\nclient = OpenAI(base_url={base_url!r}, api_key='test', **{{'max_retries': 0}})\n\n"
        "def ask():\n    return client.chat.completions.create(model='deepseek-chat', messages=[])\n"
    )


def call_ask(namespace, strategy):
    ask = namespace["ask"]
    if strategy == "tenacity":
        ask = ask.retry_with(wait=tenacity.wait_none())  # same predicate and stop, no sleeping in tests
    return ask()


def busy(retry_after: str) -> Reply:
    return Reply(503, error_body("busy", "server_error"), {"Retry-After": retry_after})


@pytest.mark.parametrize("strategy, attempts", [("tenacity", 4), ("shim", 3), ("sdk", 4)])
def test_added_policy_retries_transient_errors(deepseek, strategy, attempts):
    deepseek.retired_ids.clear()  # before the cutoff: the legacy id is still served
    deepseek.script(*[busy("0.01")] * (attempts - 1))
    reply = call_ask(run_fixed(ask_source(deepseek.base_url, strategy), strategy), strategy)
    assert reply.choices[0].message.content == "Hello from the fake"
    assert len(deepseek.requests) == attempts


@pytest.mark.parametrize("strategy", ["tenacity", "shim", "sdk"])
def test_added_policy_never_retries_the_retired_model_400(deepseek, strategy):
    namespace = run_fixed(ask_source(deepseek.base_url, strategy), strategy)
    with pytest.raises(openai.BadRequestError):
        call_ask(namespace, strategy)
    assert deepseek.models == ["deepseek-chat"]


def test_strategy_order():
    assert retry.strategy_order("auto", lambda: True) == ("tenacity", "sdk", "shim")
    assert retry.strategy_order("auto", lambda: False) == ("sdk", "shim")
    assert retry.strategy_order("tenacity", lambda: pytest.fail("only auto asks")) == ("tenacity", "sdk")
    assert retry.strategy_order("sdk", lambda: False) == ("sdk",)

