"""Tests generated from each rule's own VALID/INVALID examples in rules/<CODE>.toml."""

from __future__ import annotations

import pytest

from codemod.ruledocs import load_rule_docs
from helpers import run_on_text

DOCS = load_rule_docs()


def _cases(kind):
    for code, doc in sorted(DOCS.items()):
        for index, example in enumerate(getattr(doc, kind)):
            yield pytest.param(code, example, id=f"{code}-{kind}-{index}")


@pytest.mark.parametrize("code, example", list(_cases("valid")))
def test_valid_example_has_no_finding(tmp_path, code, example):
    result, _ = run_on_text(tmp_path, example["code"], name=example.get("path", "example.py"),
                            config_path=_config_selecting(tmp_path, code))  # an opt-in rule too
    assert code not in [f.rule for f in result.findings], result.findings


@pytest.mark.parametrize("code, example", list(_cases("invalid")))
def test_invalid_example_is_reported_and_fixed(tmp_path, code, example):
    name = example.get("path", "example.py")
    result, _ = run_on_text(tmp_path, example["code"], name=name, config_path=_config_selecting(tmp_path, code))
    assert code in [f.rule for f in result.findings], result.findings
    if "fixed" not in example:
        return
    unsafe = bool(example.get("unsafe"))
    fixed_result, after = run_on_text(tmp_path, example["code"], name=name, fix=True, unsafe=unsafe,
                                      config_path=_config_selecting(tmp_path, code))
    assert not fixed_result.errors
    assert after.decode("utf-8") == example["fixed"]
    again, after_again = run_on_text(tmp_path, after, name=name, fix=True, unsafe=unsafe,
                                     config_path=_config_selecting(tmp_path, code))
    assert after_again == after and not again.changed


def _config_selecting(tmp_path, code):
    """A config that also turns on opt-in rules such as DS102."""
    config = tmp_path / "v4-migrate.toml"
    config.write_text(f'extend-select = ["{code}"]\n')
    return config


def test_every_rule_has_all_doc_sections_and_examples():
    for code, doc in DOCS.items():
        for section, text in doc.sections.items():
            assert text.strip(), f"{code} lacks {section}"
        assert doc.invalid, f"{code} has no INVALID example"
        assert doc.fix in ("safe", "unsafe", "none")
