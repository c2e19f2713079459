"""The notebook scanner: cells through the Python scanner, located and fixed in the .ipynb JSON."""

from __future__ import annotations

import json

import pytest

from codemod.ftypes import Edit, ScanError, SourceText
from codemod.scanners import notebook as notebook_scanner
from codemod.scanners import python as python_scanner
from formats_support import CATALOG, cases, check_fixture, fix, make_ctx, read, scan

CASES = cases("notebook")


def _without_code_sources(nb):
    """The notebook with code cells' sources blanked: what a fix must never touch."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = None
    return nb


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_is_fixed_byte_exactly_and_idempotently(case):
    before, after = check_fixture(notebook_scanner, case)
    old, new = json.loads(before), json.loads(after)
    assert _without_code_sources(old) == _without_code_sources(new)  # outputs, metadata, prose
    assert list(json.loads(after)) == list(json.loads(before))  # key order
    assert after.endswith("\n") == before.endswith("\n")


def test_findings_carry_cell_and_line_and_point_into_the_file():
    case = next(c for c in CASES if c.name == "magics")
    text = read(case.before)
    source = SourceText(text)
    findings = scan(notebook_scanner, text, case.rel)
    model = next(f for f in findings if f.rule == "DS001" and f.legacy == "deepseek-chat")
    assert model.extra == {"cell": 3, "cell_line": 5}
    assert model.snippet == 'MODEL = "deepseek-chat"  # fast'
    assert source.line_text(model.line).strip().startswith('"MODEL = \\"deepseek-chat\\"')
    for finding in (f for f in findings if f.legacy):  # the span, decoded as JSON, holds the id
        start = source.offset(finding.line, finding.column - 1)
        end = source.offset(finding.end_line, finding.end_column - 1)
        assert finding.legacy in json.loads('"' + text[start:end] + '"'), finding


def test_magic_and_shell_lines_and_cell_magics_are_reported_not_parsed():
    case = next(c for c in CASES if c.name == "magics")
    findings = scan(notebook_scanner, read(case.before), case.rel)
    unparsed = [(f.extra["cell"], f.extra["cell_line"]) for f in findings if f.rule == "DS005"]
    assert unparsed == [(2, 3), (4, 2)]  # `!curl … deepseek-chat`, the %%bash cell
    assert all(f.fix is None for f in findings if f.rule in ("DS003", "DS005"))


def test_outputs_are_never_scanned():
    case = next(c for c in CASES if c.name == "magics")
    text = read(case.before)
    source = SourceText(text)
    lines = {source.line_text(f.line) for f in scan(notebook_scanner, text, case.rel)}
    assert not any("text/plain" in line or "'deepseek-chat'\"" in line for line in lines)


# -- masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ["%pip install openai", "!ollama pull deepseek-r1", "  !ls", "files = !ls", "t = %timeit f()", "obj?", "??obj",
     "pip install openai", "%%time"],
)
def test_ipython_lines_are_masked_to_same_length_comments(line):
    masked, lines = notebook_scanner.mask(line + "\nx = 1\n")
    assert lines == {1}
    assert len(masked) == len(line) + 7 and masked.lstrip().startswith("#")
    compile(masked, "<cell>", "exec")


def test_continued_magic_lines_are_masked_together():
    masked, lines = notebook_scanner.mask("!pip install \\\n    openai\nx = 1\n")
    assert lines == {1, 2}
    compile(masked, "<cell>", "exec")


@pytest.mark.parametrize("line", ["x = a % b", "y = not x", "if a != b: pass", "print('!')", "pipeline = 1"])
def test_python_lines_are_not_masked(line):
    assert notebook_scanner.mask(line + "\n") == (line + "\n", set())


# -- edits of cells as edits of the file (with a stand-in Python scanner) -----------------------


def _stub_scanner(monkeypatch, edits_for):
    """Replace the Python scanner by one that reports each `deepseek-chat` with given edits."""

    def fake_scan(source, ctx):
        return [
            ctx.id_finding(source, m.start, m.end, m, "DS001", fix="safe", edits=tuple(edits_for(source.text, m)))
            for m in CATALOG.find(source.text)
        ]

    monkeypatch.setattr(python_scanner, "scan", fake_scan)


def _notebook(source, indent=1):
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": source}], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=indent, ensure_ascii=False) + "\n"


def _cell_source(text):
    return "".join(json.loads(text)["cells"][0]["source"])


@pytest.mark.parametrize("as_list", [True, False])
@pytest.mark.parametrize(
    "edits_for",
    [
        lambda text, m: [Edit(m.start, m.end, 'é "v4"\\')],  # needs escaping in JSON
        lambda text, m: [Edit(0, 0, "import os\n"), Edit(m.start, m.end, "X")],  # a new line first
        lambda text, m: [Edit(m.start, m.end, "X,\n    Y")],  # a line break mid-line
        lambda text, m: [Edit(m.start - 3, len(text), "Z")],  # across lines to the end
        lambda text, m: [Edit(len(text), len(text), "\nprint()\n")],  # lines at the very end
    ],
    ids=["escape", "insert-line", "split-line", "join-lines", "append"],
)
def test_cell_edits_become_json_edits(monkeypatch, as_list, edits_for):
    _stub_scanner(monkeypatch, edits_for)
    cell = 'a = 1\nb = "deepseek-chat"\nc = 3'
    source = [line for line in cell.splitlines(keepends=True)] if as_list else cell
    text = _notebook(source)
    fixed, findings = fix(notebook_scanner, text, "nb.ipynb")
    (match,) = CATALOG.find(cell)
    expected_cell = cell
    for edit in sorted(edits_for(cell, match), reverse=True):
        expected_cell = expected_cell[: edit.start] + edit.replacement + expected_cell[edit.end :]
    assert _cell_source(fixed) == expected_cell
    new_source = json.loads(fixed)["cells"][0]["source"]
    assert isinstance(new_source, list) == as_list
    if as_list:  # one element per line, as nbformat writes
        assert new_source == expected_cell.splitlines(keepends=True)
        element_lines = [line for line in fixed.splitlines() if line.startswith('    "')]
        assert len(element_lines) == len(new_source)  # every element on its own line, list-indented
    assert findings[0].extra == {"cell": 1, "cell_line": 2}


def test_inserted_lines_take_the_list_indentation(monkeypatch):
    _stub_scanner(monkeypatch, lambda text, m: [Edit(0, 0, "import os\n"), Edit(m.start, m.end, "X")])
    text = _notebook(["x = 'deepseek-chat'\n", "y = 1"], indent=2)
    fixed, _ = fix(notebook_scanner, text, "nb.ipynb")
    assert '"source": [\n        "import os\\n",\n        "x = \'X\'\\n",\n        "y = 1"\n      ]' in fixed


# -- files that are not fixed ---------------------------------------------------------------------


def test_non_python_notebook_is_reported_not_fixed():
    nb = json.loads(_notebook(['model <- "deepseek-chat"']))
    nb["metadata"] = {"kernelspec": {"language": "R", "name": "ir"}}
    text = json.dumps(nb, indent=1)
    fixed, findings = fix(notebook_scanner, text, "r.ipynb")
    assert fixed == text and [f.rule for f in findings] == ["DS005"]


def test_cell_that_does_not_parse_is_reported_by_text():
    text = _notebook(['def broken(:\n', '    model = "deepseek-chat"'])
    fixed, findings = fix(notebook_scanner, text, "nb.ipynb")
    assert fixed == text and [(f.rule, f.extra) for f in findings] == [("DS005", {"cell": 1, "cell_line": 2})]


@pytest.mark.parametrize("text", ['{"cells": ["deepseek-chat"', '{"worksheets": [{"cells": []}], "deepseek-chat": 1}'])
def test_broken_or_old_notebook_raises_scan_error(text):
    with pytest.raises(ScanError):
        notebook_scanner.scan(SourceText(text), make_ctx("old.ipynb"))


def test_verify_rejects_a_cell_that_no_longer_parses():
    notebook_scanner.verify(_notebook(["%pip install x\n", "x = 1"]))
    with pytest.raises(ScanError, match="cell 1"):
        notebook_scanner.verify(_notebook(["x = (\n"]))


def test_cells_are_prefiltered_after_json_decoding():
    # In the file the quote after `deepseek-` is escaped (`deepseek-\"`); in the cell it is not.
    text = _notebook(['think = True\n', 'model = "deepseek-" + ("reasoner" if think else "chat")'])
    assert [(f.rule, f.extra) for f in scan(notebook_scanner, text, "nb.ipynb")] == [("DS004", {"cell": 1, "cell_line": 2})]
