"""The YAML scanner: before/after fixtures per context, and the positions it must tell apart."""

from __future__ import annotations

import pytest
import yaml

from codemod.ftypes import ScanError, SourceText
from codemod.scanners import yaml as yaml_scanner
from formats_support import assert_only_ids_changed, cases, check_fixture, fix, make_ctx, read, scan

CASES = cases("yaml")
TEMPLATED = {"helm"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_is_fixed_byte_exactly_and_idempotently(case):
    before, after = check_fixture(yaml_scanner, case)
    if case.name not in TEMPLATED:
        assert_only_ids_changed(list(yaml.safe_load_all(before)), _without_added_thinking(list(yaml.safe_load_all(after))))


def _without_added_thinking(documents):
    """The fixed documents less the `thinking:` the fix adds to LiteLLM's litellm_params."""
    for doc in documents:
        for entry in (doc.get("model_list") or []) if isinstance(doc, dict) else []:
            params = entry.get("litellm_params") if isinstance(entry, dict) else None
            if isinstance(params, dict) and params.get("thinking") in ({"type": "disabled"}, {"type": "enabled"}):
                del params["thinking"]
    return documents


def test_fixture_cases_cover_every_context():
    assert {c.name for c in CASES} >= {"compose", "workflow", "action", "litellm", "cassette", "lockfile", "helm", "generic-crlf"}


@pytest.mark.parametrize(
    "text",
    [
        "model: {{ .Values.model | default \"deepseek-chat\" }}\n",
        "{{- if .Values.enabled }}\nmodel: deepseek-chat\n{{- end }}\n",
        "{% if prod %}\nmodel: deepseek-chat\n{% endif %}\n",
        "model: [deepseek-chat\n",
    ],
)
def test_templated_or_broken_yaml_raises_scan_error(text):
    with pytest.raises(ScanError):
        yaml_scanner.scan(SourceText(text), make_ctx("values.yaml"))


def test_helm_fixture_is_reported_by_text_and_never_modified():
    case = next(c for c in CASES if c.name == "helm")
    text = read(case.before)
    with pytest.raises(ScanError, match="templated YAML"):
        yaml_scanner.scan(SourceText(text), make_ctx(case.rel))
    fixed, findings = fix(yaml_scanner, text, case.rel)
    assert fixed == text and [f.rule for f in findings] == ["DS005"]


def _rules(text, path="config.yaml"):
    return [(f.rule, f.fix, f.replacement) for f in scan(yaml_scanner, text, path)]


@pytest.mark.parametrize(
    "text",
    [
        "model: deepseek-r1:14b\n",
        "model: deepseek-ai/DeepSeek-V3\n",
        "model: ollama/deepseek-chat\n",
        "model: openrouter/deepseek/deepseek-chat\n",
        "model: bedrock/deepseek-chat\n",
        "model: deepseek-chat-v3-0324\n",
        "hosts: [api.deepseek.com]\n",
        "docs: https://api-docs.deepseek.com/\n",
        "model: deepseek-v4-flash\n",
        "llm:\n  model: deepseek-chat\n  base_url: http://localhost:11434/v1\n",
    ],
)
def test_precision_nothing_reported(text):
    assert _rules(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("model: deepseek-chat\n", [("DS001", "safe", "deepseek-v4-flash")]),
        ("model: deepseek/deepseek-chat\n", [("DS001", "safe", "deepseek/deepseek-v4-flash")]),
        ("model: deepseek:deepseek-reasoner\n", [("DS001", "safe", "deepseek:deepseek-v4-flash")]),
        ("# model: deepseek-chat\n", [("DS003", None, "deepseek-v4-flash")]),
        ("note: we used deepseek-chat\n", [("DS003", None, "deepseek-v4-flash")]),
        ("deepseek-chat: 0.27\n", [("DS002", None, "deepseek-v4-flash")]),
        ("allowed_models:\n  - deepseek-chat\n", [("DS002", "unsafe", "deepseek-v4-flash")]),
        ("args: [--model, deepseek-chat]\n", [("DS001", "safe", "deepseek-v4-flash")]),
        ("args: [--model=deepseek-chat]\n", [("DS001", "safe", "deepseek-v4-flash")]),
        ("model: ${LLM_MODEL:-deepseek-chat}\n", [("DS001", "safe", "deepseek-v4-flash")]),
        ("model: '{{ model | default(\"deepseek-chat\") }}'\n", [("DS005", None, "deepseek-v4-flash")]),
    ],
)
def test_positions_are_told_apart(text, expected):
    assert _rules(text) == expected


def test_comment_after_a_value_is_a_mention_and_the_value_a_fix():
    text = "model: deepseek-chat  # was deepseek-reasoner\n"
    findings = scan(yaml_scanner, text, "config.yaml")
    assert [(f.rule, f.column) for f in findings] == [("DS001", 8), ("DS003", 29)]
    assert findings[1].severity == "info"


@pytest.mark.parametrize(
    "text, fixed",
    [
        ("model: deepseek-chat\n", "model: deepseek-v4-flash\n"),
        ("model: 'deepseek-chat'\n", "model: 'deepseek-v4-flash'\n"),
        ('model: "deepseek-chat"\n', 'model: "deepseek-v4-flash"\n'),
        ("model: |-\n  deepseek-chat\n", "model: |-\n  deepseek-v4-flash\n"),
        ("- {model: deepseek-chat}\n", "- {model: deepseek-v4-flash}\n"),
        ("a: 1\n---\nmodel: deepseek-chat\n", "a: 1\n---\nmodel: deepseek-v4-flash\n"),
    ],
)
def test_replacement_keeps_the_scalar_style(text, fixed):
    assert fix(yaml_scanner, text, "config.yaml")[0] == fixed


COMPOSE = "services:\n  app:\n    environment:\n{env}"


@pytest.mark.parametrize(
    "env, fixed_env",
    [
        ("      - MODEL=deepseek-chat\n", "      - MODEL=${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}\n"),
        ("      MODEL: deepseek-reasoner\n", "      MODEL: ${DEEPSEEK_REASONER_MODEL:-deepseek-v4-flash}\n"),
        ("      MODEL: deepseek/deepseek-coder\n", "      MODEL: deepseek/${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}\n"),
    ],
)
def test_compose_environment_reads_the_catalog_variable(env, fixed_env):
    fixed, _ = fix(yaml_scanner, COMPOSE.format(env=env), "compose.yaml")
    assert fixed == COMPOSE.format(env=fixed_env)


def test_compose_flow_environment_is_quoted_when_plain_cannot_hold_it():
    # `{` and `}` end a plain scalar inside `[...]`, so the new value needs quotes.
    text = "services:\n  app:\n    environment: [MODEL=deepseek-chat]\n"
    fixed, _ = fix(yaml_scanner, text, "docker-compose.yml")
    assert fixed == "services:\n  app:\n    environment: ['MODEL=${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}']\n"
    assert yaml.safe_load(fixed)["services"]["app"]["environment"] == ["MODEL=${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}"]


def test_compose_is_recognized_by_content_not_file_name():
    text = "services:\n  app:\n    environment:\n      MODEL: deepseek-chat\n"
    fixed, _ = fix(yaml_scanner, text, "deploy/stack.yml")
    assert "${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}" in fixed


def test_anchor_used_in_a_compose_environment_gets_the_variable():
    text = "x-env: &env\n  MODEL: deepseek-chat\nservices:\n  app:\n    environment: *env\n"
    fixed, _ = fix(yaml_scanner, text, "compose.yml")
    assert "  MODEL: ${DEEPSEEK_CHAT_MODEL:-deepseek-v4-flash}\n" in fixed


def test_workflow_is_recognized_by_content_too():
    text = "on: push\njobs:\n  a:\n    env:\n      MODEL: deepseek-chat\n"
    fixed, _ = fix(yaml_scanner, text, "ci.yml")
    assert "MODEL: ${{ vars.DEEPSEEK_CHAT_MODEL || 'deepseek-v4-flash' }}" in fixed
    assert yaml.safe_load(fixed)["jobs"]["a"]["env"]["MODEL"] == "${{ vars.DEEPSEEK_CHAT_MODEL || 'deepseek-v4-flash' }}"


def test_litellm_alias_is_never_fixed_even_with_unsafe_fixes():
    text = "model_list:\n  - model_name: deepseek-chat\n    litellm_params:\n      model: deepseek/deepseek-chat\n"
    findings = scan(yaml_scanner, text, "proxy.yaml")
    alias = [f for f in findings if f.line == 2]
    assert [(f.rule, f.fix, f.edits) for f in alias] == [("DS002", None, ())]


def test_crlf_and_non_ascii_offsets_are_exact():
    text = "# é\r\nname: «ü»\r\nmodel: deepseek-chat\r\n"
    fixed, findings = fix(yaml_scanner, text, "config.yaml")
    assert fixed == "# é\r\nname: «ü»\r\nmodel: deepseek-v4-flash\r\n"
    assert (findings[0].line, findings[0].column) == (3, 8)


def test_byte_order_mark_is_allowed():
    fixed, _ = fix(yaml_scanner, "\ufeffmodel: deepseek-chat\n", "config.yaml")
    assert fixed == "\ufeffmodel: deepseek-v4-flash\n"


def test_verify_rejects_broken_yaml():
    with pytest.raises(ScanError):
        yaml_scanner.verify("a: [1,\n")


@pytest.mark.parametrize(
    "text, fixed",
    [
        ("model: '${{ inputs.m || ''deepseek-chat'' }}'\n", "model: '${{ inputs.m || ''deepseek-v4-flash'' }}'\n"),
        ('quote: "say \\"deepseek-chat\\""\n', 'quote: "say \\"deepseek-chat\\""\n'),
        ('model: "\\u0041 ${X:-deepseek-chat}"\n', 'model: "\\u0041 ${X:-deepseek-v4-flash}"\n'),
    ],
)
def test_ids_in_escaped_scalars_are_located_once(text, fixed):
    new, findings = fix(yaml_scanner, text, "config.yaml")
    assert new == fixed
    assert len(findings) == 1


# -- registries keyed by name, and LiteLLM's thinking mode ------------------------------------------

MODEL_SETTINGS = """- name: deepseek/deepseek-chat
  edit_format: diff
- name: deepseek/deepseek-reasoner
  edit_format: diff
  use_temperature: false
"""


def test_name_keys_of_a_registry_never_collapse_into_one_entry(tmp_path):
    from helpers import run_on_text

    result, after = run_on_text(tmp_path, MODEL_SETTINGS, name="model-settings.yml", fix=True, unsafe=True)
    assert after.decode() == MODEL_SETTINGS  # both would become deepseek/deepseek-v4-flash
    assert [(f.rule, f.fix) for f in result.findings] == [("DS002", None), ("DS002", None)]
    assert all("would name two entries" in f.message for f in result.findings)


def test_a_single_registry_entry_is_renamed_only_with_unsafe_fixes(tmp_path):
    from helpers import run_on_text

    text = "- name: deepseek-chat\n  x: 1\n- name: gpt-4o\n  x: 2\n"
    _, safe = run_on_text(tmp_path, text, name="models.yml", fix=True)
    assert safe.decode() == text
    _, unsafe = run_on_text(tmp_path, text, name="models.yml", fix=True, unsafe=True)
    assert unsafe.decode() == text.replace("deepseek-chat", "deepseek-v4-flash")


def test_litellm_params_get_the_thinking_mode_unless_they_set_one(tmp_path):
    from helpers import run_on_text

    text = ("model_list:\n  - model_name: chat\n    litellm_params:\n      model: deepseek/deepseek-chat\n"
            "  - model_name: think\n    litellm_params:\n      model: deepseek/deepseek-reasoner\n      thinking: {type: enabled}\n")
    _, after = run_on_text(tmp_path, text, name="litellm_config.yaml", fix=True)
    assert after.decode() == text.replace(
        "      model: deepseek/deepseek-chat\n", "      model: deepseek/deepseek-v4-flash\n      thinking: {type: disabled}\n"
    ).replace("model: deepseek/deepseek-reasoner", "model: deepseek/deepseek-v4-flash")
