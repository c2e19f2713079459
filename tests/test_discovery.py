"""Discovery in real git repos and plain folders: .gitignore (nested), excludes, links, loops."""

from __future__ import annotations

import json
import os
import subprocess

from codemod.discovery import Discovery
from helpers import git, run_cli

LEGACY = 'M = "deepseek-chat"\n'


def _found(root, paths=(".",)):
    discovery = Discovery(lambda folder: None, cwd=root)
    old = os.getcwd()
    os.chdir(root)
    try:
        return sorted(c.display for c in discovery.every_file(list(paths))), discovery.problems
    finally:
        os.chdir(old)


def _tree(root):
    for rel in ("a.py", "ignored.py", "pkg/b.py", "pkg/gen/c.py", "pkg/keep.yaml", "notes.md", "node_modules/x.py", ".venv/lib/y.py", "env2/lib/z.py"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LEGACY)
    (root / "env2" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / ".gitignore").write_text("ignored.py\n")
    (root / "pkg" / ".gitignore").write_text("gen/\n")


def test_git_work_tree_honours_nested_gitignore(tmp_path):
    _tree(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "a.py", "pkg/b.py")
    git(tmp_path, "commit", "-qm", "x")
    found, problems = _found(tmp_path)
    # tracked + untracked-but-not-ignored; never node_modules or .venv; only formats we scan
    assert found == ["a.py", "env2/lib/z.py", "env2/pyvenv.cfg", "notes.md", "pkg/b.py", "pkg/keep.yaml"]
    assert problems == []


def test_plain_folder_walk_honours_nested_gitignore_and_skips_virtualenvs(tmp_path):
    _tree(tmp_path)
    found, _ = _found(tmp_path)
    assert found == ["a.py", "notes.md", "pkg/b.py", "pkg/keep.yaml"]


def test_links_out_of_the_tree_and_loops(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(LEGACY)
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text(LEGACY)
    os.symlink(outside, root / "out")
    os.symlink(outside / "secret.py", root / "out.py")
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root / "pkg" / "a.py", root / "alias.py")
    found, _ = _found(root)
    assert found == ["alias.py"] or found == ["pkg/a.py"]  # the same file once, nothing from outside


def test_explicit_files_are_checked_and_missing_ones_reported(tmp_path):
    (tmp_path / "a.py").write_text(LEGACY)
    found, problems = _found(tmp_path, ["a.py", "missing.py"])
    assert found == ["a.py"]
    assert problems == ["missing.py: no such file or directory"]


def test_paths_with_spaces_and_non_ascii_names(tmp_path):
    folder = tmp_path / "my project" / "modèles"
    folder.mkdir(parents=True)
    (folder / "clé.py").write_text(LEGACY)
    proc = run_cli(["--fix", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "os.environ.get" in (folder / "clé.py").read_text()


def test_git_index_says_file_but_work_tree_has_a_link_out_of_the_tree(tmp_path):
    """Tracked files are not lstat'ed one by one (the index gives their mode); one that `git grep`
    finds is checked before it is read, so a link out of the tree that git was not told of
    (a type change, of the file or of a folder above it) is never read or rewritten."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(LEGACY)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text(LEGACY)
    (root / "b.py").write_text(LEGACY)
    (root / "gone.py").write_text(LEGACY)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "x")
    (root / "pkg").mkdir()
    (root / "pkg" / "secret.py").write_text(LEGACY)
    git(root, "add", ".")
    git(root, "commit", "-qm", "pkg")
    (root / "a.py").unlink()
    os.symlink(outside / "secret.py", root / "a.py")
    (root / "gone.py").unlink()
    # a tracked folder that became a link out of the tree
    (root / "pkg" / "secret.py").unlink()
    (root / "pkg").rmdir()
    os.symlink(outside, root / "pkg")
    for env in ({"V4_MIGRATE_NO_GIT_GREP": "1"}, {}):  # every listed file read, or those git grep finds
        (root / "b.py").write_text(LEGACY)
        proc = run_cli(["--fix", "."], root, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""
        assert (outside / "secret.py").read_text() == LEGACY
        assert "os.environ.get" in (root / "b.py").read_text()


def test_git_listing_kinds(tmp_path):
    """One `git ls-files` run says what each entry is, without an lstat per file: regular
    tracked files (a deleted one too: telling it apart would take the lstat), untracked ones,
    links, assume-unchanged entries; submodules are left out, and a conflicted file is listed
    once."""
    from codemod.discovery import _git_listing

    for name in ("keep.py", "gone.py", "frozen.py", "conflict.py"):
        (tmp_path / name).write_text("x = 1\n")
    os.symlink("keep.py", tmp_path / "link.py")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "other")
    (tmp_path / "conflict.py").write_text("x = 2\n")
    git(tmp_path, "commit", "-qam", "other")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "conflict.py").write_text("x = 3\n")
    git(tmp_path, "commit", "-qam", "main")
    subprocess.run(["git", "merge", "-q", "other"], cwd=tmp_path, capture_output=True)  # conflicts
    (tmp_path / "gone.py").unlink()
    git(tmp_path, "update-index", "--assume-unchanged", "frozen.py")
    (tmp_path / "new.py").write_text("x = 1\n")
    regular, special = _git_listing(tmp_path)
    assert regular == ["conflict.py", "gone.py", "keep.py"]
    assert sorted(special) == [("frozen.py", "unsure"), ("link.py", "link"), ("new.py", "untracked")]


def test_files_gone_from_the_work_tree_are_no_error(tmp_path):
    """A tracked file deleted but not committed, and a sparse checkout's skip-worktree file
    (absent by design), are neither findings nor errors, with or without `git grep`."""
    for name in ("keep.py", "gone.py", "sparse.py"):
        (tmp_path / name).write_text(LEGACY)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "x")
    (tmp_path / "gone.py").unlink()
    git(tmp_path, "update-index", "--skip-worktree", "sparse.py")
    (tmp_path / "sparse.py").unlink()
    for env in ({"V4_MIGRATE_NO_GIT_GREP": "1"}, {}):
        proc = run_cli(["--format", "json", "."], tmp_path, env=env)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == ""
        report = json.loads(proc.stdout)
        assert {f["path"] for f in report["findings"]} == {"keep.py"}
        assert report["errors"] == []
