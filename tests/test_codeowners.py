"""CODEOWNERS with GitHub's rules: where the file is, last match wins, gitignore patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemod import codeowners
from codemod.ftypes import Finding

# GitHub's documented example, abridged.
GITHUB_EXAMPLE = """\
# Default owners for everything in the repo.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
**/logs @octocat-logs
/apps/ @octocat
/apps/github
/scripts/ @doctocat @octocat
\\#notes.txt @hash-owner
"""


@pytest.fixture
def owners(tmp_path) -> codeowners.CodeOwners:
    (tmp_path / "CODEOWNERS").write_text(GITHUB_EXAMPLE, encoding="utf-8")
    loaded = codeowners.load(tmp_path)
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(
    "path, expected",
    [
        ("README.md", ["@global-owner1", "@global-owner2"]),
        ("web/app.js", ["@js-owner"]),  # the inline comment is not an owner
        ("cmd/main.go", ["docs@example.com"]),
        # `/build/logs/` matches, but the later `**/logs` wins.
        ("build/logs/today.txt", ["@octocat-logs"]),
        ("docs/getting-started.md", ["docs@example.com"]),
        # `docs/*` owns direct children only; the rest falls back to `*`.
        ("docs/build-app/troubleshooting.md", ["@global-owner1", "@global-owner2"]),
        ("deeply/nested/logs/x.txt", ["@octocat-logs"]),
        ("apps/web/main.py", ["@octocat"]),
        ("other/apps/main.py", ["@octocat"]),
        # A pattern with no owners, matching last, leaves the path unowned.
        ("apps/github/main.py", []),
        ("scripts/deploy.sh", ["@doctocat", "@octocat"]),
        ("#notes.txt", ["@hash-owner"]),
    ],
)
def test_last_matching_pattern_wins(owners, path, expected):
    assert owners.owners_for(path) == expected


def test_no_file_means_none(tmp_path):
    assert codeowners.load(tmp_path) is None
    assert codeowners.assign([_finding("a.py")], tmp_path) is None


def test_first_location_wins_in_githubs_order(tmp_path):
    for location, owner in (("docs/CODEOWNERS", "@docs"), ("CODEOWNERS", "@root"), (".github/CODEOWNERS", "@dotgithub")):
        target = tmp_path / location
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"* {owner}\n", encoding="utf-8")
    assert codeowners.load(tmp_path).owners_for("x.py") == ["@dotgithub"]
    (tmp_path / ".github/CODEOWNERS").unlink()
    assert codeowners.load(tmp_path).owners_for("x.py") == ["@root"]
    (tmp_path / "CODEOWNERS").unlink()
    assert codeowners.load(tmp_path).owners_for("x.py") == ["@docs"]


def test_leading_slash_anchors_to_the_root(tmp_path):
    (tmp_path / "CODEOWNERS").write_text("* @all\n/build/ @builders\n", encoding="utf-8")
    loaded = codeowners.load(tmp_path)
    assert loaded.owners_for("build/x.py") == ["@builders"]
    assert loaded.owners_for("src/build/x.py") == ["@all"]


def test_negation_lines_are_ignored(tmp_path):
    (tmp_path / "CODEOWNERS").write_text("*.py @py\n!secret.py @nobody\n", encoding="utf-8")
    assert codeowners.load(tmp_path).owners_for("secret.py") == ["@py"]


def _finding(path: str) -> Finding:
    return Finding("DS001", "error", "m", 1, 1, 1, 2, path=path, legacy="deepseek-chat")


def test_assign_resolves_paths_from_a_subfolder_against_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/CODEOWNERS").write_text("* @everyone\n/services/api/ @api-team\n", encoding="utf-8")
    cwd = tmp_path / "services"
    cwd.mkdir()
    inside, outside = _finding("api/app.py"), _finding("../tools/x.py")
    assert codeowners.assign([inside, outside], cwd) is not None
    assert inside.extra["owners"] == ["@api-team"]
    assert outside.extra["owners"] == ["@everyone"]
    assert codeowners.repo_relative("api/app.py", cwd) == "services/api/app.py"


def test_repository_root_without_git_is_the_start(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    assert codeowners.repository_root(Path(folder)) == folder
