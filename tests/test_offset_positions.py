"""The cheap parts of a Python scan against what they stand for: OffsetPositions must give exactly
LibCST's PositionProvider ranges, node for node; visit_tree LibCST's visit; parse_module (without
LibCST's node checks) its tree; SourceText's line starts and the pruned text's placeholders the
line breaks Python sees."""

from __future__ import annotations

import re

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from codemod import pysource
from codemod.ftypes import SourceText
from codemod.pysource import OffsetPositions, Visitor, visit_tree
from codemod.scanners._pyprune import _spaces_but_line_breaks, module_groups
from helpers import REPO_ROOT

SOURCES = [
    '#!/usr/bin/env python\n# header\n"""Doc."""\nimport os\n\n\n@deco(1)\n# between\n@other\nclass A(B):\n    x: int = (1)\n\n    def f(self, a=("deepseek-chat"), *, b=2):\n        return f"{a!r:>10}" + \'\'\'x\n  y\'\'\'\n# footer\n',
    "if a:\r\n\tb = [1,\r\n  2]  # c\r\nelif c: d = 1; e = 2\r\nelse:\r\n\tpass\r\n",
    "x = 1",  # no final newline
    "match x:\n    case {'k': [1, *rest]} if rest:\n        pass\n    case _:\n        pass\n",
    "async def g():\n    async with a as (b, c):\n        await d\n    return [i async for i in e]\n",
    "try:\n    pass\nexcept* ValueError as e:\n    raise\nfinally:\n    del x\n",
    "lambda: (yield)\nx = y if z else (w := 3)\nprint(*a, **k)\n",
]


@pytest.mark.parametrize("source", SOURCES + [p.read_text() for p in sorted((REPO_ROOT / "codemod").rglob("*.py"))[:12]])
def test_offset_positions_equal_libcst_positions(source):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    actual = OffsetPositions(module, SourceText(source))
    for node, code_range in expected.items():
        assert actual[node] == code_range, (type(node).__name__, code_range)


class _Recorder(Visitor):
    """Every on_visit/on_leave, with the node; a few subtrees skipped, as visitors do."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_visit(self, node):
        self.events.append(("visit", id(node), type(node).__name__))
        return not isinstance(node, cst.Lambda)  # a visitor that skips a subtree

    def on_leave(self, original_node):
        self.events.append(("leave", id(original_node), type(original_node).__name__))


EXTRA = [
    "f(  # a comment in the parens\n    a,  # after a\n    *b, c=d,  # deepseek-chat\n)\n",
    "@a.b(c)\n@d\nasync def f(x: int = 1, /, *a: 'T', k=(2), **kw) -> (\n    int\n):  # tail\n    ...\n",
    "x = [a for a in b if c for d in e]; y = {k: v for k, v in z}\nz = a[1:2, ::3][...]\n",
    "class C(B, metaclass=M):\n    '''Doc.'''\n    a: int\n    b = f'{x!r:{w}}' 'plain' r'\\x00'\n    c = b'x' rb'y'\n",
    "global g\nwith (a as b, c):\n    assert x, 'm'\n    raise E from None\nwhile not a or b and c: continue\nelse: break\n",
]


@pytest.mark.parametrize("source", SOURCES + EXTRA + [p.read_text() for p in sorted((REPO_ROOT / "codemod").rglob("*.py"))])
def test_visit_tree_calls_the_visitor_as_libcst_does(source):
    """pysource.visit_tree walks without LibCST's copies; the visitor sees the same calls on the
    same nodes in the same order."""
    module = cst.parse_module(source)
    by_libcst, by_walk = _Recorder(), _Recorder()
    module.visit(by_libcst)
    visit_tree(module, by_walk)
    assert by_walk.events == by_libcst.events


ALL_SOURCES = SOURCES + EXTRA + [p.read_text() for p in sorted((REPO_ROOT / "codemod").rglob("*.py"))]


@pytest.mark.parametrize("source", SOURCES + EXTRA)
def test_offset_positions_cover_every_node_once(source):
    """Its spans are kept by id(node); as a Mapping it still gives the module's nodes."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    actual = OffsetPositions(module, SourceText(source))
    assert sorted(map(id, actual)) == sorted(map(id, expected))
    assert len(actual) == len(expected)


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_parse_module_gives_the_tree_libcst_gives(source):
    ours = pysource.parse_module(source)
    assert ours.deep_equals(cst.parse_module(source))
    assert ours.code == source


class _CountedChecks:
    def __init__(self, monkeypatch):
        self.calls = 0
        checked = cst.Name._validate

        def counted(node):
            self.calls += 1
            return checked(node)

        monkeypatch.setattr(cst.Name, "_validate", counted)


def test_parse_module_skips_the_checks_of_a_parse_only(monkeypatch):
    """The installed LibCST checks each node in CSTNode.__post_init__ (what parse_module leans
    on: it must be so on every supported Python); a parse skips the checks, nodes built by hand
    are still checked."""
    assert pysource._VALIDATE is not None
    checks = _CountedChecks(monkeypatch)
    pysource.parse_module("answer = question(model=name)\n")
    assert checks.calls == 0
    cst.parse_module("answer = question(model=name)\n")
    assert checks.calls == 4  # answer, question, model, name
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    assert checks.calls == 5


def test_parse_module_is_the_plain_parse_where_libcst_checks_nodes_another_way(monkeypatch):
    monkeypatch.setattr(pysource, "_VALIDATE", None)
    checks = _CountedChecks(monkeypatch)
    tree = pysource.parse_module("answer = question(model=name)\n")
    assert checks.calls == 4
    assert tree.deep_equals(cst.parse_module("answer = question(model=name)\n"))


def test_the_check_is_recognised_only_as_libcst_1_writes_it():
    class Checked:
        def __post_init__(self):
            self._validate()

    class CheckedMore:
        def __post_init__(self):
            self._validate()
            self._freeze()

    class Unchecked:
        pass

    assert pysource._validating_post_init(Checked) is vars(Checked)["__post_init__"]
    assert pysource._validating_post_init(CheckedMore) is None
    assert pysource._validating_post_init(Unchecked) is None


LINE_BREAK_CASES = ["", "x", "x\n", "a\nb", "a\n\nb\n", "a\r\nb\r\n", "a\rb", "a\r\n\rb\n\nc", "\n\n", "tab\tfeed\x0cline\n", "\u2028not a break\n"]


@pytest.mark.parametrize("text", LINE_BREAK_CASES)
def test_line_starts_are_after_python_line_breaks(text):
    """SourceText splits a text without CR by str methods; the regex it used before decides."""
    expected = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    source = SourceText(text)
    assert [source.line_start(line) for line in range(1, source.line_count + 1)] == expected


@pytest.mark.parametrize("text", LINE_BREAK_CASES)
def test_placeholder_blanks_keep_every_line_break(text):
    blank = _spaces_but_line_breaks(text)
    assert len(blank) == len(text)
    assert [c for c in blank if c in "\r\n"] == [c for c in text if c in "\r\n"]
    assert all(b == c if c in "\r\n" else b == " " for b, c in zip(blank, text))


def test_visit_tree_visits_a_format_spec_after_an_f_string_without_one(monkeypatch):
    """An f-string expression's format_spec is visited only when it has one: the order of its
    attributes learnt from one without it must not hide the spec of the next."""
    monkeypatch.setattr(pysource, "_CHILD_VALUES", {})  # as in a new process
    monkeypatch.setattr(pysource, "_UNSEEN", {})
    source = "a = f\"{x}\"\nb = f\"{y:{'deepseek-chat'}}\"\n"
    test_visit_tree_calls_the_visitor_as_libcst_does(source)
    events = _Recorder()
    visit_tree(cst.parse_module(source), events)
    assert ("visit", "SimpleString") in [(kind, name) for kind, _, name in events.events]


# -- a statement at a time: the codegen of the statements whose spans are asked for -------------


def _statement_lines(text):
    return [group.first_line for group in module_groups(text)]


FIXTURE_PYTHON = sorted(p for p in (REPO_ROOT / "fixtures").rglob("*.py") if "deepseek" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", ALL_SOURCES + [p.read_text(encoding="utf-8") for p in FIXTURE_PYTHON])
def test_offset_positions_a_statement_at_a_time_equal_the_whole_module_codegen(source):
    """Given where each statement starts, the codegen runs a statement at a time as spans are
    asked for, in any order; every span is the whole codegen's, and LibCST's range."""
    module = cst.parse_module(source)
    whole = OffsetPositions(module, SourceText(source))
    lazy = OffsetPositions(module, SourceText(source), _statement_lines(source))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in reversed(list(whole)):  # the last statements first: the walk for an owner goes in order
        assert lazy.span(node) == whole.span(node), type(node).__name__
    for node, code_range in expected.items():
        assert lazy[node] == code_range, type(node).__name__
    assert lazy.statements_at(range(len(source) + 1)) == set(module.body)


def test_only_the_statements_asked_about_are_generated():
    source = '"""Doc."""\nimport os\nimport sys\n\nclient = OpenAI()\n\n\ndef f():\n    return client.chat(model="deepseek-chat")\n'
    module = cst.parse_module(source)
    lazy = OffsetPositions(module, SourceText(source), _statement_lines(source))
    assert lazy._starts is not None and not any(lazy._generated)
    found = lazy.statements_at([source.index("deepseek-chat")])
    assert found == {module.body[4]} and lazy._generated == [False, False, False, False, True]
    call = module.body[3].body[0].value  # OpenAI()
    start, end = lazy.span(call)
    assert source[start:end] == "OpenAI()"
    assert lazy._generated == [False, False, False, True, True]
    assert not any(id(node) in lazy.spans for node in (module.body[1], module.body[2].body[0]))  # the imports


@pytest.mark.parametrize("source, lines", [
    ("x = 1\ny = 2", [1, 2]),  # no final newline: LibCST's codegen adds one, then pops it
    ("x = 1\ny = 2\n", [1]),  # fewer lines than statements
    ("x = 1\ny = 2\n", [2, 1]),  # not in order
    ("x = 1\ny = 2\n", [1, 9]),  # past the text
])
def test_statement_lines_that_do_not_fit_the_module_give_the_whole_codegen(source, lines):
    module = cst.parse_module(source)
    positions = OffsetPositions(module, SourceText(source), lines)
    assert positions._starts is None
    assert dict(positions.spans) == dict(OffsetPositions(module, SourceText(source)).spans)


def test_a_statement_that_is_not_the_text_it_should_span_is_never_taken():
    """Lines in order but wrong (the second statement said to start a line late): a statement
    asked for by offset raises, as a codegen that does not reproduce the file does (the scan
    then takes LibCST's positions); asked for by node, the whole module is generated instead."""
    source = "x = 1\n\ny = [\n    2,\n]\nz = 3\n"
    module = cst.parse_module(source)
    with pytest.raises(ValueError):
        OffsetPositions(module, SourceText(source), [1, 4, 6]).statements_at([source.index("y")])
    positions = OffsetPositions(module, SourceText(source), [1, 4, 6])
    whole = OffsetPositions(module, SourceText(source))
    node = module.body[1].body[0].value
    assert positions.span(node) == whole.span(node)
    assert positions._starts is None


def test_a_node_of_another_module_is_not_in_the_positions():
    module = cst.parse_module("x = 1\n")
    positions = OffsetPositions(module, SourceText("x = 1\n"), [1])
    assert positions.get(cst.parse_module("x = 1\n").body[0]) is None
    with pytest.raises(KeyError):
        positions.span(cst.Name("x"))


class _SkippingRecorder(_Recorder):
    unvisited = pysource.TRIVIA


class _OutsideSkipped(_Recorder):
    """LibCST's own visit, recording only the nodes outside the subtrees of ``TRIVIA`` types."""

    def __init__(self):
        super().__init__()
        self.inside = 0

    def on_visit(self, node):
        if self.inside or type(node) in pysource.TRIVIA:
            self.inside += 1
            return True
        return super().on_visit(node)

    def on_leave(self, original_node):
        if self.inside:
            self.inside -= 1
        else:
            super().on_leave(original_node)


@pytest.mark.parametrize("source", SOURCES + EXTRA)
def test_visit_tree_does_not_enter_the_unvisited_types(source):
    module = cst.parse_module(source)
    by_libcst, by_walk = _OutsideSkipped(), _SkippingRecorder()
    module.visit(by_libcst)
    visit_tree(module, by_walk)
    assert by_walk.events == by_libcst.events
    assert len(by_walk.events) < len(_recorded(module))  # not vacuous


def _recorded(module):
    everything = _Recorder()
    visit_tree(module, everything)
    return everything.events


def test_the_trivia_types_hold_nothing_but_trivia():
    """What a visitor leaves out with TRIVIA (whitespace, comments, punctuation) holds no
    expression or statement: every node below one, in every shipped Python file, is TRIVIA."""
    seen = set()
    for source in ALL_SOURCES:
        pending = [cst.parse_module(source)]
        while pending:
            node = pending.pop()
            children = pysource._children(node)
            if type(node) in pysource.TRIVIA:
                seen.add(type(node))
                assert all(type(child) in pysource.TRIVIA for child in children), type(node).__name__
            pending += children
    assert {cst.SimpleWhitespace, cst.Comma, cst.EmptyLine, cst.ParenthesizedWhitespace, cst.Comment} <= seen
