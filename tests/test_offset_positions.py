"""OffsetPositions must give exactly LibCST's PositionProvider ranges, node for node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from codemod.ftypes import SourceText
from codemod.pysource import OffsetPositions
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
