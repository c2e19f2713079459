"""The JSON scanner and its position-keeping reader."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod.ftypes import ScanError, SourceText
from codemod.scanners import _jsontree
from codemod.scanners import json as json_scanner
from formats_support import assert_only_ids_changed, cases, check_fixture, fix, make_ctx, read, scan

CASES = cases("json")
BROKEN = {"jsonc"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_is_fixed_byte_exactly_and_idempotently(case):
    before, after = check_fixture(json_scanner, case)
    if case.name not in BROKEN:
        assert_only_ids_changed(json.loads(before), json.loads(after))


def test_every_finding_points_at_the_id_it_names():
    for case in CASES:
        text = read(case.before)
        source = SourceText(text)
        for finding in scan(json_scanner, text, case.rel):
            start = source.offset(finding.line, finding.column - 1)
            end = source.offset(finding.end_line, finding.end_column - 1)
            assert text[start:end] == finding.legacy, (case, finding)


def test_jsonc_raises_scan_error_and_is_never_modified():
    case = next(c for c in CASES if c.name == "jsonc")
    text = read(case.before)
    with pytest.raises(ScanError, match="invalid JSON"):
        json_scanner.scan(SourceText(text), make_ctx(case.rel))
    assert fix(json_scanner, text, case.rel)[0] == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"model": "deepseek-chat"}', [("DS001", "safe")]),
        ('{"modelName": "deepseek-chat"}', [("DS001", "safe")]),
        ('{"llm_model": "deepseek/deepseek-chat"}', [("DS001", "safe")]),
        ('{"title": "deepseek-chat"}', [("DS002", "unsafe")]),
        ('{"deepseek-chat": {"price": 0.27}}', [("DS002", None)]),
        ('{"models": ["deepseek-chat"]}', [("DS002", "unsafe")]),
        ('{"description": "runs on deepseek-chat"}', [("DS003", None)]),
        ('{"model": "deepseek-chat", "base_url": "http://localhost:11434/v1"}', []),
        ('{"model": "deepseek-chat", "base_url": "https://openrouter.ai/api/v1"}', []),
        ('{"model": "deepseek-chat", "base_url": "https://api.deepseek.com/v1"}', [("DS001", "safe")]),
        ('{"model": "deepseek-r1:14b"}', []),
        ('{"model": "deepseek-ai/DeepSeek-V3"}', []),
        ('{"model": "ollama/deepseek-chat"}', []),
        ('{"hosts": ["api.deepseek.com"], "docs": "https://api-docs.deepseek.com"}', []),
    ],
)
def test_positions_are_told_apart(text, expected):
    assert [(f.rule, f.fix) for f in scan(json_scanner, text, "config.json")] == expected


def test_fix_inside_an_escaped_string_keeps_the_escapes():
    text = '{"model": "deepseek-chat", "note": "\\u00e9 \\ud83d\\ude00 \\"deepseek-chat\\""}'
    fixed, findings = fix(json_scanner, text, "c.json")
    assert fixed == '{"model": "deepseek-v4-flash", "note": "\\u00e9 \\ud83d\\ude00 \\"deepseek-chat\\""}'
    assert [f.column for f in findings] == [12, 59]


def test_lock_file_is_recorded_even_when_invalid():
    findings = scan(json_scanner, '{"deepseek-chat": ', "package-lock.json")
    assert [(f.rule, f.severity, f.fix) for f in findings] == [("DS006", "info", None)]


def test_verify_rejects_broken_json():
    with pytest.raises(ScanError):
        json_scanner.verify('{"a": }')


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(data=_JSON, indent=st.sampled_from([None, 1, 2]), ascii_only=st.booleans())
def test_tree_spans_and_offsets_match_the_text(data, indent, ascii_only):
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    root = _jsontree.parse(text)
    for node in root.strings():
        assert json.loads(text[node.start : node.end]) == node.value
        for index, char in enumerate(node.value):
            start, end = node.raw_offset(text, index), node.raw_offset(text, index + 1)
            assert json.loads('"' + text[start:end] + '"') == char
