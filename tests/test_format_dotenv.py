"""The .env scanner: fixtures, dotenv syntax, and findings that never carry a secret."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod.scanners import dotenv as dotenv_scanner
from formats_support import assert_only_ids_changed, cases, check_fixture, fix, read, scan

CASES = cases("dotenv")
SECRET_KEY = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)


def _values(text):
    return dict(dotenv_values(stream=io.StringIO(text)))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_is_fixed_byte_exactly_and_idempotently(case):
    before, after = check_fixture(dotenv_scanner, case)
    assert_only_ids_changed(_values(before), _values(after))


def _secrets(text):
    """Values of secret-named keys, and every `sk-…` token, in a .env text."""
    found = {v for k, v in _values(text).items() if v and SECRET_KEY.search(k)}
    found |= set(re.findall(r"sk-[\w-]+", text))
    return {s for s in found if s}


def _finding_text(finding):
    return " ".join(str(v) for v in dataclasses.asdict(finding).values())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_findings_never_leak_a_secret(case):
    text = read(case.before)
    secrets = _secrets(text)
    assert secrets, "each .env fixture carries a secret to protect"
    findings = scan(dotenv_scanner, text, case.rel)
    assert findings
    for finding in findings:
        rendered = _finding_text(finding)
        for secret in secrets:
            assert secret not in rendered, (secret, finding)
        assert not SECRET_KEY.search(finding.snippet.split("=")[0]), finding.snippet


_VALUE = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_./:+"), min_size=1, max_size=30
)
_LINES = [
    "{k}={q}{s} deepseek-chat{q}",
    "{k}={q}deepseek-chat {s}{q}",
    "# {k}={q}{s} deepseek-chat{q}",
    "{k}={q}{s}{q}  # deepseek-chat",
    "{k}={q}{s}{q}\nMODEL=deepseek-chat",
]


@settings(max_examples=60, deadline=None)
@given(
    secret=_VALUE,
    key=st.sampled_from(["API_KEY", "GH_TOKEN", "CLIENT_SECRET", "DB_PASSWORD"]),
    quote=st.sampled_from(["", "'", '"']),
    line=st.sampled_from(_LINES),
)
def test_no_finding_field_shows_a_secret_value(secret, key, quote, line):
    text = line.format(k=key, q=quote, s="sk-" + secret) + "\n"
    findings = scan(dotenv_scanner, text, ".env")
    assert findings
    for finding in findings:
        assert "sk-" + secret not in _finding_text(finding)
        assert key not in _finding_text(finding)


@pytest.mark.parametrize(
    "text, fixed",
    [
        ("MODEL=deepseek-chat\n", "MODEL=deepseek-v4-flash\n"),
        ("export MODEL='deepseek-chat' # fast\r\n", "export MODEL='deepseek-v4-flash' # fast\r\n"),
        ('MODEL="deepseek/deepseek-reasoner"', 'MODEL="deepseek/deepseek-v4-flash"'),
        ("MODEL = deepseek:deepseek-coder\n", "MODEL = deepseek:deepseek-v4-flash\n"),
        ("MODEL=${LLM_MODEL:-deepseek-chat}\n", "MODEL=${LLM_MODEL:-deepseek-v4-flash}\n"),
        ("MODEL=deepseek-chat#not-a-comment\n", "MODEL=deepseek-chat#not-a-comment\n"),
    ],
)
def test_value_replaced_in_place(text, fixed):
    assert fix(dotenv_scanner, text, ".env")[0] == fixed


@pytest.mark.parametrize(
    "text",
    [
        "OLLAMA_MODEL=deepseek-r1:8b\n",
        "HF_MODEL=deepseek-ai/DeepSeek-V3\n",
        "MODEL=openrouter/deepseek/deepseek-chat\n",
        "MODEL=deepseek-chat-v3-0324\n",
        "ALLOWED_HOSTS=api.deepseek.com\n",
        "DOCS=https://api-docs.deepseek.com/\n",
    ],
)
def test_precision_nothing_reported(text):
    assert scan(dotenv_scanner, text, ".env") == []


@pytest.mark.parametrize(
    "text, rule",
    [
        ("# MODEL=deepseek-chat\n", "DS003"),
        ("PROMPT='answer as deepseek-chat'\n", "DS003"),
        ('PROMPT="line one\nline two deepseek-chat"\n', "DS003"),
        ("this is not dotenv deepseek-chat\n", "DS005"),
    ],
)
def test_mentions_are_not_fixed(text, rule):
    findings = scan(dotenv_scanner, text, ".env")
    assert [(f.rule, f.fix, f.edits) for f in findings] == [(rule, None, ())]


def test_snippet_shows_only_key_and_id():
    text = "export CHAT_MODEL=\"deepseek-chat\"  # used by the app\n"
    (finding,) = scan(dotenv_scanner, text, ".env")
    assert finding.snippet == "CHAT_MODEL=deepseek-chat"
    assert "used by the app" not in finding.message


def test_positions_after_a_multiline_value():
    text = 'A="one\ntwo"\nMODEL=deepseek-chat\n'
    (finding,) = scan(dotenv_scanner, text, ".env")
    assert (finding.line, finding.column, finding.end_column) == (3, 7, 20)


def test_verify_accepts_any_text():
    dotenv_scanner.verify("KEY='unterminated\nOTHER=1\n")
