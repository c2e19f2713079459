"""The JavaScript packages the end-to-end tests run apps with, installed once per machine.

The pinned manifest and lockfile are in tests/node_deps/. ``npm ci`` installs them into
``<system temp>/v4-migrate-node-deps/<hash of both files>/node_modules``. Concurrent test runs (CI runs
two suites at once) share that one install: the first takes an fcntl lock and installs into a staging
folder that is renamed into place only once complete, so no run ever uses a half-installed folder; the
others wait on the lock and then find it done. A changed manifest gets a new hash, hence a new folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

DEPS_DIR = Path(__file__).resolve().parent / "node_deps"
MANIFESTS = ("package.json", "package-lock.json")
NPM_CI = ("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
INSTALL_TIMEOUT = 900  # seconds; a cold npm cache downloads about 60 packages
DONE_MARKER = ".installed"


class NodeSetupError(Exception):
    """node or npm is missing, or the install failed; the message says which and how to fix it."""


def deps_key(deps_dir: Path) -> str:
    """A short hash of the manifests: the name of the install they give."""
    digest = hashlib.sha256()
    for name in MANIFESTS:
        digest.update(name.encode() + b"\0" + (deps_dir / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def default_cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "v4-migrate-node-deps"


def require_node() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise NodeSetupError(f"the JavaScript app tests need Node.js 20 or later with npm; not found on PATH: "
                             f"{', '.join(missing)}")


def npm_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(npm_config_update_notifier="false", npm_config_loglevel="error")
    return env


def installed_node_modules(deps_dir: Path = DEPS_DIR, cache_root: Optional[Path] = None) -> Path:
    """The node_modules folder of ``deps_dir``'s manifests, installing it first if no run on this machine has."""
    require_node()
    key = deps_key(deps_dir)
    root = cache_root or default_cache_root()
    final = root / key
    if (final / DONE_MARKER).is_file():
        return final / "node_modules"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if not (final / DONE_MARKER).is_file():
            install(deps_dir, root, key)
    return final / "node_modules"


def install(deps_dir: Path, root: Path, key: str) -> None:
    """Install into a staging folder and rename it to ``root/key``; called with the lock held."""
    for stale in root.glob(f"{key}.staging-*"):  # left by a run killed mid-install
        shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(root / key, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.staging-", dir=root))
    try:
        for name in MANIFESTS:
            shutil.copyfile(deps_dir / name, staging / name)
        run_npm_ci(staging)
        (staging / "node_modules").mkdir(exist_ok=True)  # npm makes none for a manifest without dependencies
        missing = [name for name in dependencies(staging) if not (staging / "node_modules" / name / "package.json").is_file()]
        if missing:
            raise NodeSetupError(f"`{' '.join(NPM_CI)}` of {deps_dir} left out: {', '.join(missing)}")
        (staging / DONE_MARKER).write_text(f"{' '.join(NPM_CI)}\n")
        os.rename(staging, root / key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_npm_ci(folder: Path) -> None:
    try:
        done = subprocess.run(NPM_CI, cwd=folder, env=npm_env(), capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise NodeSetupError(f"`{' '.join(NPM_CI)}` took over {INSTALL_TIMEOUT}s in {folder}") from None
    if done.returncode != 0:
        # npm states the cause first, then its usage text and the log's path
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip() not in ("", "npm error")]
        output = "\n".join(lines[:8])
        raise NodeSetupError(f"`{' '.join(NPM_CI)}` exited {done.returncode} in {folder}:\n{output}")


def dependencies(folder: Path) -> List[str]:
    manifest = json.loads((folder / "package.json").read_text())
    return sorted({**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})})


def tsc_command(node_modules: Path) -> List[str]:
    """The installed TypeScript compiler, run with node (no reliance on .bin symlinks or shebangs)."""
    return ["node", str(node_modules / "typescript" / "bin" / "tsc")]
