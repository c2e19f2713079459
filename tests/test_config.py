"""[tool.v4-migrate]: the closest config wins per file, and it extends or overrides the catalog."""

from __future__ import annotations

import json

import pytest

from codemod.catalog import Catalog, CatalogError
from codemod.config import ConfigError, build
from helpers import run_cli

LEGACY = 'MODEL = "deepseek-reasoner"\n'


def _findings(proc):
    return {f["path"]: f for f in json.loads(proc.stdout)["findings"]}


def test_each_subproject_uses_its_closest_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.v4-migrate]\n")
    pro = tmp_path / "services" / "pro"
    pro.mkdir(parents=True)
    (pro / "pyproject.toml").write_text(
        '[tool.v4-migrate.retired.deepseek-reasoner]\nreplacement = "deepseek-v4-pro"\nenv_var = "PRO_MODEL"\n'
    )
    (pro / "deeper").mkdir()
    (pro / "deeper" / "b.py").write_text(LEGACY)
    (tmp_path / "a.py").write_text(LEGACY)
    found = _findings(run_cli(["--format", "json", "."], tmp_path))
    assert found["a.py"]["replacement"] == 'os.environ.get("DEEPSEEK_REASONER_MODEL", "deepseek-v4-flash")'
    assert found["services/pro/deeper/b.py"]["replacement"] == 'os.environ.get("PRO_MODEL", "deepseek-v4-pro")'


def test_pyproject_without_our_table_is_skipped_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')
    (tmp_path / "pkg" / "m.py").write_text(LEGACY)
    assert run_cli(["."], tmp_path).returncode == 0


def test_config_option_overrides_every_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.v4-migrate]\nignore = ["DS001"]\n')
    (tmp_path / "m.py").write_text(LEGACY)
    (tmp_path / "strict.toml").write_text('fail-on = "notice"\n')
    assert run_cli(["m.py"], tmp_path).returncode == 0
    assert run_cli(["--config", "strict.toml", "m.py"], tmp_path).returncode == 1


def test_users_add_their_own_retired_ids(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.v4-migrate.retired.acme-legacy-1]\n"
        'retired_at = "2027-01-31T00:00:00Z"\nreplacement = "acme-2"\nenv_var = "ACME_MODEL"\n'
    )
    (tmp_path / "m.py").write_text('M = "acme-legacy-1"\nN = "acme-legacy-10"\n')
    proc = run_cli(["--format", "json", "--fix", "."], tmp_path)
    assert (tmp_path / "m.py").read_text() == 'import os\nM = os.environ.get("ACME_MODEL", "acme-2")\nN = "acme-legacy-10"\n'
    assert json.loads(proc.stdout)["summary"]["fixed"] == 1


def test_a_retired_id_can_be_turned_off(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.v4-migrate.retired.deepseek-coder]\nenabled = false\n")
    (tmp_path / "m.py").write_text('M = "deepseek-coder"\n')
    assert run_cli(["."], tmp_path).returncode == 0


def test_catalog_records_the_facts():
    catalog = Catalog.load()
    chat, reasoner = catalog.retired["deepseek-chat"], catalog.retired["deepseek-reasoner"]
    assert chat.retired_at.isoformat() == "2026-07-24T15:59:00+00:00"
    assert (chat.replacement, chat.thinking) == ("deepseek-v4-flash", "disabled")
    assert (reasoner.replacement, reasoner.thinking) == ("deepseek-v4-flash", "enabled")
    assert "deepseek-coder" in catalog.retired
    assert catalog.aliases["deepseek-v4-flash"]["canonical"] == "deepseek-flash"
    assert catalog.canonical_base_url == "https://api.deepseek.com"
    assert catalog.classify_url("https://api.deepseek.com/v1").kind == "api"
    assert catalog.classify_url("https://api.deepseek.com/beta").kind == "api"
    assert catalog.classify_url("https://api.deepseek.com/anthropic").kind == "api"
    assert catalog.classify_url("https://api.deepseek.com/v3.2_speciale_expires_on_20251215").kind == "expired"
    assert catalog.classify_url("https://api-docs.deepseek.com/").kind == "not-api"
    assert catalog.classify_url("api.deepseek.com") is None


@pytest.mark.parametrize(
    "table, message",
    [
        ({"retired": {"x-1": {"replacement": "y"}}}, "retired_at"),
        ({"retired": {"x-1": {"retired_at": "soon", "replacement": "y"}}}, "retired_at"),
        ({"retired": {"x-1": {"retired_at": "2027-01-01", "replacement": "y", "thinking": "maybe"}}}, "thinking"),
        ({"retry_strategy": "always"}, "retry_strategy"),
        ({"retry-strategy": "always"}, "retry-strategy"),
        ({"select": "DS001"}, None),
        ({"exclude": [1]}, "exclude"),
    ],
)
def test_bad_tables_raise_clear_errors(table, message):
    if message is None:
        assert build(table, None).select == ("DS001",)
        return
    with pytest.raises((ConfigError, CatalogError)) as info:
        build(table, None)
    assert message in str(info.value)
