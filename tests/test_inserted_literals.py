"""The second line of defence against injection (issue 17 item 7): the text a fix inserts is
built from escaped literals, so a catalog string that got past validation is still only data.
These runs use a catalog that skips the config's schema on purpose; the real pipeline does the
rest (scan, fix, atomic write)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import yaml
from dotenv import dotenv_values

from codemod.catalog import Catalog
from codemod.config import Config, ConfigResolver
from codemod.discovery import Candidate
from codemod.engine import FileProcessor, RunOptions
from codemod.scanners._literals import dotenv_value, python_string
from helpers import TODAY, run_cli

CODE_PAYLOAD = 'x" + __import__("os").system("touch pwned") + "'
CODE_PAYLOAD_SINGLE = "x' + __import__('os').system('touch pwned') + '"
ENV_PAYLOADS = ["a\nEVIL=1", "a # b", "a\rEVIL=1", "$(touch pwned)", "a\\\"b"]


class _Unvalidated(ConfigResolver):
    """Hands out one config whose catalog never went through the schema."""

    def __init__(self, retired_entry):
        super().__init__()
        self._fixed = Config(catalog=Catalog.load({"retired": {"deepseek-chat": retired_entry}}))


def _fix(path, retired_entry):
    processor = FileProcessor(RunOptions(today=TODAY, fix=True), _Unvalidated(retired_entry))
    return processor.process(Candidate(path, path.name))


@pytest.mark.parametrize("value", [CODE_PAYLOAD, CODE_PAYLOAD_SINGLE, "a\nb", "\\", "\x00\x7f\u2028é\U0001f600", "'''\"\"\"", ""])
@pytest.mark.parametrize("quote", ['"', "'", '"""', "'''"])
@pytest.mark.parametrize("prefix", ["", "r", "u", "R"])
def test_a_python_literal_evaluates_to_its_value_whatever_it_holds(value, quote, prefix):
    literal = python_string(value, quote, prefix)
    assert ast.literal_eval(literal) == value
    assert literal.endswith(quote) and literal.lstrip("rRuU").startswith(quote)


@pytest.mark.parametrize("value", [CODE_PAYLOAD, "é", "a\nb"])
def test_a_bytes_literal_evaluates_to_the_utf8_of_its_value(value):
    assert ast.literal_eval(python_string(value, '"', "b")) == value.encode("utf-8")


@pytest.mark.parametrize("quote", ['"', "'"])
@pytest.mark.parametrize("entry", [{"replacement": CODE_PAYLOAD}, {"replacement": CODE_PAYLOAD_SINGLE},
                                   {"env_var": CODE_PAYLOAD}, {"env_var": CODE_PAYLOAD_SINGLE}])
def test_a_python_fix_never_turns_a_catalog_string_into_code(tmp_path, quote, entry):
    path = tmp_path / "app.py"
    path.write_text(f"MODEL = {quote}deepseek-chat{quote}\n")
    result = _fix(path, entry)
    assert result.fixed == 1, result.errors
    fixed = path.read_text()
    calls = [node for node in ast.walk(ast.parse(fixed)) if isinstance(node, ast.Call)]
    assert [ast.unparse(call.func) for call in calls] == ["os.environ.get"]
    env_var, default = (ast.literal_eval(arg) for arg in calls[0].args)
    assert (entry.get("env_var", "DEEPSEEK_CHAT_MODEL"), entry.get("replacement", "deepseek-v4-flash")) == (env_var, default)
    subprocess.run([sys.executable, str(path)], cwd=tmp_path, check=True, capture_output=True)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("payload", ENV_PAYLOADS)
@pytest.mark.parametrize("line", ["CHAT_MODEL=deepseek-chat\n", "CHAT_MODEL='deepseek-chat'\n", 'CHAT_MODEL="deepseek-chat"  # x\n',
                                  "CHAT_MODEL=${LLM:-deepseek-chat}\n"])
def test_a_dotenv_fix_never_adds_a_binding_or_cuts_the_value(tmp_path, payload, line):
    path = tmp_path / ".env"
    path.write_text(line + "OTHER=1\n")
    _fix(path, {"replacement": payload})
    values = dotenv_values(path, interpolate=False)
    assert set(values) == {"CHAT_MODEL", "OTHER"} and values["OTHER"] == "1"
    written = values["CHAT_MODEL"]
    assert written in ("deepseek-chat", "${LLM:-deepseek-chat}", payload), written  # unchanged, or exactly the payload


def test_a_double_quoted_dotenv_value_takes_an_escaped_replacement(tmp_path):
    path = tmp_path / ".env"
    path.write_text('CHAT_MODEL="deepseek-chat"\n')
    result = _fix(path, {"replacement": 'a # "b"'})
    assert result.fixed == 1
    assert path.read_text() == 'CHAT_MODEL="a # \\"b\\""\n'
    assert dotenv_values(path)["CHAT_MODEL"] == 'a # "b"'


def test_the_dotenv_builder_refuses_what_a_quoting_cannot_hold():
    assert dotenv_value("deepseek-v4-flash", "") == "deepseek-v4-flash"
    assert [dotenv_value(v, "") for v in ("a # b", "a b", "a\nb", "$X")] == [None] * 4
    assert [dotenv_value(v, "'") for v in ("a'b", "a\\b", "a\nb")] == [None] * 3
    assert dotenv_value("a}b", '"', in_default=True) is None


@pytest.mark.parametrize("payload", ["a\nb: 1", "x' ]\nevil: 1", 'x"\nevil: 1', "a # b"])
@pytest.mark.parametrize("scalar", ["deepseek-chat", "'deepseek-chat'", '"deepseek-chat"'])
def test_a_yaml_fix_keeps_the_document_shape(tmp_path, payload, scalar):
    path = tmp_path / "config.yaml"
    path.write_text(f"llm:\n  model: {scalar}\nother: 1\n")
    _fix(path, {"replacement": payload})
    data = yaml.safe_load(path.read_text())
    assert data["other"] == 1 and set(data) == {"llm", "other"}
    assert data["llm"]["model"] in ("deepseek-chat", payload)


def test_a_source_url_with_quotes_in_it_is_escaped_in_the_base_url_fix(tmp_path):
    """The URL of DS102's fix is the string's value, so it goes back in as an escaped literal."""
    source = 'BASE = "https://api.deepseek.com/v1?x=\\" + __import__(\'os\').system(\'touch pwned\') + \\""\nprint(BASE)\n'
    (tmp_path / "app.py").write_text(source)
    before = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    proc = run_cli(["--extend-select", "DS102", "--fix", "app.py"], tmp_path)
    assert "DS102" not in proc.stdout, proc.stdout
    fixed = (tmp_path / "app.py").read_text()
    assert fixed != source and "os.environ.get(" in fixed
    after = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert after == before
    assert not (tmp_path / "pwned").exists()
