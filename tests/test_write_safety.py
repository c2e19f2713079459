"""What a fix, a report and a baseline may write, and what happens when writing goes wrong: each
case a real `v4-migrate` subprocess on real files.

- concurrent edits: another process appends to a file while its fix is being saved;
- permissions, links and attributes: read-only files, hard links, extended attributes;
- full disk and write errors: a real tmpfs (or, where mounting is not allowed, a file-size
  limit) for `-o`, `--write-baseline` and `--fix`; /dev/full for stdout;
- symbolic links: nothing outside the tree is written, nor shown by `--diff`, nor read unless
  named on the command line."""

from __future__ import annotations

import errno
import json
import os
import resource
import struct
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from helpers import REPO_ROOT, git, run_cli

TEMP_SUFFIX = ".v4-migrate.tmp"
CONSTANT = 'MODEL = "deepseek-chat"\n'
FIXED = 'import os\nMODEL = os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")\n'


def temp_files(root: Path) -> List[str]:
    return sorted(str(p) for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX))


def error_lines(stderr: str) -> List[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def _env(extra: Optional[Dict[str, str]] = None, pythonpath: Sequence[Path] = ()) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("V4_MIGRATE_TODAY", "NO_COLOR", "CI")}
    env["V4_MIGRATE_TODAY"] = "2026-11-28"
    env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), str(REPO_ROOT), env.get("PYTHONPATH", "")])
    env.update(extra or {})
    return env


# -- concurrent edits ----------------------------------------------------------------------------

# Loaded by the v4-migrate subprocess (its folder first on PYTHONPATH): a slow disk. fsync takes
# V4_TEST_SLOW_FSYNC seconds; a rename of a temp file over its target first creates the file
# V4_TEST_RENAMING, then waits V4_TEST_SLOW_RENAME seconds. Every call still does its real work.
SLOW_DISK = '''
import os, time

_fsync, _replace = os.fsync, os.replace
FSYNC = float(os.environ.get("V4_TEST_SLOW_FSYNC", "0"))
RENAME = float(os.environ.get("V4_TEST_SLOW_RENAME", "0"))
MARKER = os.environ.get("V4_TEST_RENAMING")


def fsync(fd):
    time.sleep(FSYNC)
    return _fsync(fd)


def replace(src, dst, **kwargs):
    if str(src).endswith(".v4-migrate.tmp") and RENAME:
        if MARKER and not os.path.exists(MARKER):
            open(MARKER, "w").close()
            time.sleep(RENAME)
    return _replace(src, dst, **kwargs)


os.fsync, os.replace = fsync, replace
'''

# Appends a line to TARGET once the file WAIT_FOR exists (a glob pattern, or a path).
APPENDER = '''
import glob, sys, time
target, wait_for = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 60
while time.monotonic() < deadline and not glob.glob(wait_for):
    time.sleep(0.001)
with open(target, "a") as fh:
    fh.write("# appended by another program\\n")
print("appended" if glob.glob(wait_for) else "timed out", flush=True)
'''


def _slow_disk(tmp_path: Path) -> Path:
    folder = tmp_path / "slow_disk"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SLOW_DISK)
    return folder


def _fix_while_appending(tmp_path: Path, tree: Path, args: Sequence[str], target: Path, wait_for: str, slow: Dict[str, str]):
    appender = subprocess.Popen([sys.executable, "-c", APPENDER, str(target), wait_for], stdout=subprocess.PIPE, text=True)
    fix = subprocess.run([sys.executable, "-m", "codemod", "--fix", *args], cwd=tree, capture_output=True, text=True, timeout=120,
                         env=_env(slow, [_slow_disk(tmp_path)]))
    assert appender.communicate(timeout=60)[0].strip() == "appended"
    return fix


def test_an_append_while_the_fix_is_being_saved_is_kept_and_reported(tmp_path):
    """The append lands while the temp file is written and synced (a slow disk): the check right
    before the rename sees it, the file keeps the append, and the run says so and exits 2."""
    tree = tmp_path / "tree"
    tree.mkdir()
    target = tree / "settings.py"
    target.write_text(CONSTANT)
    fix = _fix_while_appending(tmp_path, tree, ["settings.py"], target, str(tree / f".settings.py.*{TEMP_SUFFIX}"),
                               {"V4_TEST_SLOW_FSYNC": "0.5"})
    assert target.read_text() == CONSTANT + "# appended by another program\n"
    assert fix.returncode == 2, fix.stderr
    assert error_lines(fix.stderr) == ["error: settings.py: not fixed: changed on disk while it was being fixed"]
    assert temp_files(tmp_path) == []


def test_an_append_between_the_last_check_and_the_rename_is_put_back(tmp_path):
    """The append reaches the old file after the last check, just before the rename (a slow
    rename): it is found after the rename, and the file is given the other program's bytes."""
    tree = tmp_path / "tree"
    tree.mkdir()
    target = tree / "settings.py"
    target.write_text(CONSTANT)
    marker = tmp_path / "renaming"
    fix = _fix_while_appending(tmp_path, tree, ["settings.py"], target, str(marker),
                               {"V4_TEST_SLOW_RENAME": "0.5", "V4_TEST_RENAMING": str(marker)})
    assert target.read_text() == CONSTANT + "# appended by another program\n"
    assert fix.returncode == 2, fix.stderr
    [line] = error_lines(fix.stderr)
    assert line.startswith("error: settings.py: not fixed: changed on disk while it was being fixed"), line
    assert temp_files(tmp_path) == []


AGENT = ("from app.settings import MODEL\n\n\ndef ask(client):\n"
         "    return client.chat.completions.create(model=MODEL, messages=[])\n")


def test_an_append_to_one_file_of_a_group_stops_the_group(tmp_path):
    """A constant and the request that sends it are one fix, written one file after the other
    (app/agent.py first). The append reaches the constant's file as it is saved: the request's
    file, already written, gets its old bytes back."""
    tree = tmp_path / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "app" / "__init__.py").write_text("")
    settings, agent = tree / "app" / "settings.py", tree / "app" / "agent.py"
    settings.write_text(CONSTANT)
    agent.write_text(AGENT)
    agent_mtime = agent.stat().st_mtime_ns
    fix = _fix_while_appending(tmp_path, tree, ["."], settings, str(tree / "app" / f".settings.py.*{TEMP_SUFFIX}"),
                               {"V4_TEST_SLOW_FSYNC": "0.3"})
    assert settings.read_text() == CONSTANT + "# appended by another program\n"
    assert agent.read_text() == AGENT
    assert agent.stat().st_mtime_ns != agent_mtime  # it was written, then put back (fsync takes 0.3 s)
    assert fix.returncode == 2, fix.stderr
    assert error_lines(fix.stderr) == [
        "error: app/settings.py: not fixed: changed on disk while it was being fixed; so were the files fixed with it: app/agent.py"]
    assert temp_files(tmp_path) == []


# -- permissions, links and attributes ----------------------------------------------------------


def test_a_read_only_file_is_not_rewritten_even_by_root(tmp_path):
    """By its mode bits: root could rename over it, and os.access would say yes."""
    (tmp_path / "locked.py").write_text(CONSTANT)
    (tmp_path / "locked.py").chmod(0o444)
    (tmp_path / "open.py").write_text(CONSTANT)
    proc = run_cli(["--fix", "locked.py", "open.py"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == ["error: locked.py: not fixed: read-only (mode 0444)"]
    assert (tmp_path / "locked.py").read_text() == CONSTANT
    assert (tmp_path / "locked.py").stat().st_mode & 0o777 == 0o444
    assert (tmp_path / "open.py").read_text() == FIXED  # the run goes on


def test_a_hard_linked_file_is_refused_and_every_name_keeps_its_text(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "shared.py").write_text(CONSTANT)
    os.link(outside / "shared.py", tree / "shared.py")
    proc = run_cli(["--fix", "."], tree)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == [
        "error: shared.py: not fixed: 2 hard links (a rewrite would leave the other names with the old text)"]
    assert (tree / "shared.py").read_text() == (outside / "shared.py").read_text() == CONSTANT
    assert (tree / "shared.py").stat().st_nlink == 2


def _acl(entries) -> bytes:
    """A POSIX ACL as the kernel stores it in system.posix_acl_access."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, uid) for tag, perm, uid in entries)


ANY = 0xFFFFFFFF
# owner rw, user 12345 r, group r, mask r, others r
ACL = _acl([(0x01, 6, ANY), (0x02, 4, 12345), (0x04, 4, ANY), (0x10, 4, ANY), (0x20, 4, ANY)])


def test_extended_attributes_and_acls_are_kept(tmp_path):
    path = tmp_path / "settings.py"
    path.write_text(CONSTANT)
    os.setxattr(path, "user.origin", b"generated by tooling")
    os.setxattr(path, "system.posix_acl_access", ACL)
    before = path.stat()
    proc = run_cli(["--fix", "settings.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert path.read_text() == FIXED
    assert path.stat().st_ino != before.st_ino  # a new file, renamed over the old one
    assert os.getxattr(path, "user.origin") == b"generated by tooling"
    assert os.getxattr(path, "system.posix_acl_access") == ACL
    assert path.stat().st_mode & 0o7777 == before.st_mode & 0o7777


# -- full disk and write errors ------------------------------------------------------------------


class FullDisk:
    """A folder on a real, tiny tmpfs that ``fill`` fills up; where mounting is not allowed (not
    root), a plain folder and a file-size limit on the v4-migrate process (RLIMIT_FSIZE: a
    write past 512 bytes fails with EFBIG), the same failure from the program's side."""

    LIMIT = 512

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
        self.mounted = proc.returncode == 0

    def fill(self) -> None:
        if not self.mounted:
            return
        with open(self.folder / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC

    def run(self, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
        def limit_file_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.LIMIT, self.LIMIT))

        return subprocess.run([sys.executable, "-m", "codemod", *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                              timeout=120, preexec_fn=None if self.mounted else limit_file_size)

    @property
    def error(self) -> str:
        return os.strerror(errno.ENOSPC if self.mounted else errno.EFBIG)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.folder)], check=True)


@pytest.fixture
def full_disk(tmp_path):
    disk = FullDisk(tmp_path / "full")
    yield disk
    disk.close()


def _tree_with_findings(root: Path, count: int = 40) -> Path:
    root.mkdir()
    for index in range(count):
        (root / f"m{index:02d}.py").write_text(f'MODEL_{index} = "deepseek-chat"\n')
    return root


def test_a_report_on_a_full_disk_is_one_line_and_the_old_report_stays(tmp_path, full_disk):
    tree = _tree_with_findings(tmp_path / "tree")
    report = full_disk.folder / "report.sarif"
    report.write_text('{"previous": "report"}\n')
    full_disk.fill()
    proc = full_disk.run(["--format", "sarif", "-o", str(report), "."], tree)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == [f"v4-migrate: error: cannot write the report to {report}: {full_disk.error}"]
    assert report.read_text() == '{"previous": "report"}\n'
    assert temp_files(full_disk.folder) == []


def test_a_new_report_on_a_full_disk_leaves_no_file(tmp_path, full_disk):
    tree = _tree_with_findings(tmp_path / "tree")
    full_disk.fill()
    proc = full_disk.run(["--format", "json", "-o", str(full_disk.folder / "report.json"), "."], tree)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(error_lines(proc.stderr)) == 1
    assert not (full_disk.folder / "report.json").exists()
    assert temp_files(full_disk.folder) == []


def test_a_baseline_on_a_full_disk_keeps_the_previous_one(tmp_path, full_disk):
    tree = _tree_with_findings(tmp_path / "tree", 4)
    baseline = full_disk.folder / "baseline.json"
    first = run_cli(["--write-baseline", str(baseline), "."], tree)
    assert first.returncode == 0, first.stderr
    previous = baseline.read_bytes()
    assert len(previous) > FullDisk.LIMIT
    for index in range(4, 40):
        (tree / f"m{index:02d}.py").write_text(f'MODEL_{index} = "deepseek-chat"\n')
    full_disk.fill()
    proc = full_disk.run(["--write-baseline", str(baseline), "."], tree)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == [f"error: {baseline}: cannot write baseline: {full_disk.error}"]
    assert baseline.read_bytes() == previous
    json.loads(previous)
    assert temp_files(full_disk.folder) == []


def test_a_baseline_that_shrank_on_a_full_disk_keeps_the_previous_one(tmp_path, full_disk):
    tree = _tree_with_findings(tmp_path / "tree", 40)
    baseline = full_disk.folder / "baseline.json"
    assert run_cli(["--write-baseline", str(baseline), "."], tree).returncode == 0
    previous = baseline.read_bytes()
    (tree / "m00.py").write_text("MODEL_0 = None\n")  # one call site migrated: the baseline shrinks
    full_disk.fill()
    proc = full_disk.run(["--baseline", str(baseline), "."], tree)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == [f"error: {baseline}: cannot write baseline: {full_disk.error}"]
    assert baseline.read_bytes() == previous


def test_fix_on_a_full_disk_leaves_every_file_whole(tmp_path, full_disk):
    tree = full_disk.folder / "tree"
    tree.mkdir()
    body = "".join(f"# line {i} of a long module\n" for i in range(40))  # its fix is over 512 bytes
    (tree / "settings.py").write_text(CONSTANT + body)
    full_disk.fill()
    proc = full_disk.run(["--fix", "settings.py"], tree)
    assert proc.returncode == 2, proc.stderr
    assert error_lines(proc.stderr) == [f"error: settings.py: cannot write: {full_disk.error}; file left unchanged"]
    assert (tree / "settings.py").read_text() == CONSTANT + body
    assert temp_files(full_disk.folder) == []


@pytest.mark.parametrize("args", [["."], ["--format", "sarif", "."], ["--explain", "DS001"]], ids=["text", "sarif", "explain"])
def test_stdout_on_dev_full_is_one_line_and_exit_2(tmp_path, args):
    tree = _tree_with_findings(tmp_path / "tree", 3)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "codemod", *args], cwd=tree, env=_env(), stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    [line] = error_lines(proc.stderr)
    assert line.startswith("v4-migrate: error: cannot write") and line.endswith(os.strerror(errno.ENOSPC)), line


def test_a_report_through_a_link_replaces_its_target_and_keeps_the_link(tmp_path):
    tree = _tree_with_findings(tmp_path / "tree", 2)
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old\n")
    (tree / "report.json").symlink_to(real)
    proc = run_cli(["--format", "json", "-o", "report.json", "."], tree)
    assert proc.returncode == 1, proc.stderr
    assert (tree / "report.json").is_symlink()
    assert json.loads(real.read_text())["summary"]["findings"] == 2


# -- symbolic links ------------------------------------------------------------------------------


@pytest.fixture(params=["git", "plain"])
def linked_tree(request, tmp_path):
    """(tree, outside): the tree (a git work tree or a plain folder, the current directory of
    every run) holds ``link.py`` -> ``outside/o.py`` and ``linked/`` -> ``outside/``."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "o.py").write_text('OUTSIDE_SECRET_MODEL = "deepseek-chat"\n')
    (outside / "p.py").write_text('OTHER_OUTSIDE_MODEL = "deepseek-reasoner"\n')
    (tree / "link.py").symlink_to(outside / "o.py")
    (tree / "linked").symlink_to(outside)
    (tree / "inside.py").write_text(CONSTANT)
    if request.param == "git":
        git(tree, "init", "-q")
        git(tree, "add", "-A")
        git(tree, "commit", "-qm", "init")
    return tree, outside


def _outside_bytes(outside: Path) -> Dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outside.iterdir()}


@pytest.mark.parametrize("named", [["link.py"], ["linked/p.py"], ["linked"], ["../outside/o.py"]],
                         ids=["a-link", "a-file-under-a-linked-folder", "a-linked-folder", "a-path-outside"])
def test_a_path_named_out_of_the_tree_is_checked_but_never_fixed(linked_tree, named):
    tree, outside = linked_tree
    before = _outside_bytes(outside)
    fix = run_cli(["--fix", *named], tree)
    assert _outside_bytes(outside) == before
    assert fix.returncode == 2, fix.stderr
    lines = error_lines(fix.stderr)
    assert lines and all(line.startswith("error: ") and line.endswith(f": not fixed: outside the tree {tree.resolve()}")
                         for line in lines), lines
    assert "OUTSIDE" in fix.stdout  # checked: it was named on the command line
    diff = run_cli(["--diff", *named], tree)
    assert "+++" not in diff.stdout and "os.environ" not in diff.stdout, diff.stdout  # no diff of what it would write
    assert diff.returncode == 2 and _outside_bytes(outside) == before


def test_nothing_outside_the_tree_is_read_through_a_link_when_walking(linked_tree):
    tree, outside = linked_tree
    before = _outside_bytes(outside)
    for args in (["--format", "json", "."], ["--diff", "."], ["--fix", "."]):
        proc = run_cli(args, tree)
        assert "OUTSIDE" not in proc.stdout + proc.stderr, (args, proc.stdout)
        assert proc.returncode in (0, 1), proc.stderr
    assert _outside_bytes(outside) == before
    assert (tree / "inside.py").read_text() == FIXED


def test_a_link_inside_the_tree_is_fixed_through_and_kept(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "real.py").write_text(CONSTANT)
    (tmp_path / "alias.py").symlink_to(tmp_path / "pkg" / "real.py")
    proc = run_cli(["--fix", "alias.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "alias.py").is_symlink()
    assert (tmp_path / "pkg" / "real.py").read_text() == FIXED


def test_a_group_with_a_file_outside_the_tree_is_fixed_nowhere(tmp_path):
    """A constant outside the tree (a linked package) and the request inside that sends it are
    one fix: since the constant's file may not be written, neither is the request's."""
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    (outside / "app").mkdir(parents=True)
    (outside / "app" / "__init__.py").write_text("")
    (outside / "app" / "settings.py").write_text(CONSTANT)
    tree.mkdir()
    (tree / "app").symlink_to(outside / "app")
    (tree / "agent.py").write_text(AGENT)
    proc = run_cli(["--fix", "agent.py", "app"], tree)
    assert (outside / "app" / "settings.py").read_text() == CONSTANT
    assert (tree / "agent.py").read_text() == AGENT
    assert proc.returncode == 2, proc.stderr
    assert f"app/settings.py: not fixed: outside the tree {tree.resolve()}" in proc.stderr
