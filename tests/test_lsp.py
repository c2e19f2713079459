"""`v4-migrate server`: the real server as a child process (forked after pygls is imported:
tests/forked_python.py), driven over stdio by a JSON-RPC client (tests/lsp_client.py). Results are
compared with the command line's on the same text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from forked_python import run_python
from lsp_client import LspClient, apply_text_edits, edits_of, offset
from helpers import CLI_MODULES, REPO_ROOT

TODAY = "2026-11-28"
SEVERITY = {"error": 1, "warning": 2, "notice": 3, "info": 4}  # DiagnosticSeverity; info is a Hint
FIX_ALL = "source.fixAll.v4-migrate"

PY_APP = (
    'import openai\n'
    'client = openai.OpenAI(base_url="https://api.deepseek.com")\n'
    'client.chat.completions.create(model="deepseek-chat", messages=[])\n'
    'FALLBACK = "deepseek-reasoner"  # the old thinking model\n'
)
# one file per format the command line scans, each with a retired id
FORMATS = {
    "app.py": ("python", PY_APP),
    "app.js": ("javascript", 'const model = "deepseek-chat";\n'),
    "app.ts": ("typescript", 'const model: string = "deepseek-reasoner";\n'),
    "Chat.vue": ("vue", '<script>\nexport default { data: () => ({ model: "deepseek-chat" }) }\n</script>\n'),
    "config.yaml": ("yaml", "model: deepseek-chat\n"),
    ".env": ("dotenv", "DEEPSEEK_MODEL=deepseek-chat\n"),
    "config.json": ("json", '{"model": "deepseek-chat"}\n'),
    "notebook.ipynb": ("json", json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                                       "source": ["m = \"deepseek-chat\"\n"]}], "metadata": {}, "nbformat": 4,
                                            "nbformat_minor": 5}) + "\n"),
    "run.sh": ("shellscript", 'curl -d "{\\"model\\": \\"deepseek-chat\\"}" https://api.deepseek.com\n'),
    "Dockerfile": ("dockerfile", "FROM python\nENV MODEL=deepseek-chat\n"),
    "settings.toml": ("toml", '[llm]\nmodel = "deepseek-chat"\n'),
    "README.md": ("markdown", "Use deepseek-chat here.\n"),
}


def server_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    env.update(V4_MIGRATE_TODAY=TODAY, **extra)
    return env


def cli(tmp_path: Path, name: str, text: str, *flags: str) -> subprocess.CompletedProcess:
    """The command line on ``text`` as the file ``name`` (stdin), bytes in and out."""
    return run_python(["-m", "codemod", *flags, "--stdin-filename", str(tmp_path / name), "-"], cwd=tmp_path,
                      env=server_env(), input=text.encode("utf-8"), text=False, timeout=120, preload=CLI_MODULES,
                      server="cli")


def cli_findings(tmp_path: Path, name: str, text: str) -> List[dict]:
    return json.loads(cli(tmp_path, name, text, "--format", "json").stdout)["findings"]


def cli_fixed(tmp_path: Path, name: str, text: str, *flags: str) -> str:
    return cli(tmp_path, name, text, "--fix", *flags).stdout.decode("utf-8")


def lsp_range(text: str, finding: dict, encoding: str = "utf-16") -> dict:
    """The LSP range of a finding of the command line's JSON (1-based lines, columns in characters)."""
    lines = text.splitlines(keepends=True)

    def position(line: int, column: int) -> dict:
        before = lines[line - 1][: column - 1] if line <= len(lines) else ""
        units = len(before.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(before.encode()) if encoding == "utf-8" else len(before)
        return {"line": line - 1, "character": units}

    return {"start": position(finding["line"], finding["column"]), "end": position(finding["end_line"], finding["end_column"])}


@pytest.fixture
def server(tmp_path):
    client = LspClient(tmp_path, server_env())
    yield client
    client.close()


def started(client: LspClient, root: Path, **kwargs) -> LspClient:
    client.initialize(root, **kwargs)
    return client


# -- initialize, shutdown, exit -------------------------------------------------------------------


def test_initialize_says_what_the_server_does(server, tmp_path):
    result = server.initialize(tmp_path)
    capabilities = result["capabilities"]
    assert result["serverInfo"]["name"] == "v4-migrate"
    assert capabilities["positionEncoding"] == "utf-16"  # the client offered none: LSP's default
    assert capabilities["textDocumentSync"]["openClose"] is True and capabilities["textDocumentSync"]["save"]
    assert set(capabilities["codeActionProvider"]["codeActionKinds"]) == {"quickfix", FIX_ALL}
    assert "v4-migrate.debugInformation" in capabilities["executeCommandProvider"]["commands"]
    registration = server.wait_for(lambda m: m.get("method") == "client/registerCapability")
    watchers = registration["params"]["registrations"][0]["registerOptions"]["watchers"]
    assert watchers == [{"globPattern": "**/pyproject.toml"}]
    assert server.shutdown_and_exit() == 0


def test_exit_without_shutdown_exits_1(server, tmp_path):
    server.initialize(tmp_path)
    server.notify("exit")
    assert server.wait_closed() == 1


def test_the_server_ends_when_the_editor_closes_its_stdin(server, tmp_path):
    server.initialize(tmp_path)
    server.process.stdin.close()
    assert server.wait_closed() == 1  # no shutdown came first


# -- diagnostics ---------------------------------------------------------------------------------


def test_did_open_publishes_the_findings_of_the_command_line_with_exact_ranges(server, tmp_path):
    started(server, tmp_path)
    path = tmp_path / "app.py"
    published = server.open(path, PY_APP)
    expected = cli_findings(tmp_path, "app.py", PY_APP)
    assert len(expected) >= 3 and {f["severity"] for f in expected} >= {"error", "notice"}
    assert published["version"] == 1
    assert [(d["code"], d["range"], d["severity"], d["message"]) for d in published["diagnostics"]] == [
        (f["rule"], lsp_range(PY_APP, f), SEVERITY[f["severity"]], f["message"]) for f in expected]
    for diagnostic in published["diagnostics"]:
        assert diagnostic["source"] == "v4-migrate"
        assert diagnostic["codeDescription"]["href"].endswith(f"/rules/{diagnostic['code']}.toml")
    call = next(d for d in published["diagnostics"] if d["code"] == "DS001" and d["range"]["start"]["line"] == 2)
    assert call["range"] == {"start": {"line": 2, "character": 37}, "end": {"line": 2, "character": 52}}  # "deepseek-chat"


def test_an_info_finding_is_a_hint(server, tmp_path):
    started(server, tmp_path)
    published = server.open(tmp_path / "NOTES.md", "Use deepseek-chat here.\n", "markdown")
    assert [(d["code"], d["severity"], d["range"]) for d in published["diagnostics"]] == [
        ("DS003", 4, {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 17}})]


def test_every_format_the_command_line_scans_gets_its_diagnostics(server, tmp_path):
    started(server, tmp_path)
    for name, (language, text) in FORMATS.items():
        published = server.open(tmp_path / name, text, language)
        expected = cli_findings(tmp_path, name, text)
        assert expected, name
        assert [(d["code"], d["range"]) for d in published["diagnostics"]] == [(f["rule"], lsp_range(text, f)) for f in expected], name


EMOJI_LINE = 'x = "😀"; MODEL = "deepseek-chat"\n'


@pytest.mark.parametrize("offered, chosen, start, end", [
    (None, "utf-16", 18, 33),  # 😀 is two UTF-16 code units
    (["utf-16"], "utf-16", 18, 33),
    (["utf-8", "utf-16"], "utf-8", 20, 35),  # four UTF-8 bytes
    (["utf-32"], "utf-32", 17, 32),  # one code point
])
def test_position_encoding_is_negotiated_and_a_line_with_an_emoji_has_exact_ranges(tmp_path, offered, chosen, start, end):
    client = LspClient(tmp_path, server_env())
    try:
        result = client.initialize(tmp_path, encodings=offered)
        assert result["capabilities"]["positionEncoding"] == chosen
        published = client.open(tmp_path / "emoji.py", EMOJI_LINE)
        (diagnostic,) = published["diagnostics"]
        assert diagnostic["range"] == {"start": {"line": 0, "character": start}, "end": {"line": 0, "character": end}}
        assert EMOJI_LINE[offset(EMOJI_LINE, diagnostic["range"]["start"], chosen):offset(EMOJI_LINE, diagnostic["range"]["end"], chosen)] \
            == '"deepseek-chat"'
        (action,) = [a for a in client.code_actions(tmp_path / "emoji.py", (0, start)) if a["title"].startswith("Replace")]
        fixed = apply_text_edits(EMOJI_LINE, edits_of(action, (tmp_path / "emoji.py").as_uri()), chosen)
        assert fixed == cli_fixed(tmp_path, "emoji.py", EMOJI_LINE)
        assert client.shutdown_and_exit() == 0
    finally:
        client.close()


def test_did_change_updates_the_diagnostics(server, tmp_path):
    started(server, tmp_path, options={"debounceMs": 0})
    path = tmp_path / "app.py"
    assert server.open(path, "print('hello')\n")["diagnostics"] == []
    changed = server.change(path, 'MODEL = "deepseek-chat"\n', 2)
    assert [(d["code"], d["range"]["start"]) for d in changed["diagnostics"]] == [("DS001", {"line": 0, "character": 8})]
    moved = server.change(path, '\n\nMODEL = "deepseek-chat"\n', 3)
    assert [d["range"]["start"] for d in moved["diagnostics"]] == [{"line": 2, "character": 8}]
    assert server.change(path, "MODEL = 'deepseek-v4-flash'\n", 4)["diagnostics"] == []


def test_changes_within_the_debounce_are_checked_once_at_the_last_version(server, tmp_path):
    started(server, tmp_path, options={"debounceMs": 60_000})  # no check until the last change settles...
    path = tmp_path / "app.py"
    server.open(path, "x = 1\n")
    for version in range(2, 6):
        server.notify("textDocument/didChange", {"textDocument": {"uri": path.as_uri(), "version": version},
                                                 "contentChanges": [{"text": f'MODEL{version} = "deepseek-chat"\n'}]})
    server.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})  # ...or a save checks it now
    published = server.diagnostics(path)
    assert published["version"] == 5 and [d["code"] for d in published["diagnostics"]] == ["DS001"]
    assert server.debug_information()["counts"]["scanned"] == 1


def test_save_and_close(server, tmp_path):
    started(server, tmp_path)
    path = tmp_path / "app.py"
    path.write_text("x = 1\n")  # the file on disk is not what is checked: the buffer is
    server.open(path, 'MODEL = "deepseek-chat"\n')
    server.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})
    assert [d["code"] for d in server.diagnostics(path, 1)["diagnostics"]] == ["DS001"]
    server.notify("textDocument/didClose", {"textDocument": {"uri": path.as_uri()}})
    assert server.diagnostics(path)["diagnostics"] == []


def test_crlf_line_breaks_and_a_buffer_that_is_no_file_yet(server, tmp_path):
    started(server, tmp_path)
    text = 'import os\r\n\r\nMODEL = "deepseek-chat"\r\n'
    path = tmp_path / "crlf.py"
    (diagnostic,) = server.open(path, text)["diagnostics"]
    assert diagnostic["range"] == {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 23}}
    (action,) = server.code_actions(path, (0, 0), only=[FIX_ALL])
    assert apply_text_edits(text, edits_of(action, path.as_uri())) == cli_fixed(tmp_path, "crlf.py", text) != text
    untitled = "untitled:Untitled-1"
    server.notify("textDocument/didOpen", {"textDocument": {"uri": untitled, "languageId": "typescript", "version": 1,
                                                            "text": 'const model = "deepseek-chat";\n'}})
    published = server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == untitled)
    assert [(d["code"], d["range"]["start"]) for d in published["diagnostics"]] == [("DS001", {"line": 0, "character": 14})]


def test_a_notebook_cell_is_checked_as_python_in_the_notebooks_folder(server, tmp_path):
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    started(server, tmp_path)
    for folder, expected in ((tmp_path, ["DS001"]), (tmp_path / "legacy", [])):
        cell = f"vscode-notebook-cell:{(folder / 'explore.ipynb').as_posix()}#W0sZmlsZQ%3D%3D"
        server.notify("textDocument/didOpen", {"textDocument": {"uri": cell, "languageId": "python", "version": 1,
                                                                "text": 'm = "deepseek-chat"\n'}})
        published = server.notification("textDocument/publishDiagnostics", lambda p, cell=cell: p["uri"] == cell)
        assert [d["code"] for d in published["diagnostics"]] == expected


def test_an_unchanged_buffer_is_not_scanned_again_and_one_without_an_id_is_not_parsed(server, tmp_path):
    started(server, tmp_path)
    clean, dirty = tmp_path / "clean.py", tmp_path / "dirty.py"
    assert server.open(clean, "def f():\n    return 1\n")["diagnostics"] == []
    assert server.open(dirty, 'MODEL = "deepseek-chat"\n')["diagnostics"]
    for path in (clean, dirty):
        server.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})
        server.diagnostics(path, 1)
    counts = server.debug_information()["counts"]
    assert counts["prefiltered"] == 1  # the byte prefilter ruled it out: no parse
    assert counts["scanned"] == 1  # the dirty file, once: its save came from the cache
    assert counts["cached"] == 2


def test_a_file_the_config_excludes_or_under_a_virtualenv_gets_no_diagnostics(server, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nextend-exclude = ["generated/"]\n')
    started(server, tmp_path)
    text = 'MODEL = "deepseek-chat"\n'
    assert server.open(tmp_path / "generated" / "m.py", text)["diagnostics"] == []
    assert server.open(tmp_path / ".venv" / "lib" / "m.py", text)["diagnostics"] == []
    assert server.open(tmp_path / "src" / "m.py", text)["diagnostics"]


# -- code actions --------------------------------------------------------------------------------


def quick_fixes(client: LspClient, path: Path, line: int, character: int) -> List[dict]:
    return [a for a in client.code_actions(path, (line, character), only=["quickfix"]) if not a["title"].startswith("Suppress")]


@pytest.mark.parametrize("text, line", [
    ('import os\n\nMODEL = "deepseek-chat"\n', 2),
    # the constant's fix also sends the thinking mode the old id had with the request that uses it
    ('import openai\nclient = openai.OpenAI(base_url="https://api.deepseek.com", max_retries=3)\nMODEL = "deepseek-reasoner"\n'
     'client.chat.completions.create(model=MODEL, messages=[])\n', 2),
])
def test_a_quick_fix_gives_the_text_of_fix(server, tmp_path, text, line):
    started(server, tmp_path)
    path = tmp_path / "m.py"
    published = server.open(path, text)
    (action,) = quick_fixes(server, path, line, 10)
    assert action["kind"] == "quickfix" and action["isPreferred"] is True and "(unsafe)" not in action["title"]
    assert action["diagnostics"] == published["diagnostics"]
    assert action["edit"]["documentChanges"][0]["textDocument"] == {"uri": path.as_uri(), "version": 1}
    assert apply_text_edits(text, edits_of(action, path.as_uri())) == cli_fixed(tmp_path, "m.py", text) != text


def test_an_unsafe_fix_is_labelled_and_gives_the_text_of_unsafe_fixes(server, tmp_path):
    started(server, tmp_path)
    text = 'def f(model):\n    if model == "deepseek-chat":\n        return 1\n'
    path = tmp_path / "m.py"
    server.open(path, text)
    (action,) = quick_fixes(server, path, 1, 20)
    assert action["title"].endswith("(unsafe)") and not action.get("isPreferred")
    assert apply_text_edits(text, edits_of(action, path.as_uri())) == cli_fixed(tmp_path, "m.py", text, "--unsafe-fixes") != text
    assert cli_fixed(tmp_path, "m.py", text) == text  # --fix alone leaves it
    assert server.code_actions(path, (0, 0), only=[FIX_ALL]) == []  # nothing safe to fix


@pytest.mark.parametrize("name", ["app.py", "app.js", "config.yaml", ".env", "notebook.ipynb"])
def test_fix_all_gives_the_text_of_fix(server, tmp_path, name):
    started(server, tmp_path)
    language, text = FORMATS[name]
    path = tmp_path / name
    server.open(path, text, language)
    (action,) = server.code_actions(path, (0, 0), only=["source.fixAll"])
    assert action["kind"] == FIX_ALL
    assert apply_text_edits(text, edits_of(action, path.as_uri())) == cli_fixed(tmp_path, name, text) != text


def test_edits_are_made_on_the_buffer_not_on_the_file_on_disk(server, tmp_path):
    started(server, tmp_path)
    path = tmp_path / "m.py"
    path.write_text('# nothing here yet\nMODEL = "deepseek-reasoner"\n')
    text = '"""A buffer that was edited."""\n\nMODEL = "deepseek-chat"\nOTHER = 2\n'
    server.open(path, text)
    (action,) = server.code_actions(path, (0, 0), only=[FIX_ALL])
    assert apply_text_edits(text, edits_of(action, path.as_uri())) == cli_fixed(tmp_path, "m.py", text)
    assert path.read_text() == '# nothing here yet\nMODEL = "deepseek-reasoner"\n'  # the server writes nothing


def test_without_document_changes_the_edit_is_a_changes_map(tmp_path):
    client = LspClient(tmp_path, server_env())
    try:
        client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
        client.notify("initialized", {})
        path = tmp_path / "m.py"
        text = 'MODEL = "deepseek-chat"\n'
        client.open(path, text)
        (action,) = client.code_actions(path, (0, 0), only=[FIX_ALL])
        assert set(action["edit"]) == {"changes"}
        assert apply_text_edits(text, action["edit"]["changes"][path.as_uri()]) == cli_fixed(tmp_path, "m.py", text)
    finally:
        client.close()


SUPPRESSIBLE = {
    "m.py": ("python", 'MODEL = "deepseek-chat"\n', "  # v4-migrate: ignore[DS001]"),
    "m.js": ("javascript", 'const model = "deepseek-chat";\n', "  // v4-migrate: ignore[DS001]"),
    "c.yaml": ("yaml", "model: deepseek-chat\n", "  # v4-migrate: ignore[DS001]"),
    ".env": ("dotenv", "DEEPSEEK_MODEL=deepseek-chat\n", "  # v4-migrate: ignore[DS001]"),
    "Makefile": ("makefile", "MODEL = deepseek-chat\n", "# v4-migrate: ignore"),  # on the line above: make keeps blanks before a `#`
}


@pytest.mark.parametrize("name", list(SUPPRESSIBLE))
def test_a_suppression_comment_makes_the_diagnostic_go(server, tmp_path, name):
    started(server, tmp_path, options={"debounceMs": 0})
    language, text, comment = SUPPRESSIBLE[name]
    path = tmp_path / name
    (diagnostic,) = server.open(path, text, language)["diagnostics"]
    start = diagnostic["range"]["start"]
    (action,) = [a for a in server.code_actions(path, (start["line"], start["character"])) if a["title"].startswith("Suppress")]
    assert action["kind"] == "quickfix"
    suppressed = apply_text_edits(text, edits_of(action, path.as_uri()))
    assert comment in suppressed
    assert server.change(path, suppressed, 2)["diagnostics"] == []  # no DS900 either: the comment covers the finding
    assert cli_findings(tmp_path, name, suppressed) == []


def test_a_suppression_comment_joins_one_already_on_the_line(server, tmp_path):
    started(server, tmp_path, options={"debounceMs": 0})
    text = 'def f(model):\n    return model == "deepseek-chat" or CHAT == "deepseek-chat"  # v4-migrate: ignore[DS003]\n'
    path = tmp_path / "m.py"
    published = server.open(path, text)["diagnostics"]
    assert {d["code"] for d in published} == {"DS002", "DS900"}
    start = next(d for d in published if d["code"] == "DS002")["range"]["start"]
    (action,) = [a for a in server.code_actions(path, (start["line"], start["character"])) if a["title"].startswith("Suppress DS002")]
    suppressed = apply_text_edits(text, edits_of(action, path.as_uri()))
    assert suppressed.endswith("# v4-migrate: ignore[DS003, DS002]\n")
    assert [d["code"] for d in server.change(path, suppressed, 2)["diagnostics"]] == ["DS900"]  # DS003 still covers nothing


def test_no_suppression_comment_inside_a_multi_line_string(server, tmp_path):
    started(server, tmp_path)
    text = 'PROMPT = """\nAsk deepseek-chat.\n"""\n'
    path = tmp_path / "m.py"
    (diagnostic,) = server.open(path, text)["diagnostics"]
    assert diagnostic["range"]["start"]["line"] == 1
    actions = server.code_actions(path, (1, 5))
    assert not [a for a in actions if a["title"].startswith("Suppress")]  # a `#` there would be text of the string


# -- config --------------------------------------------------------------------------------------


def test_a_broken_pyproject_is_a_message_not_a_crash_and_its_repair_is_read(server, tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.v4-migrate]\nselect = 5\n')
    started(server, tmp_path)
    path = tmp_path / "m.py"
    assert server.open(path, 'MODEL = "deepseek-chat"\n')["diagnostics"] == []
    message = server.notification("window/showMessage")
    assert message["type"] == 1 and str(pyproject) in message["message"] and "select" in message["message"]
    assert "\n" not in message["message"]
    pyproject.write_text('[tool.v4-migrate]\nselect = ["DS001"]\n')
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": pyproject.as_uri(), "type": 2}]})
    assert [d["code"] for d in server.diagnostics(path)["diagnostics"]] == ["DS001"]
    assert server.shutdown_and_exit() == 0


def test_a_pyproject_that_is_not_toml_is_a_warning(server, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate\n')
    started(server, tmp_path)
    assert server.open(tmp_path / "m.py", 'MODEL = "deepseek-chat"\n')["diagnostics"]  # the config above it (none) applies
    message = server.notification("window/showMessage")
    assert message["type"] == 2 and "not valid TOML" in message["message"]


def test_saving_a_pyproject_reloads_the_config(server, tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    started(server, tmp_path, watch_files=False)
    path = tmp_path / "m.py"
    assert server.open(path, 'MODEL = "deepseek-chat"\n')["diagnostics"] == []
    pyproject.write_text('[tool.v4-migrate]\nignore = []\n')
    server.notify("textDocument/didSave", {"textDocument": {"uri": pyproject.as_uri()}})
    assert [d["code"] for d in server.diagnostics(path)["diagnostics"]] == ["DS001"]


def test_a_nested_pyproject_governs_its_folder(server, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    started(server, tmp_path)
    text = 'MODEL = "deepseek-chat"\n'
    assert server.open(tmp_path / "legacy" / "m.py", text)["diagnostics"] == []
    assert server.open(tmp_path / "m.py", text)["diagnostics"]


# -- the install ---------------------------------------------------------------------------------


def test_the_command_line_and_the_pre_commit_path_never_import_pygls(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "dirty.py").write_text('MODEL = "deepseek-chat"\n')
    probe = (
        "import sys\n"
        "from codemod import cli\n"
        "for args in (['clean.py'], ['dirty.py'], ['--fix', 'dirty.py']):\n"
        "    try:\n"
        "        cli._run(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'codemod') and\n"
        "             (m.startswith(('pygls', 'lsprotocol')) or m.startswith('codemod.lsp'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=server_env(), capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert 'os.environ.get("DEEPSEEK_CHAT_MODEL"' in (tmp_path / "dirty.py").read_text()  # the runs did run


def test_without_the_lsp_extra_the_server_says_how_to_install_it(tmp_path):
    probe = "import sys\nsys.modules['pygls'] = None  # as if not installed\nfrom codemod.cli import main\nmain(['server'])\n"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=server_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("v4-migrate: error: the language server needs pygls and lsprotocol; install them with: "
                           "pip install 'deepseek-v4-migrate[lsp]'\n")


def test_server_help_and_a_path_named_server(tmp_path):
    done = subprocess.run([sys.executable, "-m", "codemod", "server", "--help"], cwd=tmp_path, env=server_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("Usage: v4-migrate server")
    wrong = subprocess.run([sys.executable, "-m", "codemod", "server", "extra"], cwd=tmp_path, env=server_env(), capture_output=True,
                           text=True, timeout=120)
    assert wrong.returncode == 2 and "takes no arguments" in wrong.stderr
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "m.py").write_text('MODEL = "deepseek-chat"\n')
    checked = subprocess.run([sys.executable, "-m", "codemod", "./server"], cwd=tmp_path, env=server_env(), capture_output=True,
                             text=True, timeout=120)
    assert checked.returncode == 1 and "DS001" in checked.stdout


def test_the_lsp_extra_is_declared():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    lsp = project["optional-dependencies"]["lsp"]
    assert {d.split(">")[0] for d in lsp} == {"pygls", "lsprotocol"}
    assert set(lsp) <= set(project["optional-dependencies"]["test"])  # CI installs .[test]
    assert not any(d.startswith(("pygls", "lsprotocol")) for d in project["dependencies"])
