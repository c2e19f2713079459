"""tests/node_support.py: one install per manifest, shared by concurrent runs, never half-used, and clear failures.

These use a manifest without dependencies, so real ``npm ci`` runs take a fraction of a second and need no
network; the shared install of tests/node_deps is what the ``node_modules`` fixture gives the app tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from node_support import DONE_MARKER, NodeSetupError, deps_key, installed_node_modules

TESTS_DIR = Path(__file__).resolve().parent


def write_manifests(folder: Path, dependencies=None, locked=None) -> Path:
    """A package.json with ``dependencies`` and a lockfile that holds ``locked`` (by default the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = {"name": "tiny", "version": "1.0.0"}
    (folder / "package.json").write_text(json.dumps({**root, "private": True, "dependencies": dependencies or {}}))
    lock_root = {**root, "dependencies": locked} if locked else root
    lock = {**root, "lockfileVersion": 3, "requires": True, "packages": {"": lock_root}}
    (folder / "package-lock.json").write_text(json.dumps(lock))
    return folder


def leftovers(cache: Path, key: str):
    return sorted(p.name for p in cache.glob(f"{key}.staging-*"))


def test_missing_node_fails_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NodeSetupError, match=r"need Node\.js 20 or later with npm; not found on PATH: node, npm"):
        installed_node_modules(write_manifests(tmp_path / "deps"), tmp_path / "cache")


def test_failed_install_fails_with_npms_message_and_leaves_nothing(tmp_path):
    deps = write_manifests(tmp_path / "deps", dependencies={"left-pad": "1.3.0"}, locked=None)  # lock out of sync
    cache = tmp_path / "cache"
    with pytest.raises(NodeSetupError, match=r"(?s)`npm ci --no-audit --no-fund --ignore-scripts` exited \d+ .*in sync"):
        installed_node_modules(deps, cache)
    key = deps_key(deps)
    assert not (cache / key).exists() and leftovers(cache, key) == []


def test_an_install_is_made_once_and_then_reused(tmp_path):
    deps, cache = write_manifests(tmp_path / "deps"), tmp_path / "cache"
    first = installed_node_modules(deps, cache)
    assert first == cache / deps_key(deps) / "node_modules" and first.is_dir()
    assert (first.parent / DONE_MARKER).is_file()
    (first / "kept.txt").write_text("a second call must not reinstall")
    assert installed_node_modules(deps, cache) == first and (first / "kept.txt").is_file()


def test_a_changed_manifest_gets_its_own_install(tmp_path):
    deps, cache = write_manifests(tmp_path / "deps"), tmp_path / "cache"
    first = installed_node_modules(deps, cache)
    (deps / "package.json").write_text((deps / "package.json").read_text().replace('"tiny"', '"tiny2"', 1))
    assert installed_node_modules(deps, cache) != first and first.is_dir()


def test_a_killed_install_is_never_used_and_is_cleaned_up(tmp_path):
    deps, cache = write_manifests(tmp_path / "deps"), tmp_path / "cache"
    key = deps_key(deps)
    (cache / f"{key}.staging-killed" / "node_modules" / "half").mkdir(parents=True)
    (cache / key / "node_modules" / "half").mkdir(parents=True)  # no marker: not complete
    installed = installed_node_modules(deps, cache)
    assert not (installed / "half").exists() and (installed.parent / DONE_MARKER).is_file()
    assert leftovers(cache, key) == []


CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import node_support

installs = []
real_install = node_support.install
node_support.install = lambda *args: (installs.append(1), real_install(*args))
path = node_support.installed_node_modules(node_support.Path(sys.argv[2]), node_support.Path(sys.argv[3]))
print(path, len(installs))
"""


def test_concurrent_runs_share_one_install(tmp_path):
    deps, cache = write_manifests(tmp_path / "deps"), tmp_path / "cache"
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(TESTS_DIR), str(deps), str(cache)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], [err for _, err in results]
    paths = {out.split()[0] for out, _ in results}
    assert paths == {str(cache / deps_key(deps) / "node_modules")}
    assert sum(int(out.split()[1]) for out, _ in results) == 1  # one child installed, the others reused it
    assert leftovers(cache, deps_key(deps)) == []
