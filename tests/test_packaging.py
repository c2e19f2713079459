"""The catalog loads the same from a wheel, an editable install and a source checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile

import pytest

from helpers import REPO_ROOT

LEGACY = 'MODEL = "deepseek-chat"\n'


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO_ROOT)],
                   check=True, capture_output=True, timeout=300)
    (path,) = out.glob("deepseek_v4_migrate-*.whl")
    return path


def test_wheel_ships_the_catalog_inside_the_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "codemod/rules/catalog.toml" in names
    assert {"codemod/rules/catalog/deepseek.toml", "codemod/rules/catalog/openai.toml"} <= set(names)
    assert "codemod/rules/DS001.toml" in names
    assert not any(name.startswith("rules/") for name in names), "no bare top-level rules package"


def test_wheel_installed_in_a_fresh_venv_runs_from_another_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=600,
                   capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "app.py").write_text(LEGACY)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "V4_MIGRATE_TODAY")}
    proc = subprocess.run([str(bin_dir / "v4-migrate"), "--format", "json", "--today", "2026-11-28", "."],
                          cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["rule"] == "DS001"
    explain = subprocess.run([str(bin_dir / "python"), "-m", "codemod", "--explain", "DS101"], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)
    assert "## Fix safety" in explain.stdout
    located = subprocess.run([str(bin_dir / "python"), "-c", "import codemod.catalog as c; print(c.rules_dir())"],
                             cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert "site-packages" in located.stdout


def test_source_checkout_finds_rules_beside_the_package(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    located = subprocess.run([sys.executable, "-c", "import codemod.catalog as c; print(c.rules_dir())"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert located.stdout.strip() == str(REPO_ROOT / "rules")
