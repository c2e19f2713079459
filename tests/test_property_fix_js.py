"""``--fix`` keeps every byte it does not mean to change in JavaScript and TypeScript, as
tests/test_property_fix.py shows for Python: random modules with retired ids in value and
review positions, random quotes (", ' and `), line endings, indentation and file kinds (.mjs,
.cjs, .js, .ts, .tsx), fixed through the real engine. The fixed file parses (tree-sitter); a
second fix changes nothing; every byte outside the reported edit regions is kept; what an edit
replaces is exactly a string literal of an id, what it inserts is a thinking member; review
positions and mentions are never touched by a safe fix."""

from __future__ import annotations

import re
from typing import List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemod.scanners import _jstree as jstree
from helpers import process_file
from test_property_fix import assert_edits_are_the_reported_ones, assert_positions_kept_and_rewritten

IDS = ("deepseek-chat", "deepseek-reasoner", "deepseek-coder")

# {q} is a quote (any of the three), {k} a quote that may start an object key (not `), {id} the
# retired id, {n} a number, {i} one indentation.
VALUE_TEMPLATES = [
    ["const MODEL_{n} = {q}{id}{q};"],
    ["const settings_{n} = {{ model: {q}{id}{q}, temperature: 0.{n} }};"],
    ["const name_{n} = process.env.LLM_MODEL_{n} ?? {q}{id}{q};"],
    ["export async function ask_{n}(messages) {{", "{i}return client.chat.completions.create({{ model: {q}{id}{q}, messages }});", "}}"],
    ["function pick_{n}(model = {q}{id}{q}) {{", "{i}return model;", "}}"],
    ["async function run_{n}(messages) {{", "{i}await client.chat.completions.create({{", "{i}{i}model: {q}{id}{q},",
     "{i}{i}messages,", "{i}}});", "}}"],
    ["const model_{n} = deepseek({q}{id}{q});"],
    ["const llm_{n} = new ChatDeepSeek({{ model: {q}{id}{q} }});"],
]
# The values a request of the module sends (it gets their thinking mode): fixed wherever they are.
# The others are fixed where the rewrite reads the environment (and stays listed until a request
# sends its mode); as a bare V4 id (a .tsx module runs in a browser; a default of another variable
# is a literal), which says nothing of the mode, their fix is unsafe, and they are kept, unless
# the old id thought (`deepseek-reasoner`): V4 does by default.
SENT = ("ask_{n}", "run_{n}", "llm_{n}")
BARE_EVERYWHERE = ("name_{n}",)
REVIEW_TEMPLATES = [
    ["if (model_{n} === {q}{id}{q}) {{}}"],
    ["const TABLE_{n} = {{ {k}{id}{k}: {n} }};"],
    ["switch (m_{n}) {{ case {q}{id}{q}: break; }}"],
    ["// was {id} before the migration ({n})"],
    ["/* {id} */ const c_{n} = {n};"],
    ["const arr_{n} = [{q}{id}{q}, {q}other{q}];"],
    ["const note_{n} = {q}switch from {id} now{q};"],
]
FILLER_TEMPLATES = [
    ["const x_{n} = {n};"],
    ["function helper_{n}(a, b = {n}) {{", "{i}return a * b;", "}}"],
    ["class Thing{n} {{", "{i}size = {n};", "{i}get() {{ return this.size; }}", "}}"],
    ["// a comment {n}"],
    ["const text_{n} = {q}plain {n}{q};"],
    [""],
]


@st.composite
def modules(draw) -> Tuple[str, bytes, List[str], List[str]]:
    """(file name, file bytes, value lines, review lines) of a random module."""
    name = "generated" + draw(st.sampled_from([".mjs", ".cjs", ".js", ".ts", ".tsx"]))
    newline_style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    blocks: List[Tuple[str, List[str]]] = []
    for n in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["value", "review", "filler", "filler"]))
        pool = {"value": VALUE_TEMPLATES, "review": REVIEW_TEMPLATES, "filler": FILLER_TEMPLATES}[kind]
        template = draw(st.sampled_from(pool))
        q = draw(st.sampled_from(['"', "'", "`"]))
        legacy = draw(st.sampled_from(IDS))
        lines = [line.format(n=n, q=q, k=q if q != "`" else '"', id=legacy, i=indent) for line in template]
        blocks.append((kind, lines, template[0], legacy))
    # a .tsx module runs in a browser: its rewrites are bare V4 ids, unless it reads process.env
    browser = name.endswith(".tsx") and not any("process.env" in line for _, lines, _, _ in blocks for line in lines)
    for index, (kind, lines, first, legacy) in enumerate(blocks):
        sent = any(mark in first for mark in SENT)
        bare = browser or any(mark in first for mark in BARE_EVERYWHERE)
        # unsafe, so kept: a bare id no request sends, of a mode other than V4's default (thinking on)
        kept = kind == "value" and bare and not sent and legacy != "deepseek-reasoner"
        blocks[index] = ("review" if kept else kind, lines)
    lines = ['import OpenAI from "openai";', ""] + [line for _, block in blocks for line in block]
    if newline_style == "mixed":
        breaks = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    else:
        breaks = [newline_style] * len(lines)
    text = "".join(line + brk for line, brk in zip(lines, breaks))
    if not draw(st.booleans()):
        text = text.rstrip("\r\n")
    values = [line for kind, block in blocks if kind == "value" for line in block if any(i in line for i in IDS)]
    reviews = [line for kind, block in blocks if kind == "review" for line in block if line.strip()]
    return name, text.encode("utf-8"), values, reviews


def _parses(text: str, name: str) -> bool:
    return not jstree.parser(jstree.dialect_for(name)).parse(text.encode("utf-8")).root_node.has_error


STRING_WITH_ID = re.compile(r"""^(["'`])(deepseek/|deepseek:)?deepseek-(chat|reasoner|coder)\1$""")
INSERTIONS = re.compile(r"""thinking: \{ type: (["'`])(disabled|enabled)\1 \}""")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(module=modules())
def test_fix_is_byte_exact_idempotent_and_leaves_review_positions(tmp_path_factory, module):
    name, data, values, reviews = module
    before_text = data.decode("utf-8")
    assert _parses(before_text, name)  # the input is valid
    path = tmp_path_factory.mktemp("prop") / name
    path.write_bytes(data)

    result = process_file(path, fix=True)
    assert result.errors == []
    fixed = path.read_bytes()
    after_text = fixed.decode("utf-8")

    # 1. it parses
    assert _parses(after_text, name), after_text

    # 2. a second fix changes nothing
    again = process_file(path, fix=True)
    assert again.errors == [] and not again.changed
    assert path.read_bytes() == fixed

    # 3. every byte outside the reported edits is kept, and the edits are what they claim
    assert_edits_are_the_reported_ones(result, before_text, after_text, STRING_WITH_ID, INSERTIONS)

    # 4. review positions and mentions are untouched; value positions are all rewritten
    assert_positions_kept_and_rewritten(result, after_text, values, reviews)
