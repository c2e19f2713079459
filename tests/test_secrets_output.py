"""No secret and no forged line in any output: every output mode of the real CLI (each format,
--diff, --statistics, --group-by-owner, --write-baseline/--baseline, -o, --fix, error paths)
over a tree whose .env, YAML, JSON, notebook outputs and markdown, Python and shell hold
key-like values, with a .env that is not UTF-8, a broken notebook and files that do not parse;
then file names with line breaks and escape sequences."""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from codemod.cli import FORMATS
from helpers import git, run_cli

# Every value below is a secret: none may appear in stdout, stderr or a file the tool writes.
ENV = (
    "DEEPSEEK_API_KEY=sk-live-ENVKEY0a1b2c3d\n"
    "DATABASE_URL=postgres://app:EnvDsnPw42@db:5432/app\n"
    "DB_PASS=EnvPlainPw42\n"
    "CHAT_MODEL=deepseek-chat\n"
    "HELPER=deepseek-chat # token: EnvTrailTok42\n"
    'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nEnvPemBody42\\n-----END RSA PRIVATE KEY-----"\n'
    'SESSION_SECRET="two EnvWordsPw42"\n'
)
LATIN_ENV = (  # not UTF-8 (é in latin-1): read by the text fallback, which must not echo a line
    b"# caf\xe9\n"
    b"DEEPSEEK_API_KEY=sk-live-LATINKEY0a1b2c\n"
    b"CHAT_MODEL=deepseek-chat\n"
    b"DB=postgres://user:LatinDsnPw42@h/db deepseek-chat\n"
    b"NOTE=LatinPlain42 deepseek-chat\n"
)
PYTHON = '''\
import os
DSN = "postgres://u:PyDsnPw42@h/db"; MODEL = "deepseek-chat"
client = OpenAI(api_key="sk-live-PYKEY0a1b2c3d", model="deepseek-chat")  # token: PyTrailTok42
FALLBACK = "deepseek-chat"  # the password is PyProsePw42
headers = {"Authorization": "Bearer PyBearer42", "model": "deepseek-chat"}
KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAPyPemBodyLine42xyz
-----END RSA PRIVATE KEY-----"""
REASONER = "deepseek-reasoner"
'''
CLIENT = (  # a base URL of the source is quoted in messages and replacements
    "from openai import OpenAI\n"
    'old = OpenAI(base_url="https://u:ExpiredUrlPw42@api.deepseek.com/v3.2_speciale_expires_on_20251215")\n'
    'client = OpenAI(base_url="https://u:BaseUrlPw42@api.deepseek.com/v1")\n'
    'reply = client.chat.completions.create(model="deepseek-chat", messages=[])\n'
)
KEYED_JSON = '{"sk-live-JSONKEYED0a1b2c": "deepseek-chat"}\n'  # a key quoted in a message
BROKEN_PYTHON = 'MODEL = "deepseek-chat"  # api_key=BrokenPyKey42\ndef (:\n'
YAML = (
    "model: deepseek-chat  # api_key: YamlTrailKey42\n"
    'url: "https://bob:YamlDsnPw42@api.example.com"  # deepseek-chat\n'
    "llm: {model: deepseek-chat, api_key: YamlFlowKey42}\n"
)
BROKEN_YAML = "model: [deepseek-chat  # password: BrokenYamlPw42\n"
JSON_ONE_LINE = '{"model": "deepseek-chat", "api_key": "JsonKeyVal42", "db": "mysql://r:JsonDsnPw42@h/d"}\n'
LONG_JSON = json.dumps({"api_key": "LongLineSecret42" + "s" * 300, "pad": "x" * 400, "model": "deepseek-chat"}) + "\n"
SHELL = "aider --model deepseek/deepseek-chat --api-key sk-live-SHKEY0a1b2c3d --password ShFlagPw42\n"
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {},
         "source": ["Use deepseek-chat with token=NbMdTok42 and postgres://a:NbMdDsnPw42@h/d\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "outputs": [{"name": "stdout", "output_type": "stream",
                      "text": ["api_key=NbOutKey42\n", "DSN postgres://x:NbOutDsn42@h/d\n"]}],
         "source": ["m = 'deepseek-chat'  # secret=NbCodeSecret42\n"]},
    ],
    "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
BROKEN_NOTEBOOK = ('{"cells": [{"cell_type": "code", "source": ["m = \\"deepseek-chat\\""], '
                   '"outputs": [{"text": "api_key=NbBrokenOut42 NbBrokenPlain42"}]}\n')

SECRETS = sorted(set(re.findall(
    r"sk-live-[A-Za-z0-9]+|(?<!\\)[A-Za-z]+42",
    "\n".join([ENV, LATIN_ENV.decode("latin-1"), PYTHON, CLIENT, KEYED_JSON, BROKEN_PYTHON, YAML, BROKEN_YAML, JSON_ONE_LINE, LONG_JSON,
               SHELL, json.dumps(NOTEBOOK), BROKEN_NOTEBOOK]),
)) | {"EnvWordsPw42", "two EnvWordsPw42"})


def write_tree(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / ".github").mkdir()
    (root / ".env").write_text(ENV)
    (root / "legacy.env").write_bytes(LATIN_ENV)
    (root / "app" / "llm.py").write_text(PYTHON)
    (root / "app" / "broken.py").write_text(BROKEN_PYTHON)
    (root / "app" / "client.py").write_text(CLIENT)
    (root / "keyed.json").write_text(KEYED_JSON)
    (root / "config.yaml").write_text(YAML)
    (root / "broken.yaml").write_text(BROKEN_YAML)
    (root / "settings.json").write_text(JSON_ONE_LINE)
    (root / "long.json").write_text(LONG_JSON)
    (root / "deploy.sh").write_text(SHELL)
    (root / "analysis.ipynb").write_text(json.dumps(NOTEBOOK, indent=1) + "\n")
    (root / "broken.ipynb").write_text(BROKEN_NOTEBOOK)
    (root / ".github" / "CODEOWNERS").write_text("* @acme/platform\n/app/ @acme/llm\n")
    git(root, "init", "-q")
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("secrets") / "repo")


def _files(root: Path) -> dict:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts}


def assert_no_secret(proc, written=()):
    assert "Traceback" not in proc.stderr, proc.stderr
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    texts.update({str(path): Path(path).read_bytes().decode("utf-8", "replace") for path in written})
    for where, text in texts.items():
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{leaked} in {where}:\n{text[:3000]}"


def _check_modes(out: Path):
    modes = [[], ["--quiet"], ["--diff"], ["--diff", "--unsafe-fixes"], ["--statistics"], ["--group-by-owner"],
             ["--exit-zero"]]
    modes += [["--format", fmt] for fmt in FORMATS]
    modes += [["--group-by-owner", "--format", fmt] for fmt in ("markdown", "github", "json", "sarif")]
    modes += [["--format", fmt, "--unsafe-fixes"] for fmt in ("sarif", "json")]
    modes += [["--statistics", "--format", "json"], ["-o", str(out / "report.sarif"), "--format", "sarif"],
              ["-o", str(out / "report.xml"), "--format", "junit"], ["-o", str(out / "report.md"), "--format", "markdown"]]
    return modes


def _show_fixes_flag(root: Path):
    """``--show-fixes``, where the command line has it."""
    return ["--show-fixes"] if "--show-fixes" in run_cli(["--help"], root).stdout else []


@pytest.mark.parametrize("index", range(len(_check_modes(Path("/")))), ids=lambda i: " ".join(_check_modes(Path("out"))[i]) or "text")
def test_no_output_mode_prints_a_secret(tree, tmp_path, index):
    args = _check_modes(tmp_path)[index]
    proc = run_cli(args + ["."], tree)
    assert proc.returncode in (1, 2), proc.stderr  # findings remain; the broken files are errors
    assert_no_secret(proc, [p for p in tmp_path.iterdir() if p.is_file()])
    assert proc.stdout.strip() or proc.stderr.strip()


def test_the_diff_is_masked_and_still_shows_each_change(tree):
    proc = run_cli(["--diff", "."], tree)
    assert_no_secret(proc)
    lines = proc.stdout.splitlines()
    assert " DEEPSEEK_API_KEY=<redacted>" in lines
    assert "-CHAT_MODEL=deepseek-chat" in lines and "+CHAT_MODEL=deepseek-v4-flash" in lines
    assert " DATABASE_URL=postgres://app:<redacted>@db:5432/app" in lines
    assert '-DSN = <redacted>; MODEL = "deepseek-chat"' in lines
    assert '+DSN = <redacted>; MODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")' in lines
    assert "-llm: {model: deepseek-chat, api_key: <redacted>}" in lines
    assert "+llm: {model: deepseek-v4-flash, api_key: <redacted>}" in lines


def test_a_baseline_written_and_read_holds_no_secret(tree, tmp_path):
    baseline = tmp_path / "baseline.json"
    written = run_cli(["--write-baseline", str(baseline), "."], tree)
    assert baseline.exists()
    assert_no_secret(written, [baseline])
    for fmt in ("text", "sarif", "markdown"):
        proc = run_cli(["--baseline", str(baseline), "--format", fmt, "."], tree)
        assert_no_secret(proc, [baseline])


@pytest.mark.parametrize("args", [["--fix"], ["--fix", "--unsafe-fixes", "--format", "json"], ["--fix", "--format", "junit"],
                                  ["--fix", "--format", "github", "--group-by-owner"]], ids=" ".join)
def test_fix_output_prints_no_secret(tmp_path, args):
    root = write_tree(tmp_path / "repo")
    before = _files(root)
    proc = run_cli(args + _show_fixes_flag(root) + ["."], root)
    assert proc.returncode in (1, 2), proc.stderr
    assert_no_secret(proc)
    after = _files(root)
    assert after != before  # it fixed something
    new_files = [path for path in after if path not in before]
    assert_no_secret(proc, new_files)


def test_error_paths_print_no_secret(tree):
    proc = run_cli([".", "no/such/dir", "legacy.env", "broken.ipynb", "app/broken.py", "broken.yaml"], tree)
    assert proc.returncode == 2
    assert_no_secret(proc)
    assert "legacy.env: not valid utf-8" in proc.stderr
    assert "...deepseek-chat..." in proc.stdout  # the .env and the notebook are not echoed


def test_a_secret_in_a_tree_under_another_folder_is_masked_in_every_format(tmp_path):
    """Run from outside the tree, so that paths are shown with their folder."""
    write_tree(tmp_path / "repo")
    for fmt in FORMATS:
        assert_no_secret(run_cli(["--format", fmt, "repo"], tmp_path))
    assert_no_secret(run_cli(["--diff", "repo"], tmp_path))


# -- forged lines (issue 17, item 9) -------------------------------------------------------------

FORGING_NAMES = [
    "a\n::error file=x.py::forged.py",  # a line break, then a workflow command
    "b\r::error file=y.py::forged-cr.py",
    "::warning::head.py",  # a name that is a workflow command on a line of its own
    "c\x1b[2Jclear.py",  # an escape sequence (clears the terminal)
    "d\u2028::error::ls.py",  # a Unicode line separator
]
FORGED = ("::error file=x.py::forged", "::error file=y.py::forged", "::warning::head", "::error::ls", "::error::broken")


@pytest.fixture
def forging_tree(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in FORGING_NAMES:
        (root / name).write_text('MODEL = "deepseek-chat"\n')
    (root / "broken\n::error::broken.yaml").write_text("model: [deepseek-chat\n")
    return root


def _strings(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def _lines(proc):
    return proc.stdout.splitlines() + proc.stderr.splitlines()


def assert_no_forged_line(proc):
    assert "Traceback" not in proc.stderr, proc.stderr
    for line in _lines(proc):
        assert not line.lstrip().startswith(FORGED), line
    text = proc.stdout + proc.stderr
    assert "\x1b" not in text and "\u2028" not in text and "\r" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_cannot_forge_a_line_in_any_format(forging_tree, fmt):
    proc = run_cli(["--format", fmt, "."], forging_tree)
    assert proc.returncode in (1, 2), proc.stderr
    assert_no_forged_line(proc)
    if fmt == "github":
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in proc.stdout.splitlines())
    if fmt in ("json", "sarif", "gitlab"):
        strings = {unquote(text) for text in _strings(json.loads(proc.stdout))}
        assert "a\\n::error file=x.py::forged.py" in strings  # escaped as in every format, then JSON-escaped
        named = [text for text in strings if re.search(r"forged|clear\.py|ls\.py", text)]
        assert named and not any(re.search("[\n\r\x1b\u2028]", text) for text in named), named
    if fmt == "junit":
        root = ET.fromstring(proc.stdout)
        for element in root.iter():
            assert all("\n" not in value and "\r" not in value for value in element.attrib.values()), element.attrib


def test_a_file_name_cannot_forge_a_line_of_text_output_diff_or_stderr(forging_tree):
    text = run_cli(["."], forging_tree)
    assert_no_forged_line(text)
    assert "./::warning::head.py" in text.stdout.splitlines()
    assert "a\\n::error file=x.py::forged.py" in text.stdout.splitlines()
    assert "c\\x1b[2Jclear.py" in text.stdout.splitlines()
    assert "broken\\n::error::broken.yaml" in text.stdout.splitlines()
    diff = run_cli(["--diff", "."], forging_tree)
    assert_no_forged_line(diff)
    assert "--- a/a\\n::error file=x.py::forged.py" in diff.stdout.splitlines()
    for args in (["--statistics"], ["--group-by-owner", "--format", "markdown"], ["--fix"]):
        assert_no_forged_line(run_cli(args + ["."], forging_tree))


def test_an_error_line_cannot_forge_a_line(forging_tree):
    proc = run_cli([".", "missing\n::error::forged-by-argv"], forging_tree)
    assert proc.returncode == 2
    assert_no_forged_line(proc)
    assert not any(line.startswith("::error::forged-by-argv") for line in _lines(proc))
    assert "missing\\n::error::forged-by-argv" in proc.stderr


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "café.py").write_text('MODEL = "deepseek-chat"\n')
    shutil.copy(root / "café.py", os.fsencode(root) + b"/caf\xe9-latin.py")
    proc = run_cli(["."], root)
    assert "caf\\xe9-latin.py" in proc.stdout.splitlines()
    assert "café.py" in proc.stdout.splitlines()
