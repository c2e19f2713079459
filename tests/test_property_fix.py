"""``--fix`` keeps every byte it does not mean to change.

First a table of (source bytes, expected bytes) for the bytes around an edit: PEP 263 cookies,
a UTF-8 BOM, CRLF, CR and mixed line endings, tabs, a missing final newline. Then property
tests (hypothesis): modules with retired ids in random value and review positions, random
quotes, line endings and surrounding statements, fixed through the real engine. The fixed file
parses; a second fix changes nothing; every byte outside the reported edit regions is kept;
review positions (comparisons, dict keys, Literal members, membership tests, assertions,
comments, docstrings) are never touched by a safe fix."""

from __future__ import annotations

import ast
import codecs
import re
from typing import List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemod import applier
from codemod.ftypes import Edit, SourceText
from helpers import process_file, run_on_text

ENV = 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")'

BYTES_TABLE = [
    (  # a latin-1 cookie: the file stays latin-1, its é byte untouched
        b'# -*- coding: latin-1 -*-\n# caf\xe9\nMODEL = "deepseek-chat"\n',
        b'# -*- coding: latin-1 -*-\n# caf\xe9\nimport os\nMODEL = ' + ENV.encode() + b"\n",
    ),
    (  # a UTF-8 BOM stays first
        b'\xef\xbb\xbfMODEL = "deepseek-chat"\n',
        b"\xef\xbb\xbfimport os\nMODEL = " + ENV.encode() + b"\n",
    ),
    (  # CRLF: the inserted line uses it too
        b'"""Doc."""\r\nMODEL = "deepseek-chat"\r\n',
        b'"""Doc."""\r\nimport os\r\nMODEL = ' + ENV.encode() + b"\r\n",
    ),
    (  # mixed line endings: each kept where it was
        b'import os\nA = 1\r\nMODEL = "deepseek-chat"\r\nB = 2\n',
        b"import os\nA = 1\r\nMODEL = " + ENV.encode() + b"\r\nB = 2\n",
    ),
    (  # old Mac CR line endings
        b'import os\rMODEL = "deepseek-chat"\r',
        b"import os\rMODEL = " + ENV.encode() + b"\r",
    ),
    (  # tabs
        b'import os\nif True:\n\tMODEL = "deepseek-chat"\n',
        b"import os\nif True:\n\tMODEL = " + ENV.encode() + b"\n",
    ),
    (  # no final newline
        b'import os\nMODEL = "deepseek-chat"',
        b"import os\nMODEL = " + ENV.encode(),
    ),
    (  # single quotes stay single quotes
        b"import os\nMODEL = 'deepseek-reasoner'\n",
        b"import os\nMODEL = os.environ.get('DEEPSEEK_REASONER_MODEL', 'deepseek-v4-flash')\n",
    ),
    (  # non-ASCII UTF-8 on the same line
        b'import os\nNAME = "caf\xc3\xa9"; MODEL = "deepseek-chat"\n',
        b'import os\nNAME = "caf\xc3\xa9"; MODEL = ' + ENV.encode() + b"\n",
    ),
    (  # trailing spaces and blank lines
        b'import os\nx = 1  # trailing   \n\n\nMODEL = "deepseek-chat"   \n\n',
        b"import os\nx = 1  # trailing   \n\n\nMODEL = " + ENV.encode() + b"   \n\n",
    ),
    (  # an environment default only has its default replaced
        b'import os\nM = os.getenv("M", "deepseek-chat")\n',
        b'import os\nM = os.getenv("M", "deepseek-v4-flash")\n',
    ),
    (  # shebang, cookie, docstring, __future__: import os goes after them
        b'#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Doc."""\nfrom __future__ import annotations\nMODEL = "deepseek-coder"\n',
        b'#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""Doc."""\nfrom __future__ import annotations\nimport os\nMODEL = '
        + ENV.encode() + b"\n",
    ),
    (  # a multi-line call in CRLF: the thinking mode is added in its layout
        b'resp = client.chat.completions.create(\r\n    model="deepseek-reasoner",\r\n    messages=[],\r\n)\r\n',
        b'import os\r\nresp = client.chat.completions.create(\r\n    model=os.environ.get("DEEPSEEK_REASONER_MODEL", "deepseek-v4-flash"),'
        b'\r\n    messages=[],\r\n    extra_body={"thinking": {"type": "enabled"}},\r\n)\r\n',
    ),
    # review positions and mentions: a safe fix leaves them as they are
    (b'# uses deepseek-chat\nx = 1\n', b'# uses deepseek-chat\nx = 1\n'),
    (b'if m == "deepseek-chat":\n    pass\n', b'if m == "deepseek-chat":\n    pass\n'),
    (b'"""Talks to deepseek-chat."""\nx = 1\n', b'"""Talks to deepseek-chat."""\nx = 1\n'),
]


@pytest.mark.parametrize("source, expected", BYTES_TABLE, ids=[repr(s[:40]) for s, _ in BYTES_TABLE])
def test_bytes_around_the_edit_are_kept(tmp_path, source, expected):
    result, after = run_on_text(tmp_path, source, fix=True)
    assert result.errors == []
    assert after == expected
    result, again = run_on_text(tmp_path, after, name="again.py", fix=True)
    assert again == expected and not result.changed


def test_form_feed_before_a_statement(tmp_path):
    result, after = run_on_text(tmp_path, b'import os\n\x0cMODEL = "deepseek-chat"\n', fix=True)
    assert result.errors == []
    assert after == b"import os\n\x0cMODEL = " + ENV.encode() + b"\n"


# -- property tests ----------------------------------------------------------------------------------

IDS = ("deepseek-chat", "deepseek-reasoner", "deepseek-coder")

# Value positions: a safe fix rewrites them. {q} is the quote, {id} the retired id, {n} a number.
VALUE_TEMPLATES = [
    ["MODEL_{n} = {q}{id}{q}"],
    ["SETTINGS_{n} = {{{q}model{q}: {q}{id}{q}, {q}temperature{q}: 0.{n}}}"],
    ["NAME_{n} = os.getenv({q}LLM_MODEL_{n}{q}, {q}{id}{q})"],
    ["def ask_{n}(client, messages):", "{i}return client.chat.completions.create(model={q}{id}{q}, messages=messages)"],
    ["def default_{n}(model={q}{id}{q}):", "{i}return model"],
    ["def pick_{n}():", "{i}return {q}{id}{q}"],
    ["agent_{n} = Agent({q}{id}{q})"],
]
# Review positions and mentions: a safe fix never touches them.
REVIEW_TEMPLATES = [
    ["if model_{n} == {q}{id}{q}:", "{i}pass"],
    ["TABLE_{n} = {{{q}{id}{q}: {n}}}"],
    ["Kind_{n} = Literal[{q}{id}{q}, {q}other{q}]"],
    ["ok_{n} = model in ({q}{id}{q}, {q}x{q})"],
    ["assert model_{n} != {q}{id}{q}"],
    ["# was {id} before the migration ({n})"],
    ["def documented_{n}():", '{i}"""Calls {id} ({n})."""', "{i}return None"],
    ["started_{n} = name.startswith({q}{id}{q})"],
]
FILLER_TEMPLATES = [
    ["x_{n} = {n}"],
    ["def helper_{n}(a, b={n}):", "{i}return a * b"],
    ["class Thing{n}:", "{i}size = {n}", "", "{i}def get(self):", "{i}{i}return self.size"],
    ["for k_{n} in range({n}):", "{i}print(k_{n})"],
    ["# a comment {n}"],
    ["text_{n} = {q}plain {n}{q}"],
    [""],
]


@st.composite
def modules(draw) -> Tuple[bytes, List[str], List[str]]:
    """(file bytes, value lines, review lines) of a random module."""
    newline_style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    indent = draw(st.sampled_from(["    ", "\t", "  "]))
    header = draw(st.sampled_from(["none", "docstring", "future", "import os", "cookie", "bom"]))
    blocks: List[Tuple[str, List[str]]] = []
    for n in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["value", "review", "filler", "filler"]))
        pool = {"value": VALUE_TEMPLATES, "review": REVIEW_TEMPLATES, "filler": FILLER_TEMPLATES}[kind]
        template = draw(st.sampled_from(pool))
        q = draw(st.sampled_from(['"', "'"]))
        legacy = draw(st.sampled_from(IDS))
        lines = [line.format(n=n, q=q, id=legacy, i=indent) for line in template]
        blocks.append((kind, lines))
    head: List[str] = []
    if header == "docstring":
        head = ['"""Module docstring."""']
    elif header == "future":
        head = ['"""Doc."""', "from __future__ import annotations"]
    elif header == "import os":
        head = ["import os"]
    elif header == "cookie":
        head = ["# -*- coding: latin-1 -*-", "# caf\xe9"]
    lines = head + ["from typing import Literal", ""] + [line for _, block in blocks for line in block]
    if newline_style == "mixed":
        breaks = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    else:
        breaks = [newline_style] * len(lines)
    final_newline = draw(st.booleans())
    text = "".join(line + brk for line, brk in zip(lines, breaks))
    if not final_newline:
        text = text.rstrip("\r\n")
    if header == "cookie":
        data = text.encode("latin-1")
    elif header == "bom":
        data = codecs.BOM_UTF8 + text.encode("utf-8")
    else:
        data = text.encode("utf-8")
    values = [line for kind, block in blocks if kind == "value" for line in block if any(i in line for i in IDS)]
    reviews = [line for kind, block in blocks if kind == "review" for line in block if line.strip()]
    return data, values, reviews


def _decode(data: bytes) -> Tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8"
    if b"coding: latin-1" in data.split(b"\n", 2)[0]:
        return data.decode("latin-1"), "latin-1"
    return data.decode("utf-8"), "utf-8"


def _edits_of(result, source: SourceText) -> List[Edit]:
    edits = set()
    for finding in result.findings:
        if not finding.fixed:
            continue
        for region in finding.extra["edit_regions"]:
            start = source.line_start(region["startLine"]) + region["startColumn"] - 1
            end = source.line_start(region["endLine"]) + region["endColumn"] - 1
            edits.add(Edit(start, end, region["insertedText"]))
    return sorted(edits)


STRING_WITH_ID = re.compile(r"""^[rRuU]?(["'])(deepseek/|deepseek:)?deepseek-(chat|reasoner|coder)\1$""")
INSERTIONS = re.compile(r"""^(\r?\n)?import os(\r\n|\n)$|extra_body=|["']thinking["']""")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(module=modules())
def test_fix_is_byte_exact_idempotent_and_leaves_review_positions(tmp_path_factory, module):
    data, values, reviews = module
    compile(data, "generated.py", "exec", flags=ast.PyCF_ONLY_AST)  # the input is valid Python
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "generated.py"
    path.write_bytes(data)

    result = process_file(path, fix=True)
    assert result.errors == []
    fixed = path.read_bytes()

    # 1. it parses (CPython's own parser, cookie and BOM included)
    compile(fixed, "fixed.py", "exec", flags=ast.PyCF_ONLY_AST)

    # 2. a second fix changes nothing
    again = process_file(path, fix=True)
    assert again.errors == [] and not again.changed
    assert path.read_bytes() == fixed

    # 3. every byte outside the reported edits is kept, and the edits are what they claim
    before_text, encoding = _decode(data)
    after_text, _ = _decode(fixed)
    assert fixed.startswith(codecs.BOM_UTF8) == data.startswith(codecs.BOM_UTF8)
    assert after_text.encode(encoding) == fixed[3:] if fixed.startswith(codecs.BOM_UTF8) else after_text.encode(encoding) == fixed
    assert_edits_are_the_reported_ones(result, before_text, after_text, STRING_WITH_ID, INSERTIONS)

    # 4. review positions and mentions are untouched; value positions are all rewritten
    assert_positions_kept_and_rewritten(result, after_text, values, reviews)


def assert_edits_are_the_reported_ones(result, before_text: str, after_text: str, replaced_strings, insertions) -> None:
    """Every byte outside the reported edits is kept; what an edit replaces matches
    ``replaced_strings`` (a literal of an id), what one inserts matches ``insertions``."""
    edits = _edits_of(result, SourceText(before_text))
    assert applier.apply_edits(before_text, edits) == after_text
    for edit in edits:
        replaced = before_text[edit.start:edit.end]
        if replaced:
            assert replaced_strings.match(replaced), (replaced, edit)
        else:
            assert insertions.search(edit.replacement), edit


def assert_positions_kept_and_rewritten(result, after_text: str, values, reviews) -> None:
    after_lines = set(after_text.replace("\r\n", "\n").split("\n"))
    for line in reviews:
        assert line in after_lines, line
    for line in values:
        assert line not in after_lines, line
    assert result.changed == bool(values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(module=modules())
def test_check_and_diff_never_write(tmp_path_factory, module):
    data, _, _ = module
    path = tmp_path_factory.mktemp("ro") / "generated.py"
    path.write_bytes(data)
    process_file(path)
    process_file(path, diff=True)
    assert path.read_bytes() == data
