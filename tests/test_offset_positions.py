"""OffsetPositions must give exactly LibCST's PositionProvider ranges, node for node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from codemod.ftypes import SourceText
from codemod.pysource import OffsetPositions, Visitor, visit_tree
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
