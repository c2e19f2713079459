"""The report-only formats (scanners/other.py, scanners/markdown.py): Dockerfiles, TOML, INI,
Terraform, Go, Rust, Java, Kotlin, Swift, Dart, C#, Markdown, .rst and .txt. A model argument is
DS001, a quoted id DS002, both at the deadline's severity (error on TODAY, after the cutoff) and
without a fix; comments and prose are DS003 info. No file of these formats is ever changed."""

from __future__ import annotations

import pytest

from codemod.scanners import FORMATS
from codemod.scanners.other import PATTERNS, SYNTAXES
from helpers import git, run_cli, run_on_text

E, I = "error", "info"

CASES = [
    ("Dockerfile",
     "FROM python:3.12\n# default is deepseek-chat\nENV MODEL=deepseek-chat\nARG LLM_MODEL=deepseek-reasoner\n"
     "RUN aider --model deepseek/deepseek-chat --yes\nCMD [\"python\", \"app.py\", \"deepseek-chat\"]\n",
     [("DS003", 2, 14, I), ("DS001", 3, 11, E), ("DS001", 4, 15, E), ("DS001", 5, 19, E), ("DS002", 6, 27, E)]),
    ("deploy/worker.dockerfile", "FROM x\nRUN llm -m deepseek-chat 'hi'\n", [("DS001", 2, 12, E)]),
    ("Containerfile", "FROM x\nENV GREETING=\"try deepseek-chat\" MODEL=deepseek-chat\n", [("DS003", 2, 19, I), ("DS001", 2, 40, E)]),
    ("settings.toml",
     'model = "deepseek-chat"  # was deepseek-reasoner\nfallbacks = ["deepseek-reasoner"]\n'
     'note = """\nuse deepseek-chat\n"""\n',
     [("DS001", 1, 10, E), ("DS003", 1, 32, I), ("DS002", 2, 15, E), ("DS003", 4, 5, I)]),
    ("pyproject.toml",
     '[tool.llm]\nmodel = "deepseek-chat"\n\n[tool.v4-migrate]\nfail-on = "warning"\n# deepseek-chat is our own example here\n'
     '[tool.v4-migrate.per-file-ignores]\n"deepseek-reasoner/*.py" = ["DS003"]\n[other]\ny = "deepseek-chat"\n',
     [("DS001", 2, 10, E), ("DS002", 10, 6, E)]),
    ("setup.cfg", "[llm]\nmodel = deepseek-chat\n; deepseek-reasoner was the old one\nfallback = deepseek-reasoner\n",
     [("DS001", 2, 9, E), ("DS003", 3, 3, I), ("DS002", 4, 12, E)]),
    ("app.properties", "# deepseek-chat\nllm.model=deepseek-chat\n", [("DS003", 1, 3, I), ("DS001", 2, 11, E)]),
    ("main.tf", 'variable "m" {\n  default = "deepseek-chat" // was deepseek-reasoner\n}\n# deepseek-chat\n',
     [("DS002", 2, 14, E), ("DS003", 2, 36, I), ("DS003", 4, 3, I)]),
    ("prod.tfvars", 'llm_model = "deepseek-reasoner"\n', [("DS001", 1, 14, E)]),
    ("cmd/main.go",
     'package main\n\n// uses deepseek-chat via https://api.deepseek.com\nconst url = "https://api.deepseek.com" // deepseek-reasoner\n'
     'var m = `deepseek-chat`\nfunc main() {\n\treq := Request{Model: "deepseek-chat"}\n'
     '\tif name == "deepseek-reasoner" { log("switch from deepseek-chat now") }\n\tr := \'"\'\n\t_ = "deepseek-chat"\n}\n',
     [("DS003", 3, 9, I), ("DS003", 4, 43, I), ("DS002", 5, 10, E), ("DS001", 7, 25, E), ("DS002", 8, 14, E),
      ("DS003", 8, 52, I), ("DS002", 10, 7, E)]),
    ("src/lib.rs", "fn f<'a>(x: &'a str) -> &'a str {\n    let model = \"deepseek-chat\"; /* deepseek-reasoner */\n    x\n}\n",
     [("DS001", 2, 18, E), ("DS003", 2, 37, I)]),
    ("App.java", 'var m = OpenAiChatModel.builder().modelName("deepseek-chat").build(); // deepseek-chat\n',
     [("DS001", 1, 46, E), ("DS003", 1, 74, I)]),
    ("Main.kt", 'val prompt = """\nAsk deepseek-chat\n"""\nval m = "deepseek-reasoner"\n',
     [("DS003", 2, 5, I), ("DS002", 4, 10, E)]),
    ("App.swift", 'let q = Query(model: "deepseek-chat")\n', [("DS001", 1, 23, E)]),
    ("main.dart", "final m = 'deepseek-chat'; // not ollama/deepseek-chat or deepseek-chat-v3-0324\n",
     [("DS002", 1, 12, E)]),
    ("Program.cs", '/* deepseek-reasoner\n   still here */\nvar o = new ChatOptions { Model = @"deepseek-chat" };\n',
     [("DS003", 1, 4, I), ("DS001", 3, 37, E)]),
    ("README.md",
     "# App\nUses deepseek-chat.\n\n```bash\naider --model deepseek-chat\ncurl -d '{\"x\": \"deepseek-reasoner\"}'\n```\n"
     "After the fence deepseek-reasoner is prose, as is `--model deepseek-chat`.\n~~~~\nMODEL=deepseek-chat\n~~~\nstill in\n~~~~\n",
     [("DS003", 2, 6, I), ("DS001", 5, 15, E), ("DS002", 6, 17, E), ("DS003", 8, 17, I), ("DS003", 8, 60, I),
      ("DS001", 10, 7, E)]),
    ("docs/page.mdx", "```ts\nconst m = 'deepseek-chat'\n", [("DS002", 2, 12, E)]),  # an unclosed fence runs to the end
    ("docs/index.rst", "Uses deepseek-chat.\n\nExample::\n\n    aider --model deepseek-chat\n\nBack to deepseek-reasoner.\n"
     "\n.. code-block:: python\n\n   client.create(model=\"deepseek-reasoner\")\n",
     [("DS003", 1, 6, I), ("DS001", 5, 19, E), ("DS003", 7, 9, I), ("DS001", 11, 25, E)]),
    ("notes.txt", "We moved off deepseek-chat.\nRun: aider --model deepseek-reasoner\n", [("DS003", 1, 14, I), ("DS001", 2, 20, E)]),
]


def _found(result):
    return [(f.rule, f.line, f.column, f.severity) for f in sorted(result.findings, key=lambda f: (f.line, f.column))]


@pytest.mark.parametrize("name, src, expected", CASES, ids=[c[0] for c in CASES])
def test_positions_are_reported_with_no_fix(tmp_path, name, src, expected):
    result, _ = run_on_text(tmp_path, src, name=name)
    assert _found(result) == expected and not result.errors
    assert all(f.fix is None and not f.edits for f in result.findings)
    fixed, after = run_on_text(tmp_path, src, name=name, fix=True, unsafe=True)
    assert after == src.encode() and not fixed.changed


def test_a_minified_line_makes_the_file_skipped_quietly(tmp_path):
    src = "const m = 'deepseek-chat'\n" + "x" * 5001 + "\n"
    result, _ = run_on_text(tmp_path, src, name="bundle.go")
    assert result.findings == [] and result.errors == []
    result, _ = run_on_text(tmp_path, "```\nMODEL=deepseek-chat\n```\n" + "y" * 6000, name="README.md")
    assert result.findings == [] and result.errors == []
    result, _ = run_on_text(tmp_path, "m = 'deepseek-chat'\n" + "x" * 5000 + "\n", name="ok.go")  # 5,000 is still text
    assert [f.rule for f in result.findings] == ["DS002"]


def test_binary_files_are_skipped_quietly(tmp_path):
    for name, raw in (("blob.txt", b"deepseek-chat\0\x01\x02"), ("latin.toml", b'model = "deepseek-chat" # caf\xe9\n')):
        result, _ = run_on_text(tmp_path, raw, name=name)
        assert result.findings == [] and result.errors == [], name


def test_every_other_pattern_has_a_syntax():
    declared = dict(FORMATS)["other"]
    assert [pattern for pattern, _ in PATTERNS] == list(declared)
    assert all(syntax in SYNTAXES for _, syntax in PATTERNS)


@pytest.mark.parametrize("name, src", [
    ("main.go", 'package main\nvar m = "deepseek-chat" // v4-migrate: ignore[DS002]\n'),
    ("lib.rs", '// v4-migrate: ignore\nlet model = "deepseek-chat";\n'),
    ("README.md", "```\nMODEL=deepseek-chat <!-- v4-migrate: ignore[DS001] -->\n```\n"),  # a `--` comment start
    ("README.md", "<!-- v4-migrate: ignore[DS003] -->\nWe used deepseek-chat.\n"),  # on its own line: covers the next
], ids=["go-trailing", "rust-own-line", "markdown-trailing", "markdown-own-line"])
def test_slash_and_dash_comments_suppress(tmp_path, name, src):
    result, _ = run_on_text(tmp_path, src, name=name)
    assert result.findings == [] and not result.errors, result.findings


def test_an_unused_slash_directive_is_reported_and_a_noqa_keeps_its_opener(tmp_path):
    result, _ = run_on_text(tmp_path, '// deepseek-chat\nvar m = "deepseek-v4-flash" // v4-migrate: ignore[DS002]\n', name="main.go")
    assert [(f.rule, f.fix) for f in result.findings] == [("DS003", None), ("DS900", None)]  # report-only: not even a comment is removed
    src = 'M = "deepseek-chat"  # noqa: DS001, E501\nN = 1  # noqa: DS002, E501\n'
    fixed, after = run_on_text(tmp_path, src, name="example.py", fix=True)
    assert b"# noqa: E501" in after and not fixed.errors


TREE = {
    "Dockerfile": "FROM python:3.12\nENV MODEL=deepseek-chat\n",
    "svc/main.go": 'package main\n\nvar model = "deepseek-reasoner"\n',
    "README.md": "Talks to deepseek-chat.\n\n```sh\nllm -m deepseek-chat hi\n```\n",
    "config/llm.toml": 'model = "deepseek-chat"\n',
    "app.py": 'MODEL = "deepseek-chat"\n',
}


@pytest.mark.parametrize("use_git", [False, True], ids=["folder", "git"])
def test_cli_reports_the_tree_and_fix_leaves_the_report_only_files_byte_identical(tmp_path, use_git):
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    if use_git:
        git(tmp_path, "init", "-q")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-qm", "x")
    check = run_cli(["."], cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    for expected in ("Dockerfile\n  2:11  DS001 error", "svc/main.go\n  3:14  DS001 error", "README.md\n  1:10  DS003 info",
                     "4:8  DS001 error", "config/llm.toml\n  1:10  DS001 error"):
        assert expected in check.stdout, check.stdout
    fixed = run_cli(["--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr  # the report-only findings remain
    for rel, text in TREE.items():
        if rel != "app.py":
            assert (tmp_path / rel).read_text() == text, rel
    assert "os.environ.get" in (tmp_path / "app.py").read_text()


def test_sarif_and_baseline_take_the_report_only_findings(tmp_path):
    for rel, text in TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    sarif = run_cli(["--format", "sarif", "."], cwd=tmp_path)
    assert sarif.returncode == 1 and '"uri": "svc/main.go"' in sarif.stdout and '"uri": "Dockerfile"' in sarif.stdout
    recorded = run_cli(["--write-baseline", "baseline.json", "."], cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    again = run_cli(["--baseline", "baseline.json", "."], cwd=tmp_path)
    assert again.returncode == 0, again.stdout
