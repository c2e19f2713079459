"""The lexer that finds a module's top-level statements (scanners/_pylines.py) in place of a full
CPython parse: it must give the same statement groups as CPython's tree, on every Python file of
the fixtures, of this project and of the benchmark tree, and the scans must find the same; where
it is not sure it says so (None), and CPython decides."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path
from typing import List

import pytest

from codemod.ftypes import SourceText
from codemod.scanners import _pylines, _pyprune
from codemod.scanners import python as python_scanner
from helpers import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py: the synthetic monorepo)


def _groups_by_lines(text: str):
    statements = _pylines.top_level_statements(text)
    return None if statements is None else [vars(g) for g in _pyprune.groups_of_lines(statements)]


def _groups_by_cpython(text: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    return [vars(g) for g in _pyprune.groups_of_tree(tree)]


def _comparable(groups):
    # a docstring is only a hint to keep the header: the lexer may say so of `"a".join(x)` too
    return [{k: v for k, v in g.items() if k != "may_be_docstring"} for g in groups]


def _python_files(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*.py") if "node_modules" not in p.parts and ".work" not in p.parts)


@pytest.fixture(scope="module")
def benchmark_tree(tmp_path_factory) -> Path:
    tree, _ = generate.generate_tree(tmp_path_factory.mktemp("bench"), 1000, 1)
    return tree


def _corpus(benchmark_tree: Path) -> List[Path]:
    return [*_python_files(REPO_ROOT / "fixtures"), *_python_files(REPO_ROOT / "codemod"), *_python_files(REPO_ROOT / "tests"),
            *_python_files(REPO_ROOT / "benchmarks"), *_python_files(benchmark_tree)]


def test_the_lexer_finds_the_statements_cpython_finds(benchmark_tree):
    checked = 0
    for path in _corpus(benchmark_tree):
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            reference = _groups_by_cpython(text)
        except (SyntaxError, ValueError):
            continue  # fixtures of broken files: CPython has no answer to compare with
        ours = _groups_by_lines(text)
        assert ours is not None, path
        assert _comparable(ours) == _comparable(reference), path
        checked += 1
    assert checked > 500


def test_scans_find_the_same_with_the_lexer_and_with_cpython(benchmark_tree, monkeypatch):
    """Findings and fixes are unchanged: every file of the corpus that holds an id, scanned both ways. Not
    tests/: the two ways differ in the statement groups they give the scan, which the test above compares on
    tests/ too, and its 600 KB of ids in strings doubled this test's time."""
    from formats_support import make_ctx

    texts = []
    for path in _corpus(benchmark_tree):
        if REPO_ROOT / "tests" in path.parents:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if "deepseek" in text:
            texts.append((path, text))
    assert len(texts) > 50

    def findings(path, text):
        try:
            found = python_scanner.scan(SourceText(text), make_ctx(path.name))
        except python_scanner.ScanError as exc:
            return str(exc)
        return [(f.rule, f.line, f.column, f.message, f.fix, f.edits, f.group) for f in found]

    by_lexer = [findings(path, text) for path, text in texts]
    monkeypatch.setattr(_pyprune, "top_level_statements", lambda text: None)  # CPython's tree instead
    by_cpython = [findings(path, text) for path, text in texts]
    for (path, _), ours, reference in zip(texts, by_lexer, by_cpython):
        assert ours == reference, path


LAYOUTS = [
    "@decorator\n@other(x)\ndef f():\n    pass\nx = 1\n",
    "try:\n    import a\nexcept ImportError:\n    a = None\nelse:\n    pass\nfinally:\n    pass\n",
    "if x:\n    y = 1\nelif z:\n    y = 2\nelse:\n    y = 3\n",
    "x = (1,\n2,\n3)\ny = [\n]\n",
    "x = 1 + \\\n2\ny = 3\n",
    's = """\ncolumn zero inside\n"""\nt = 1\n',
    "s = '''a\\\n'''\nt = 2\n",
    "import a; import b\nimport c; x = 1\nx = 1; import d\n",
    "def f(): return 1\nclass C: pass\n",
    "x = 1  # a comment\n# own line\n\n\ny = 2\n",
    '"""Doc."""\nfrom __future__ import annotations\nimport os\n',
    'f"{x!r:>{width}}"\nx = f"""\n{y}\n"""\n',
    "x = 1\r\ny = 2\r\n",
    "async def f():\n    await g()\n\n\nmatch x:\n    case 1:\n        pass\n",
    "x = r'\\'' + 'a#b'  # c\ny = 1\n",
]


@pytest.mark.parametrize("text", LAYOUTS, ids=[f"layout-{i}" for i in range(len(LAYOUTS))])
def test_layouts(text):
    assert _comparable(_groups_by_lines(text)) == _comparable(_groups_by_cpython(text))


@pytest.mark.parametrize("text", [
    'x = "no end\n',  # a string that does not end
    "x = (1,\n",  # a bracket that does not close
    "x = 1)\n",
    "x = 1\ry = 2\r",  # lone CR line breaks: `^` does not see them
    "x = " + "(" * 160 + "1" + ")" * 160 + "\n",  # nesting deeper than a parser should be asked to take
])
def test_what_the_lexer_is_not_sure_of_goes_to_cpython(text):
    assert _pylines.top_level_statements(text) is None


# The blanking pattern as first written (plain alternation, backtracking runs): the faster one in
# _pylines (a lookahead, possessive runs) must blank every text the same way.
_PLAIN_STRINGS_AND_COMMENTS = (
    r'''"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|\'\'\'(?:[^'\\]|\\[\s\S]|'(?!''))*\'\'\''''
    r'''|"(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"|'(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*\''''
    r'''|\#[^\r\n]*|(?P<unterminated>"""|\'\'\'|"|')'''
)


def test_the_fast_blanking_pattern_blanks_as_the_plain_one(monkeypatch):
    import random
    import re

    rng = random.Random(15)
    alphabet = ['"', "'", '"""', "'''", "\\", "\n", "\r\n", "\r", "#", "a", " ", "x = ", "("]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(5000)]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO_ROOT / "codemod").rglob("*.py"))]
    fast = [_pylines.blanked(text) for text in texts]
    monkeypatch.setattr(_pylines, "_STRINGS_AND_COMMENTS", re.compile(_PLAIN_STRINGS_AND_COMMENTS))
    plain = [_pylines.blanked(text) for text in texts]
    assert [i for i, (a, b) in enumerate(zip(fast, plain)) if a != b] == []
