"""The Python scanner parses only the statements it can use (``codemod/scanners/_pyprune.py``),
generates positions only for the statements asked about, and its visitors do not enter the node
types they have nothing to do with; its findings and edits must be exactly those of a scan of
the whole file, every statement generated and every node walked. Checked on a table of layouts
that decide where context comes from, on every Python file the project ships, and on random
modules (hypothesis)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemod import pysource
from codemod.config import ConfigResolver
from codemod.ftypes import ScanContext, SourceText
from codemod.ruledocs import load_rule_docs
from codemod.scanners import _pyprune
from codemod.scanners import python as python_scanner
from helpers import REPO_ROOT, TODAY

FILLER = "def helper_{n}(a, b=2):\n    return [a * b for _ in range(3)]\n\n\n"

TABLE = [
    # (source, what must be blanked)
    ('"""Doc."""\n' + FILLER.format(n=1) + 'MODEL = "deepseek-chat"\n' + FILLER.format(n=2), ["helper_1", "helper_2"]),
    # where `import os` goes depends on where the header ends: at a blanked statement too, however short
    ('"""Doc."""\nimport sys\nx = 1\nimport json\nM = "deepseek-chat"\n', ["x = 1"]),
    ('import sys\nx = (\n1)\nimport json\nM = "deepseek-chat"\n', ["x = ("]),
    ('import sys\ndef f(): pass\nimport json\n' + FILLER.format(n=1) + 'M = "deepseek-chat"\n', ["def f", "helper_1"]),
    # import os goes before the first statement after the header, blanked or not
    ('"""Doc."""\nfrom __future__ import annotations\n' + FILLER.format(n=1) + FILLER.format(n=2) + 'M = "deepseek-chat"\n', ["helper_2"]),
    ("import sys\n" + FILLER.format(n=1) + "import os\n" + FILLER.format(n=2) + 'M = "deepseek-reasoner"\n', ["helper_2"]),
    # a client built in another statement takes the retry fix (max_retries)
    (
        "from openai import OpenAI\n" + FILLER.format(n=1) + "client = OpenAI()\n" + FILLER.format(n=2)
        + 'def ask(messages):\n    return client.chat.completions.create(model="deepseek-chat", messages=messages)\n',
        ["helper_2"],
    ),
    # a client with another base URL, built in its own statement: not DeepSeek's API
    (
        FILLER.format(n=1) + 'local = OpenAI(base_url="http://localhost:11434/v1")\n' + FILLER.format(n=2)
        + 'r = local.chat.completions.create(model="deepseek-chat", messages=[])\nM = "deepseek-chat"\n',
        ["helper_2"],
    ),
    # tenacity imported at the top: the retry fix decorates
    (
        "import tenacity\n" + FILLER.format(n=1)
        + 'def ask(client):\n    return client.chat.completions.create(model="deepseek-chat", messages=[])\n' + FILLER.format(n=2),
        ["helper_2"],
    ),
    # ids in comments before a statement, and after an indented block (LibCST's block footer)
    (FILLER.format(n=1) + "# was deepseek-chat\n" + FILLER.format(n=2) + "x = 1\n", []),
    ("x = 0\ndef f():\n    return 1\n    # deepseek-reasoner here\n\n" + FILLER.format(n=2) + "y = 2\n", ["y = 2"]),
    # decorators, one-line suites, `;`-joined statements, a blanked statement last in the file
    (
        "x = 0\n@decorate(1)\n@other\n" + FILLER.format(n=1) + 'if x: a = 1; b = "deepseek-coder"\nimport os; z = 3\n' + FILLER.format(n=2),
        ["@decorate", "helper_1", "helper_2"],
    ),
    # CRLF, CR, tabs, no final newline
    (FILLER.format(n=1).replace("\n", "\r\n") + 'M = "deepseek-chat"\r\n' + FILLER.format(n=2).replace("\n", "\r\n").rstrip(), ["helper_2"]),
    (FILLER.format(n=1).replace("\n", "\r") + 'M = "deepseek-chat"\r' + FILLER.format(n=2).replace("\n", "\r"), ["helper_2"]),
    ('M = "deepseek-chat"\n' + "class A:\n\tx = 1\n\n\tdef f(self):\n\t\treturn 2\n", ["class A"]),
    # a base URL, a built id, a multi-line string in a blanked statement, a page break
    (
        "base = 'https://api.deepseek.com/v1'\n" + 'TEXT = """\nline\n  deep\n"""\n' + 'M = f"deepseek-{kind}"\n\x0c\n' + FILLER.format(n=1),
        ["TEXT", "helper_1"],
    ),
    # an OpenAI-SDK call: the thinking mode goes in the call's layout
    (
        FILLER.format(n=1) + 'resp = client.chat.completions.create(\n    model="deepseek-chat",\n    messages=[],\n)\n' + FILLER.format(n=2),
        ["helper_2"],
    ),
]


def _context() -> ScanContext:
    config = ConfigResolver().default()
    return ScanContext(path="example.py", catalog=config.catalog, config=config, today=TODAY)


@contextmanager
def _whole_file() -> Iterator[None]:
    """Scan without pruning, with the codegen of the whole module at once, and with every node
    walked (no visitor's ``unvisited`` types left out): the reference."""
    real = python_scanner.prune
    skipping = {cls: cls.__dict__["unvisited"] for cls in _visitor_classes() if "unvisited" in cls.__dict__}
    assert skipping, "the visitors that leave types out"
    python_scanner.prune = lambda source, *args: _pyprune.Pruned(source.text, None)
    for cls in skipping:
        cls.unvisited = frozenset()
    try:
        yield
    finally:
        python_scanner.prune = real
        for cls, unvisited in skipping.items():
            cls.unvisited = unvisited


def _visitor_classes() -> List[type]:
    import codemod.retry  # noqa: F401  (its visitors)

    found, pending = [], [pysource.Visitor]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


def _findings(text: str) -> List[tuple]:
    """The findings as comparable tuples; a file that does not parse gives its error."""
    try:
        found = python_scanner.scan(SourceText(text), _context())
    except python_scanner.ScanError as exc:
        return [("does not parse", str(exc))]
    return [
        (f.rule, f.severity, f.message, f.line, f.column, f.end_line, f.end_column, f.fix, f.edits, f.replacement, f.snippet)
        for f in found
    ]


def _assert_same_as_whole_file(text: str) -> List[tuple]:
    pruned = _findings(text)
    with _whole_file():
        whole = _findings(text)
    assert pruned == whole
    return pruned


@pytest.mark.parametrize("text, blanked", TABLE, ids=[f"layout-{i}" for i in range(len(TABLE))])
def test_pruned_scan_equals_whole_file_scan(text, blanked):
    findings = _assert_same_as_whole_file(text)
    assert findings, "every layout holds something to find"
    source = SourceText(text)
    pruned = _pyprune.prune(source, _pyprune.module_groups(text), python_scanner._statement_matches(text, _context().catalog),
                            python_scanner._context_matches(text, _context().catalog)).text
    assert len(pruned) == len(text) and SourceText(pruned)._starts == source._starts
    for name in blanked:  # not vacuous: the statements the scan does not need are gone
        assert name in text and name not in pruned, name
    assert pruned.count("deepseek") == text.count("deepseek")


def _shipped_python() -> List[str]:
    paths = sorted((REPO_ROOT / "fixtures").rglob("*.py")) + sorted((REPO_ROOT / "codemod").rglob("*.py"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    for doc in load_rule_docs().values():
        texts += [e["code"] for e in doc.valid + doc.invalid if e.get("path", "example.py").endswith(".py")]
    return texts


def test_pruned_scan_equals_whole_file_scan_on_shipped_files():
    texts = _shipped_python()
    assert len(texts) > 40
    found = sum(len(_assert_same_as_whole_file(text)) for text in texts)
    assert found > 50


def test_syntax_errors_are_reported_as_for_the_whole_file():
    for text in ('M = "deepseek-chat"\ndef broken(:\n    pass\n', 'M = "deepseek-chat"\nx = (((\n'):
        assert _assert_same_as_whole_file(text)[0][0] == "does not parse"


STATEMENTS = [
    'M{n} = "deepseek-chat"',
    "# mentions deepseek-reasoner {n}",
    "import os",
    "import tenacity",
    "from openai import OpenAI",
    "client = OpenAI()",
    "client = OpenAI(max_retries=5)",
    'client = OpenAI(base_url="http://localhost:{n}/v1")',
    "base_url = 'https://api.deepseek.com/v3.2_speciale_expires_on_20251215'",
    'def ask{n}(m):\n    return client.chat.completions.create(model="deepseek-chat", messages=m)',
    'async def ask{n}(m):\n    return await client.chat.completions.create(\n        model="deepseek-reasoner",\n        messages=m,\n    )',
    "@decorator\ndef helper{n}(a):\n    return a + {n}",
    "class Kind{n}(Enum):\n    CHAT = 'deepseek-chat'",
    "class Plain{n}:\n    size = {n}\n\n    def get(self):\n        return self.size",
    "x{n} = {n}; y{n} = 'deepseek-coder'",
    "if ready:\n    pass\n    # deepseek-chat in a footer",
    '"""A string statement {n}."""',
    "x{n} = 1",
    "z{n} = (\n1,\n)",
    "",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_pruned_scan_equals_whole_file_scan_on_random_modules(statements, newline):
    text = newline.join(s.format(n=n).replace("\n", newline) for n, s in enumerate(statements)) + newline
    _assert_same_as_whole_file(text)


# Texts where a pattern's leading \b decides: the scanner's patterns leave it out for speed
# and check the character before each match instead.
WORD_START_TABLE = [
    "base_url = 'x'", "my_base_url = 'x'", "xbase_url='x'", "base_url\t=\n", "(url= 1)", "_url = 2", "β_url = 3",
    "ébase = 4", "1base = 5", "base_urlbase_url = 6", "endpoint=endpoint ==", "api_base = openai_api_base = 7",
    "client = OpenAI()", "AsyncOpenAI(", "MyOpenAI()", "OpenAIClient()", "_wrap(x)", "wrap(x)", "rewrap(x) + wrap", "c.chat.completions.create(model=m)", "acompletion(x) + completion(y)", "class Agent:", "def completion(p):", "os.environ.get(\"DEEPSEEK_CHAT_MODEL\")",
    "x.OpenAI(base_url=u)", "'deepseek-chat'", "xdeepseek-chat", "url=deepseek-reasoner",
]


@pytest.mark.parametrize("text", WORD_START_TABLE)
def test_match_offsets_equal_the_patterns_with_a_leading_word_boundary(text):
    import re

    from codemod.retry import CLIENT_CLASSES

    catalog = _context().catalog
    keywords = "|".join(re.escape(k) for k in catalog.python["base_url_keywords"])
    statement = re.compile(catalog.text_prefilter_re.pattern + rf"|\b(?:{keywords})\s*=")
    words = re.compile(rf"\b(?:{'|'.join(sorted(CLIENT_CLASSES))}|wrap)\b")
    literals = python_scanner._context_literals(catalog)  # every occurrence of each, overlapping too
    for padded in (text, "  " + text + "  ", text + "\n" + text):
        assert python_scanner._statement_matches(padded, catalog) == [m.start() for m in statement.finditer(padded)]
        expected = [m.start() for m in words.finditer(padded)]
        expected += [m.start() for literal in literals for m in re.finditer(f"(?={re.escape(literal)})", padded)]
        assert python_scanner._context_matches(padded, catalog) == sorted(expected)

