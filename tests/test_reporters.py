"""The CI report formats: SARIF (schema-valid), GitHub annotations, Markdown, JUnit, GitLab
Code Quality and --statistics. Findings are built directly; one test per format also runs the
real CLI on real files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import List, Optional

import jsonschema
import pytest

from codemod import baseline, deadline
from codemod.catalog import default_catalog
from codemod.engine import edit_regions
from codemod.ftypes import Edit, Finding, SourceText
from codemod.reporters import Report, render
from codemod.reporters import github, markdown, sarif
from codemod.ruledocs import load_rule_docs
from helpers import REPO_ROOT, git, run_cli

AFTER = date(2026, 8, 3)  # 10 days after the cutoff
BEFORE = date(2026, 7, 4)  # 20 days before it
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

SOURCE = 'import os\nMODEL = "deepseek-chat"\n# see deepseek-reasoner\nif m == "deepseek-reasoner":\n    pass\n'


def fixable_finding(path: str = "src/app.py") -> Finding:
    """A DS001 finding whose edits and regions come from the real text above."""
    text = SourceText(SOURCE)
    start = SOURCE.index('"deepseek-chat"')
    end = start + len('"deepseek-chat"')
    line, column = text.position(start)
    end_line, end_column = text.position(end)
    finding = Finding(
        rule="DS001",
        severity="error",
        message="Retired DeepSeek model id `deepseek-chat` in an assignment; use `deepseek-v4-flash`",
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        path=path,
        legacy="deepseek-chat",
        replacement='os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")',
        fix="safe",
        edits=(Edit(start, end, 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")'), Edit(0, 0, "import sys\n")),
        snippet='MODEL = "deepseek-chat"',
    )
    finding.extra["edit_regions"] = edit_regions(finding, text)
    return finding


def finding(rule: str, severity: str, line: int, path: str = "src/app.py", legacy: Optional[str] = "deepseek-reasoner", **kw) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        message=kw.pop("message", f"{rule} message"),
        line=line,
        column=kw.pop("column", 3),
        end_line=line,
        end_column=kw.pop("end_column", 20),
        path=path,
        legacy=legacy,
        replacement=kw.pop("replacement", "deepseek-v4-flash" if legacy else None),
        snippet=kw.pop("snippet", f"line {line} {legacy}"),
        **kw,
    )


def sample_findings() -> List[Finding]:
    return [
        fixable_finding(),
        finding("DS003", "info", 3, snippet="# see deepseek-reasoner"),
        finding("DS002", "warning", 4, fix="unsafe", snippet='if m == "deepseek-reasoner":'),
        finding("DS001", "notice", 1, path="notebooks/explore.ipynb", legacy="deepseek-chat", extra={"cell": 2}),
        finding("DS101", "error", 7, path="lib/a,b:c%d.py", legacy="https://api.deepseek.com/v3.2_speciale_expires_on_20251215"),
    ]


def make_report(tmp_path: Path, findings: List[Finding], today: date = AFTER, **kw) -> Report:
    findings = sorted(findings, key=lambda f: (f.path, f.line, f.column))
    return Report(
        findings=findings,
        files_scanned=kw.pop("files_scanned", 12),
        errors=kw.pop("errors", []),
        today=today,
        catalog=default_catalog(),
        rules=load_rule_docs(),
        cwd=tmp_path,
        **kw,
    )


def rendered(fmt: str, report: Report, color: bool = False) -> str:
    out = io.StringIO()
    render(fmt, report, out, color)
    return out.getvalue()


def with_baseline(tmp_path: Path, report: Report, recorded: List[Finding]) -> Report:
    target = tmp_path / "baseline.json"
    baseline.write(target, recorded)
    report.baseline = baseline.compare(report.remaining, baseline.load(target))
    return report


# -- SARIF ----------------------------------------------------------------------------------


def assert_valid_sarif(document: dict) -> None:
    """Against the official schema when the shared copy is there; the structure either way."""
    if SCHEMA_PATH.is_file():
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "v4-migrate" and driver["rules"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file://") and root.endswith("/")
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert set(location["region"]) >= {"startLine", "startColumn", "endLine", "endColumn"}
        assert result["partialFingerprints"]["v4MigrateFingerprint/v1"]


def test_sarif_is_valid_and_complete(tmp_path):
    report = make_report(tmp_path, sample_findings(), errors=["broken.py: cannot read: Permission denied"])
    document = json.loads(rendered("sarif", report))
    assert_valid_sarif(document)
    run = document["runs"][0]
    ds001 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "DS001")
    assert ds001["helpUri"].endswith("/DS001.toml")
    assert "## Fix safety" in ds001["help"]["markdown"] and ds001["help"]["text"]
    assert ds001["shortDescription"]["text"] == load_rule_docs()["DS001"].summary
    levels = {(r["ruleId"], r["properties"]["severity"]): r["level"] for r in run["results"]}
    assert levels == {("DS001", "error"): "error", ("DS003", "info"): "note", ("DS002", "warning"): "warning",
                      ("DS001", "notice"): "note", ("DS101", "error"): "error"}
    expected = dict(zip(map(id, report.remaining), baseline.fingerprints(report.remaining)))
    assert [r["partialFingerprints"]["v4MigrateFingerprint/v1"] for r in run["results"]] == [expected[id(f)] for f in report.remaining]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("broken.py")
    odd = next(r for r in run["results"] if r["ruleId"] == "DS101")
    assert odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "lib/a%2Cb%3Ac%25d.py"
    notebook = next(r for r in run["results"] if r["properties"].get("cell") == 2)
    assert notebook["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "notebooks/explore.ipynb"


def test_sarif_fix_replacements_come_from_the_edit_regions(tmp_path):
    document = sarif.build(make_report(tmp_path, [fixable_finding()]))
    (result,) = document["runs"][0]["results"]
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    replacement, insertion = change["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 2, "startColumn": 9, "endLine": 2, "endColumn": 24}
    assert replacement["insertedContent"]["text"] == 'os.environ.get("DEEPSEEK_CHAT_MODEL", "deepseek-v4-flash")'
    # An insertion is an empty region at the insertion point.
    assert insertion["deletedRegion"] == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
    # Applying the regions to the text by line and column gives what the edits give.
    assert apply_regions(SOURCE, change["replacements"]) == apply_edit_offsets(SOURCE, fixable_finding().edits)


def test_sarif_leaves_out_a_fix_whose_inserted_text_holds_a_secret(tmp_path):
    # a fix that rewrites the source around the id (a notebook line) carries that source with it:
    # masked it would write <redacted> into the file, unmasked it would leak
    leaky = fixable_finding()
    leaky.extra["edit_regions"][0]["insertedText"] = 'MODEL = "deepseek-v4-flash"  # api_key=sk-live-inserted0a1b'
    document = sarif.build(make_report(tmp_path, [leaky, fixable_finding()]))
    first, second = document["runs"][0]["results"]
    assert "fixes" not in first and "fixes" in second
    assert "sk-live-inserted0a1b" not in json.dumps(document)


def apply_regions(text: str, replacements: List[dict]) -> str:
    source = SourceText(text)
    edits = [
        Edit(
            source.offset(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"] - 1),
            source.offset(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"] - 1),
            r["insertedContent"]["text"],
        )
        for r in replacements
    ]
    return apply_edit_offsets(text, edits)


def apply_edit_offsets(text: str, edits) -> str:
    for edit in sorted(edits, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def test_sarif_offers_no_fix_without_a_fix_or_regions(tmp_path):
    unfixable = finding("DS003", "info", 3)
    regions_missing = finding("DS001", "error", 5, fix="safe", edits=(Edit(1, 2, "x"),))
    document = sarif.build(make_report(tmp_path, [unfixable, regions_missing]))
    assert all("fixes" not in r for r in document["runs"][0]["results"])
    assert_valid_sarif(document)


def test_sarif_marks_baseline_state_and_keeps_known_results(tmp_path):
    old = sample_findings()[:2]
    report = with_baseline(tmp_path, make_report(tmp_path, sample_findings()), old)
    document = sarif.build(report)
    assert_valid_sarif(document)
    states = [r["baselineState"] for r in document["runs"][0]["results"]]
    assert len(states) == len(report.remaining)
    assert states.count("unchanged") == 2 and states.count("new") == len(states) - 2


def test_sarif_skips_fixed_findings(tmp_path):
    done = fixable_finding()
    done.fixed = True
    document = sarif.build(make_report(tmp_path, [done, finding("DS003", "info", 3)], mode="fix", fixes_applied=1))
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["DS003"]


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    document = sarif.build(make_report(service, [finding("DS001", "error", 2, path="app.py")]))
    run = document["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/api/app.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


# -- GitHub ---------------------------------------------------------------------------------


def test_github_escapes_data_and_properties():
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a,b:c%d\n") == "a%2Cb%3Ac%25d%0A"
    line = github.command("error", "x: 1, y", {"file": "a,b.py", "title": "DS001"})
    assert line == "::error file=a%2Cb.py,title=DS001::x: 1, y"


def test_github_annotations(tmp_path):
    findings = sample_findings()
    findings[0].message = "50% of calls\nfail: here, there"
    lines = rendered("github", make_report(tmp_path, findings, errors=["x.py: cannot read"])).splitlines()
    assert "::error file=src/app.py,line=2,col=9,endLine=2,endColumn=24,title=DS001::50%25 of calls%0Afail: here, there" in lines
    assert "::notice file=src/app.py,line=3,col=3,endLine=3,endColumn=20,title=DS003::DS003 message" in lines
    assert "::warning file=src/app.py,line=4,col=3,endLine=4,endColumn=20,title=DS002::DS002 message" in lines
    assert any(l.startswith("::notice file=notebooks/explore.ipynb,") for l in lines)
    assert any(l.startswith("::error file=lib/a%2Cb%3Ac%25d.py,line=7,") for l in lines)
    assert lines[0] == "::error title=v4-migrate::x.py: cannot read"
    assert lines[-1].startswith("::notice title=v4-migrate total::5 finding(s) (")
    assert "all annotated" in lines[-1]
    assert len(lines) == 7


def test_github_annotates_only_new_call_sites_with_a_baseline(tmp_path):
    old = sample_findings()[:4]
    report = with_baseline(tmp_path, make_report(tmp_path, sample_findings()), old)
    lines = rendered("github", report).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("::error file=lib/a%2Cb%3Ac%25d.py,")
    assert lines[1].startswith("::notice title=v4-migrate total::1 finding(s) (1 error)")
    assert lines[2] == "::notice title=v4-migrate baseline::0 of 4 call sites migrated; 4 remain, 1 new"


def test_github_caps_annotations_per_type_and_says_how_many_there_are(tmp_path):
    findings = [finding("DS001", "error", line) for line in range(1, 31)] + [finding("DS003", "info", line) for line in range(31, 36)]
    lines = rendered("github", make_report(tmp_path, findings)).splitlines()
    assert sum(line.startswith("::error file=") for line in lines) == 10
    assert sum(line.startswith("::notice file=") for line in lines) == 5
    assert lines[-1].startswith("::notice title=v4-migrate total::35 finding(s) (30 errors, 5 notices); 15 annotated: "
                                "GitHub shows 10 per type in a step and 50 in a job. The full list: the job summary")


def test_github_groups_by_owner(tmp_path):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("src/ @core\nlib/ @lib-team\n")
    report = make_report(tmp_path, sample_findings(), group_by_owner=True)
    lines = rendered("github", report).splitlines()
    groups = [line for line in lines if line.startswith("::group::")]
    assert groups[0].startswith("::group::Owner @core: ") and groups[-1].startswith("::group::Owner (no owner): ")
    assert lines.count("::endgroup::") == len(groups)


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_sections(tmp_path):
    findings = sample_findings() + [finding("DS003", "info", 9, path="src/sub/deep.py")]
    text = rendered("markdown", make_report(tmp_path, findings, mode="fix", fixes_applied=4, files_changed=2))
    assert text.startswith("## v4-migrate\n")
    assert "**6 call sites** of retired DeepSeek model ids remain in **4 files** (12 files scanned; fixed 4 call sites in 2 files)." in text
    for title in ("Deadlines", "By rule", "By severity", "Top directories"):
        assert f"\n### {title}\n" in text
    assert "### By owner" not in text and "### Baseline" not in text
    # Days since the cutoff, per retired id present; the URL finding names no retired id.
    assert "| `deepseek-chat` | retired 2026-07-24 15:59 UTC (10 days ago) | retired | `deepseek-v4-flash` | 2 |" in text
    assert "| `deepseek-reasoner` | retired 2026-07-24 15:59 UTC (10 days ago) | retired | `deepseek-v4-flash` | 3 |" in text
    assert "| [DS001](https://github.com/v4-migrate/v4-migrate/blob/main/rules/DS001.toml) | legacy-model-id | 2 | [*] |" in text
    assert "| [DS002](https://github.com/v4-migrate/v4-migrate/blob/main/rules/DS002.toml) | legacy-model-id-review | 1 | [-] |" in text
    assert "| error | 2 |\n| warning | 1 |\n| notice | 1 |\n| info | 2 |" in text
    assert "| `src/` | 3 |" in text and "| `src/sub/` | 1 |" in text and "| `notebooks/` | 1 |" in text
    details = text[text.index("<details>") :]
    assert "<summary>6 call sites</summary>" in details and details.rstrip().endswith("</details>")
    assert "| `src/app.py:2:9` | DS001 | error | `deepseek-chat` | `os.environ.get(\"DEEPSEEK_CHAT_MODEL\", \"deepseek-v4-flash\")` |" in details


def test_markdown_days_left_before_the_cutoff(tmp_path):
    text = markdown.build(make_report(tmp_path, [finding("DS001", "error", 1, legacy="deepseek-chat")], today=BEFORE))
    assert "retires 2026-07-24 15:59 UTC (20 days left) | error |" in text
    assert deadline.days_left(default_catalog().retired["deepseek-chat"].retired_at, BEFORE) == 20


def test_markdown_escapes_table_cells(tmp_path):
    odd = finding("DS003", "info", 1, path="we|ird/`tick`.py", legacy="deepseek-chat")
    text = markdown.build(make_report(tmp_path, [odd], errors=["<script>x</script>.py: bad | worse"]))
    assert "| ``we\\|ird/`tick`.py:1:3`` |" in text
    assert "| `we\\|ird/` | 1 |" in text
    assert "<script>" not in text and "- &lt;script&gt;x&lt;/script&gt;.py: bad \\| worse" in text


def test_markdown_by_owner_with_codeowners(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @acme/platform\n/src/ @acme/app @alice\n/lib/\n", encoding="utf-8")
    text = markdown.build(make_report(tmp_path, sample_findings(), group_by_owner=True))
    section = text[text.index("### By owner") : text.index("<details>")]
    # Owners are code spans: a PR comment must not @-mention whole teams.
    assert "| `@acme/app` | 3 |" in section and "| `@alice` | 3 |" in section
    assert "| `@acme/platform` | 1 |" in section and "| (no owner) | 1 |" in section


def test_markdown_by_owner_without_codeowners(tmp_path):
    text = markdown.build(make_report(tmp_path, sample_findings(), group_by_owner=True))
    assert "### By owner\n\nNo CODEOWNERS file" in text


def test_markdown_baseline_progress_and_new_marks(tmp_path):
    old = sample_findings()
    report = with_baseline(tmp_path, make_report(tmp_path, old[1:] + [finding("DS001", "error", 9, path="new.py")]), old)
    text = markdown.build(report)
    assert "### Baseline\n\n1 of 5 call sites migrated; 4 remain, 1 new." in text
    assert "| `new.py:9:3` | DS001 | error | `deepseek-reasoner` | `deepseek-v4-flash` | **new** |" in text
    assert text.count("| known |") == 4


def test_markdown_clean_run(tmp_path):
    text = markdown.build(make_report(tmp_path, [], files_scanned=3))
    assert text == "## v4-migrate\n\nNo call sites of retired DeepSeek model ids remain (3 files scanned).\n"


def test_markdown_caps_the_call_site_list(tmp_path):
    many = [finding("DS003", "info", n, snippet=f"# {n} deepseek-reasoner") for n in range(1, markdown.MAX_LISTED + 8)]
    text = markdown.build(make_report(tmp_path, many))
    assert text.count("| DS003 | info |") == markdown.MAX_LISTED
    assert "… and 7 more." in text


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_parses_and_fails_at_warning_and_above(tmp_path):
    findings = sample_findings()
    findings[1].snippet = "# form\x0cfeed \x00 and <tags> & \"quotes\""
    root = ET.fromstring(rendered("junit", make_report(tmp_path, findings)))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("5", "3", "0", "0")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["DS001 src/app.py:2:9"].find("failure").get("type") == "DS001"
    assert cases["DS002 src/app.py:4:3"].find("failure") is not None
    info = cases["DS003 src/app.py:3:3"]
    assert info.find("failure") is None
    assert "form\\x0cfeed \\x00 and <tags> & \"quotes\"" in info.find("system-out").text  # escaped, as everywhere
    assert cases["DS001 notebooks/explore.ipynb:1:3"].find("failure") is None  # notice passes
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["src/app.py"].get("tests") == "3" and suites["src/app.py"].get("failures") == "2"


def test_junit_known_sites_are_skipped_and_errors_are_errors(tmp_path):
    report = with_baseline(tmp_path, make_report(tmp_path, sample_findings(), errors=["x.py: cannot read"]), sample_findings()[:3])
    root = ET.fromstring(rendered("junit", report))
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "1", "1", "3")


def test_junit_clean_run_is_one_passing_case(tmp_path):
    root = ET.fromstring(rendered("junit", make_report(tmp_path, [])))
    assert [c.get("name") for c in root.iter("testcase")] == ["no retired model ids"]
    assert root.get("failures") == "0"


# -- GitLab ---------------------------------------------------------------------------------


def test_gitlab_code_quality_shape(tmp_path):
    report = make_report(tmp_path, sample_findings())
    issues = json.loads(rendered("gitlab", report))
    assert isinstance(issues, list) and len(issues) == 5
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert set(issue["location"]) == {"path", "lines"} and isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == 5
    by_rule = {(i["check_name"], i["location"]["path"]): i for i in issues}
    # A retired id after the cutoff is a blocker; an error that names no retired id is critical.
    assert by_rule[("DS001", "src/app.py")]["severity"] == "blocker"
    assert by_rule[("DS101", "lib/a,b:c%d.py")]["severity"] == "critical"
    assert by_rule[("DS002", "src/app.py")]["severity"] == "major"
    assert by_rule[("DS001", "notebooks/explore.ipynb")]["severity"] == "minor"
    assert by_rule[("DS003", "src/app.py")]["severity"] == "info"
    assert by_rule[("DS001", "src/app.py")]["description"].startswith("DS001 legacy-model-id: Retired DeepSeek model id")
    assert [i["fingerprint"] for i in issues] == baseline.fingerprints(report.remaining)


def test_gitlab_error_before_the_cutoff_is_critical(tmp_path):
    (issue,) = json.loads(rendered("gitlab", make_report(tmp_path, [fixable_finding()], today=BEFORE)))
    assert issue["severity"] == "critical"


# -- --statistics ---------------------------------------------------------------------------


def test_statistics_like_ruff(tmp_path):
    findings = sample_findings() + [finding("DS003", "info", n, snippet=f"# {n} deepseek-reasoner") for n in range(10, 20)]
    text = rendered("statistics", make_report(tmp_path, findings))
    assert text.splitlines() == [
        "11\tDS003\t[ ] legacy-model-id-mention",
        " 2\tDS001\t[*] legacy-model-id",
        " 1\tDS002\t[-] legacy-model-id-review",
        " 1\tDS101\t[ ] expired-base-url",
    ]


def test_statistics_color_and_no_marker_column_without_fixes(tmp_path):
    colored = rendered("statistics", make_report(tmp_path, [fixable_finding()]), color=True)
    assert colored == "\x1b[1m1\x1b[0m\t\x1b[1;31mDS001\x1b[0m\t[\x1b[36m*\x1b[0m] legacy-model-id\n"
    plain = rendered("statistics", make_report(tmp_path, [finding("DS003", "info", 1)]))
    assert plain == "1\tDS003\tlegacy-model-id-mention\n"
    assert rendered("statistics", make_report(tmp_path, [])) == ""


# -- the real CLI, end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(SOURCE, encoding="utf-8")
    (root / "config.yaml").write_text("llm:\n  model: deepseek-reasoner\n", encoding="utf-8")
    (root / "CODEOWNERS").write_text("* @acme/ml\n", encoding="utf-8")
    git(root, "init", "-q")
    return root


@pytest.mark.parametrize("fmt", ["sarif", "github", "markdown", "junit", "gitlab"])
def test_cli_writes_each_format(project, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = run_cli(["--format", fmt, "--output", str(out), "--group-by-owner", "."], cwd=project)
    assert result.returncode == 1, result.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        document = json.loads(text)
        assert_valid_sarif(document)
        results = document["runs"][0]["results"]
        assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"src/app.py", "config.yaml"}
        assert any("fixes" in r for r in results)
        assert all(r["properties"]["owners"] == ["@acme/ml"] for r in results)
    elif fmt == "github":
        assert any(line.startswith("::error file=src/app.py,line=2,col=9,") for line in text.splitlines())
    elif fmt == "markdown":
        assert "### By owner" in text and "| `@acme/ml` |" in text
    elif fmt == "junit":
        assert int(ET.fromstring(text).get("failures")) >= 2
    else:
        assert {i["location"]["path"] for i in json.loads(text)} == {"src/app.py", "config.yaml"}


def test_cli_statistics(project):
    result = run_cli(["--statistics", "."], cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.split("\t")[1].startswith("DS") for line in lines)
    assert any("\tDS001\t[*] legacy-model-id" in line for line in lines)


def test_reporters_do_not_import_libcst():
    code = (
        "import sys\n"
        "import codemod.reporters.sarif, codemod.reporters.github, codemod.reporters.markdown\n"
        "import codemod.reporters.junit, codemod.reporters.gitlab, codemod.reporters.statistics\n"
        "print('libcst' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_concise_is_one_clickable_line_per_finding_and_the_summary(tmp_path):
    report = make_report(tmp_path, sample_findings())
    lines = rendered("concise", report).splitlines()
    assert len(lines) == len(report.remaining) + 1 and lines[-1].startswith("Found ")
    for line, finding in zip(lines, report.remaining):
        assert line.startswith(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} "), line
        assert "\n" not in line and finding.message in line


def test_concise_through_the_cli_names_each_site(tmp_path):
    from helpers import run_cli

    (tmp_path / "app.py").write_text('MODEL = "deepseek-chat"\n')
    proc = run_cli(["--format", "concise", "."], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("app.py:1:9: DS001 [*] Retired model id `deepseek-chat`"), proc.stdout


def test_sarif_caps_results_at_githubs_limit_and_says_so(tmp_path):
    findings = [finding("DS001", "error", line) for line in range(1, 25_011)]
    report = make_report(tmp_path, findings)
    document = json.loads(rendered("sarif", report))
    run = document["runs"][0]
    assert len(run["results"]) == 25_000
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and "25010 results, the first 25000 listed" in note["message"]["text"]
    assert any("25010 results" in warning for warning in report.warnings)  # the CLI prints these on stderr


def test_sarif_has_a_category_and_rule_levels(tmp_path):
    document = json.loads(rendered("sarif", make_report(tmp_path, sample_findings())))
    assert_valid_sarif(document)
    run = document["runs"][0]
    assert run["automationDetails"] == {"id": "v4-migrate/"}
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["DS001"]["defaultConfiguration"]["level"] == "error"
    assert rules["DS001"]["properties"]["problem.severity"] == "error"
    assert rules["DS003"]["defaultConfiguration"]["level"] == "note"
    assert rules["DS003"]["properties"]["problem.severity"] == "recommendation"


def test_json_and_sarif_paths_are_relative_to_the_repository_root_wherever_the_run_starts(tmp_path):
    from helpers import git, run_cli

    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "app.py").write_text('MODEL = "deepseek-chat"\n')
    git(repo, "init", "-q")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, target in ((elsewhere, str(repo)), (repo / "src", ".")):
        report = json.loads(run_cli(["--format", "json", target], cwd).stdout)
        assert [f["path"] for f in report["findings"]] == ["src/app.py"], (cwd, report["findings"])
        sarif = json.loads(run_cli(["--format", "sarif", target], cwd).stdout)
        run = sarif["runs"][0]
        assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/app.py"
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_text_groups_by_owner(tmp_path):
    from helpers import run_cli

    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("core/ @core-team\n")
    for folder in ("core", "misc"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "app.py").write_text('MODEL = "deepseek-chat"\n')
    proc = run_cli(["--group-by-owner", "."], tmp_path)
    text = proc.stdout
    assert text.index("Owner @core-team: 1 finding(s)") < text.index("core/app.py") < text.index("Owner (no owner): 1 finding(s)") < text.index("misc/app.py"), text
