"""A large module is scanned a chunk of its statements at a time (scanners/_pychunks.py), so that
memory stays bounded; the findings and fixes must be those of the whole-module scan."""

from __future__ import annotations

from typing import List

import pytest

from codemod.ftypes import SourceText
from codemod.scanners import _pychunks
from codemod.scanners import python as python_scanner
from formats_support import make_ctx


def _module(n: int) -> str:
    """A module of ``n`` blocks that send retired ids, some through a constant shared by many."""
    lines = ['"""A generated client module."""', "import os", "from openai import OpenAI", "",
             'client = OpenAI(base_url="https://api.deepseek.com")', 'SHARED = "deepseek-chat"', ""]
    for i in range(n):
        legacy = ("deepseek-chat", "deepseek-reasoner")[i % 2]
        lines += [f'MODEL_{i} = "{legacy}"', "", f"def ask_{i}(messages):",
                  f"    return client.chat.completions.create(model=MODEL_{i}, messages=messages)", "",
                  f"def shared_{i}(messages):", "    return client.chat.completions.create(model=SHARED, messages=messages)", "",
                  f"def compare_{i}(model):", f'    return model == "{legacy}"  # deepseek-chat in a comment', ""]
        if i % 50 == 0:
            lines += [f"class Agent{i}:", f'    model = "{legacy}"', "", "    def run(self, messages):",
                      "        return client.chat.completions.create(model=self.model, messages=messages)", ""]
    return "\n".join(lines) + "\n"


def _findings(text: str) -> List[tuple]:
    found = python_scanner.scan(SourceText(text), make_ctx("big.py"))
    return sorted((f.rule, f.line, f.column, f.end_line, f.end_column, f.message, f.fix, tuple(sorted(f.edits)), f.group)
                  for f in found)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a test's size: the same code paths as a 3 MB module's, in a fraction of the time."""
    monkeypatch.setattr(_pychunks, "LARGE_FILE", 64 * 1024)
    monkeypatch.setattr(_pychunks, "CHUNK", 16 * 1024)


def _in_a_class(text: str) -> str:
    """The module's blocks as the body of one class, its methods reading `self.`."""
    head, _, body = text.partition('SHARED = "deepseek-chat"\n')
    indented = "".join(("    " + line if line.strip() else line) for line in body.splitlines(keepends=True))
    indented = indented.replace("(messages):", "(self, messages):").replace("(model):", "(self, model):")
    indented = indented.replace("model=MODEL_", "model=self.MODEL_").replace("model=SHARED", "model=self.SHARED")
    return head + "class Registry:\n    SHARED = \"deepseek-chat\"\n" + indented


@pytest.mark.parametrize("layout", ["top level", "one class"])
def test_a_large_module_is_scanned_in_chunks_with_the_same_findings(monkeypatch, small_chunks, layout):
    text = _module(300) if layout == "top level" else _in_a_class(_module(300))
    assert len(text) > _pychunks.LARGE_FILE
    chunk_sizes = []
    real_chunks = _pychunks.chunks
    monkeypatch.setattr(_pychunks, "chunks", lambda *a: chunk_sizes.append(len(real_chunks(*a))) or real_chunks(*a))
    chunked = _findings(text)
    assert chunk_sizes and chunk_sizes[0] >= 2  # not vacuous: it was split
    monkeypatch.setattr(_pychunks, "LARGE_FILE", len(text) + 1)  # the whole module at once: the reference
    whole = _findings(text)
    assert chunked == whole
    assert sum(1 for f in whole if f[0] == "DS001" and f[6] == "safe") >= 300
    assert any("thinking" in edit.replacement for f in whole for edit in f[7])  # the flow was followed


@pytest.mark.parametrize("shared_readers", [0, _pychunks.HUB_USERS + 5])
def test_statements_that_share_a_name_stay_in_one_chunk(shared_readers):
    """A constant and its readers are one component; past HUB_USERS readers the constant is shared instead."""
    from codemod.scanners import _pyprune

    lines = ['X = "deepseek-chat"'] + [f"def f{i}():\n    return call(model=X)\n" for i in range(shared_readers)]
    lines += [f'Y{i} = "deepseek-chat"\n' + "z = 1\n" * 2000 for i in range(12)]
    text = "\n".join(lines)
    source = SourceText(text)
    groups = _pyprune.module_groups(text)
    needed = set(range(len(groups)))
    parts = _pychunks.chunks(source, groups, needed)
    with_x = [part for part in parts if 0 in part]
    if shared_readers > _pychunks.HUB_USERS:
        assert all(0 in part for part in parts if any(1 <= i <= shared_readers for i in part))
    else:
        assert len(with_x) == 1
