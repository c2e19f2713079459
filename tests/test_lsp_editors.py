"""The README's editor setups for `v4-migrate server` are valid for their tools, and the command
each one starts is a working language server: VS Code's settings (JSON, against the settings
the Generic LSP Client (v2) extension declares), Neovim's Lua (compiled and run by Lua itself,
with a `vim` table that records what it is asked to do: LuaJIT, as in Neovim) and Helix's languages.toml."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import List

import lupa.luajit21 as lupa  # Neovim's Lua is LuaJIT 2.1
import pytest

from helpers import REPO_ROOT
from lsp_client import LspClient
from test_lsp import server_env

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## In the editor: `v4-migrate server`", 1)[1].split("\n## ", 1)[0]
# zsol.vscode-glspc's package.json: the settings it reads, and their types
GLSPC_SETTINGS = {"glspc.server.command": str, "glspc.server.commandArguments": list, "glspc.server.languageId": list,
                  "glspc.server.environmentVariables": dict, "glspc.server.initializationOptions": dict, "glspc.trace.server": str,
                  "editor.codeActionsOnSave": dict}  # and VS Code's own: code action kinds -> "explicit", "always" or "never"


def blocks(language: str) -> List[str]:
    return re.findall(r"^```" + language + r"\n(.*?)^```", SECTION, flags=re.S | re.M)


def answers_initialize(command: List[str], tmp_path: Path, options=None) -> dict:
    """Start ``command`` as an editor would and go through initialize, a diagnostic and shutdown."""
    executable = shutil.which(command[0], path=str(Path(sys.executable).parent)) or shutil.which(command[0])
    assert executable, f"{command[0]} is not installed"
    client = LspClient(tmp_path, server_env(), [executable, *command[1:]])
    try:
        client.initialize(tmp_path, options=options)
        published = client.open(tmp_path / "m.py", 'MODEL = "deepseek-chat"\n')
        assert [d["code"] for d in published["diagnostics"]] == ["DS001"]
        info = client.debug_information()
        assert client.shutdown_and_exit() == 0
        return info
    finally:
        client.close()


def test_the_vs_code_settings(tmp_path):
    (block,) = blocks("json")
    settings = json.loads(block)
    for key, value in settings.items():
        assert isinstance(value, GLSPC_SETTINGS[key]), key
    assert all(isinstance(language, str) for language in settings["glspc.server.languageId"])
    assert {"python", "javascript", "typescript", "yaml"} <= set(settings["glspc.server.languageId"])
    assert settings["editor.codeActionsOnSave"] == {"source.fixAll.v4-migrate": "explicit"}
    info = answers_initialize([settings["glspc.server.command"], *settings["glspc.server.commandArguments"]], tmp_path,
                              settings["glspc.server.initializationOptions"])
    assert info["debounceMs"] == settings["glspc.server.initializationOptions"]["debounceMs"]


class RecordingVim:
    """What a Neovim setup asks of `vim`: the servers it starts or configures, and its keymaps."""

    def __init__(self, lua: lupa.LuaRuntime, root: Path):
        self.started, self.configs, self.enabled, self.autocmds, self.keymaps = [], {}, [], [], []
        self.lua = lua
        self.root = root

    def table(self):
        lua = self.lua
        record = self
        vim = lua.eval("{api = {}, lsp = {buf = {}}, fs = {}, keymap = {}}")
        vim.api.nvim_create_autocmd = lambda event, options: record.autocmds.append((event, options))
        vim.lsp.start = lambda config: record.started.append(config)
        vim.lsp.config = lambda name, config: record.configs.__setitem__(name, config)
        vim.lsp.enable = lambda name: record.enabled.append(name)
        vim.fs.root = lambda buffer, markers: str(record.root)
        vim.keymap.set = lambda mode, key, action, options: record.keymaps.append((mode, key, action))
        vim.lsp.buf.code_action = lambda options: record.code_actions.append(options)
        record.code_actions = []
        return vim


def lua_list(table) -> List:
    return [table[i] for i in range(1, len(table) + 1)]


@pytest.mark.parametrize("index", [0, 1])
def test_the_neovim_setup(tmp_path, index):
    block = blocks("lua")[index]
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    loaded = lua.eval("function(code) local f, err = load(code, '=init.lua'); return {f = f, err = err} end")(block)
    compiled = loaded.f
    assert compiled is not None, loaded.err  # Lua's own compiler
    record = RecordingVim(lua, tmp_path)
    lua.globals().vim = record.table()
    compiled()
    if record.autocmds:  # 0.10: vim.lsp.start from a FileType autocommand
        ((event, options),) = record.autocmds
        assert event == "FileType" and "python" in lua_list(options.pattern)
        options.callback(lua.eval("{buf = 1}"))
        (config,) = record.started
        assert config.name == "v4-migrate" and config.root_dir == str(tmp_path)
    else:  # 0.11: vim.lsp.config and vim.lsp.enable
        assert record.enabled == ["v4_migrate"]
        config = record.configs["v4_migrate"]
        assert "python" in lua_list(config.filetypes) and "pyproject.toml" in lua_list(config.root_markers)
        ((mode, key, action),) = record.keymaps
        action()
        (asked,) = record.code_actions
        assert lua_list(asked.context.only) == ["source.fixAll.v4-migrate"] and asked.apply is True
    answers_initialize(lua_list(config.cmd), tmp_path)


def test_the_helix_languages_toml(tmp_path):
    (block,) = blocks("toml")
    config = tomllib.loads(block)
    server = config["language-server"]["v4-migrate"]
    assert set(server) == {"command", "args"}
    assert {language["name"] for language in config["language"]} >= {"python"}
    assert all("v4-migrate" in language["language-servers"] for language in config["language"])
    answers_initialize([server["command"], *server["args"]], tmp_path)
