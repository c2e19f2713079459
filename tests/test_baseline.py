"""The --baseline ratchet: fingerprints that survive unrelated edits, new vs known, shrinking."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod import __version__, baseline
from codemod.ftypes import Finding
from helpers import run_cli


def call_site(line: int, snippet: str = 'MODEL = "deepseek-chat"', path: str = "src/app.py", rule: str = "DS001", **kw) -> Finding:
    legacy = kw.pop("legacy", "deepseek-chat")
    column = max(1, snippet.find(legacy) + 1)
    return Finding(
        rule=rule,
        severity=kw.pop("severity", "error"),
        message="Retired DeepSeek model id",
        line=line,
        column=column,
        end_line=line,
        end_column=column + len(legacy),
        path=path,
        legacy=legacy,
        replacement="deepseek-v4-flash",
        snippet=snippet,
        **kw,
    )


def shifted(findings: List[Finding], lines: int) -> List[Finding]:
    """The same call sites after ``lines`` lines were inserted above them."""
    return [replace(f, line=f.line + lines, end_line=f.end_line + lines) for f in findings]


# -- fingerprints ---------------------------------------------------------------------------


def test_fingerprint_ignores_line_numbers():
    before = [call_site(3), call_site(9, 'llm = Agent("deepseek-reasoner")', legacy="deepseek-reasoner")]
    assert baseline.fingerprints(before) == baseline.fingerprints(shifted(before, 40))


def test_fingerprint_ignores_indentation_and_inner_whitespace():
    flat = call_site(1, 'MODEL = "deepseek-chat"')
    indented = call_site(7, 'MODEL  =\t"deepseek-chat"')
    assert baseline.fingerprint(flat) == baseline.fingerprint(indented)


@pytest.mark.parametrize(
    "changed",
    [
        {"rule": "DS002"},
        {"path": "src/other.py"},
        {"snippet": 'OTHER = "deepseek-chat"'},
        {"legacy": "deepseek-reasoner", "snippet": 'MODEL = "deepseek-reasoner"'},
    ],
)
def test_fingerprint_depends_on_rule_path_code_and_id(changed):
    assert baseline.fingerprint(call_site(3)) != baseline.fingerprint(call_site(3, **changed))


def test_identical_lines_get_distinct_fingerprints_by_occurrence():
    twins = [call_site(2), call_site(5)]
    first, second = baseline.fingerprints(twins)
    assert first != second
    assert (first, second) == (baseline.fingerprint(twins[0], 0), baseline.fingerprint(twins[1], 1))


def test_fingerprint_is_shortened_sha256_hex():
    value = baseline.fingerprint(call_site(1))
    assert len(value) == baseline.FINGERPRINT_LENGTH
    int(value, 16)


# -- the file -------------------------------------------------------------------------------


def test_write_is_sorted_stable_and_holds_no_source(tmp_path):
    findings = [
        call_site(4, path="z.py"),
        call_site(2, path="a.py", snippet='MODEL = "deepseek-chat"  # key=sk-REDACTED'),
        call_site(3, path="a.py", rule="DS003", snippet="# deepseek-chat", severity="info"),
    ]
    target = tmp_path / "baseline.json"
    assert baseline.write(target, findings) == 3
    text = target.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == baseline.FORMAT_VERSION
    assert data["tool"] == "v4-migrate" and data["tool_version"] == __version__
    assert [(e["path"], e["rule"]) for e in data["findings"]] == [("a.py", "DS001"), ("a.py", "DS003"), ("z.py", "DS001")]
    assert all(sorted(e) == ["fingerprint", "path", "rule"] for e in data["findings"])
    # No snippets, and no retired id: the baseline must not trip v4-migrate's own hook.
    assert "REDACTED" not in text and "deepseek-chat" not in text
    baseline.write(target, list(reversed(findings)))
    assert target.read_text(encoding="utf-8") == text


def test_write_skips_fixed_findings(tmp_path):
    target = tmp_path / "b.json"
    assert baseline.write(target, [call_site(1), replace(call_site(2, "X = 'deepseek-chat'"), fixed=True)]) == 1
    assert len(baseline.load(target)) == 1


def test_load_round_trips(tmp_path):
    findings = [call_site(1), call_site(2)]
    target = tmp_path / "b.json"
    baseline.write(target, findings)
    loaded = baseline.load(target)
    assert sorted(e.fingerprint for e in loaded.entries) == sorted(baseline.fingerprints(findings))
    assert loaded.tool_version == __version__


@pytest.mark.parametrize(
    "content, complaint",
    [
        (None, "no such baseline"),
        ("{not json", "not a JSON baseline"),
        ('{"tool": "detect-secrets", "findings": []}', "not a v4-migrate baseline"),
        ('{"tool": "v4-migrate", "version": 99, "findings": []}', "version 99"),
        ('{"tool": "v4-migrate", "version": 1, "findings": [{"rule": "DS001"}]}', "malformed baseline entry"),
    ],
)
def test_load_rejects_what_is_not_a_baseline(tmp_path, content, complaint):
    target = tmp_path / "b.json"
    if content is not None:
        target.write_text(content, encoding="utf-8")
    with pytest.raises(baseline.BaselineError, match=complaint) as caught:
        baseline.load(target)
    assert str(target) in str(caught.value)


# -- comparing ------------------------------------------------------------------------------


def recorded(tmp_path: Path, findings: List[Finding]) -> baseline.Baseline:
    target = tmp_path / "baseline.json"
    baseline.write(target, findings)
    return baseline.load(target)


def test_lines_inserted_above_keep_every_call_site_known(tmp_path):
    old = [call_site(3), call_site(8, "# deepseek-chat", rule="DS003", severity="info")]
    outcome = baseline.compare(shifted(old, 12), recorded(tmp_path, old))
    assert outcome.new == [] and len(outcome.known) == 2 and outcome.gone_count == 0
    assert not outcome.shrank


def test_new_call_site_is_new_and_known_ones_are_known(tmp_path):
    old = [call_site(3)]
    added = call_site(10, 'FALLBACK = "deepseek-reasoner"', legacy="deepseek-reasoner")
    current = shifted(old, 1) + [added]
    outcome = baseline.compare(current, recorded(tmp_path, old))
    assert outcome.new == [added]
    assert outcome.known == [current[0]]
    assert outcome.is_new(added) and not outcome.is_new(current[0])


def test_a_second_copy_of_a_known_line_is_new(tmp_path):
    old = [call_site(3)]
    copy = call_site(20)
    outcome = baseline.compare([call_site(3), copy], recorded(tmp_path, old))
    assert outcome.new == [copy] and len(outcome.known) == 1


def test_fixed_findings_count_as_migrated(tmp_path):
    old = [call_site(3), call_site(4, "Y = 'deepseek-chat'")]
    now = [replace(old[0], fixed=True), old[1]]
    outcome = baseline.compare(now, recorded(tmp_path, old))
    assert outcome.gone_count == 1 and outcome.known == [old[1]] and outcome.new == []


def test_progress_line_counts_migrated_call_sites(tmp_path):
    old = [call_site(n, f"M{n} = 'deepseek-chat'") for n in range(1, 41)]
    outcome = baseline.compare(old[12:], recorded(tmp_path, old))
    assert outcome.progress_line() == "12 of 40 call sites migrated; 28 remain"
    outcome = baseline.compare(old[12:] + [call_site(99, "NEW = 'deepseek-chat'")], recorded(tmp_path, old))
    assert outcome.progress_line() == "12 of 40 call sites migrated; 28 remain, 1 new"
    assert outcome.to_dict() == {"baseline_total": 40, "gone": 12, "known": 28, "new": 1, "progress": outcome.progress_line()}


def test_shrunk_baseline_is_rewritten_with_only_the_remaining_sites(tmp_path):
    old = [call_site(1), call_site(2, "B = 'deepseek-chat'"), call_site(3, "C = 'deepseek-chat'")]
    target = tmp_path / "baseline.json"
    baseline.write(target, old)
    outcome = baseline.compare(shifted(old[1:], 5), baseline.load(target))
    assert outcome.shrank
    assert baseline.rewrite_if_shrunk(target, outcome) is True
    assert baseline.EXIT_BASELINE_SHRANK == 3
    rewritten = baseline.load(target)
    assert len(rewritten) == 2
    again = baseline.compare(old[1:], rewritten)
    assert again.new == [] and again.gone_count == 0 and not again.shrank


def test_baseline_never_grows_or_shrinks_while_there_are_new_call_sites(tmp_path):
    old = [call_site(1), call_site(2, "B = 'deepseek-chat'")]
    target = tmp_path / "baseline.json"
    baseline.write(target, old)
    before = target.read_bytes()
    # One site migrated, one new: not a pure shrink, so nothing is rewritten.
    outcome = baseline.compare([old[0], call_site(9, "NEW = 'deepseek-chat'")], baseline.load(target))
    assert outcome.gone_count == 1 and len(outcome.new) == 1
    assert baseline.rewrite_if_shrunk(target, outcome) is False
    assert target.read_bytes() == before


def test_unchanged_baseline_is_not_rewritten(tmp_path):
    old = [call_site(1)]
    target = tmp_path / "baseline.json"
    baseline.write(target, old)
    outcome = baseline.compare(old, baseline.load(target))
    assert baseline.rewrite_if_shrunk(target, outcome) is False


snippets = st.sampled_from(['M = "deepseek-chat"', 'R = "deepseek-reasoner"', "# deepseek-chat", 'x == "deepseek-chat"'])


@settings(max_examples=60, deadline=None)
@given(sites=st.lists(st.tuples(snippets, st.sampled_from(["a.py", "b/c.py"])), min_size=1, max_size=12), pad=st.integers(0, 500))
def test_any_shift_keeps_all_known(tmp_path_factory, sites, pad):
    old = [call_site(n + 1, snippet, path=path) for n, (snippet, path) in enumerate(sites)]
    old.sort(key=lambda f: (f.path, f.line))
    base = recorded(tmp_path_factory.mktemp("b"), old)
    outcome = baseline.compare(shifted(old, pad), base)
    assert outcome.new == [] and outcome.gone_count == 0


# -- scope: runs that check only some files -------------------------------------------------


def test_scope_of_normalizes_paths_like_findings(tmp_path):
    assert baseline.scope_of([], tmp_path) == (".",)
    assert baseline.scope_of([".", "./src/", str(tmp_path / "lib" / "a.py")], tmp_path) == (".", "src", "lib/a.py")
    assert baseline.in_scope("src/app.py", ("src",)) and not baseline.in_scope("srcs/app.py", ("src",))


def test_entries_outside_the_scope_are_neither_gone_nor_dropped(tmp_path):
    old = [call_site(1, path="a.py"), call_site(1, path="b.py"), call_site(1, path="c/d.py")]
    target = tmp_path / "baseline.json"
    baseline.write(target, old)
    # A pre-commit run over the staged a.py only, where the call site was migrated.
    outcome = baseline.compare([], baseline.load(target), scope=("a.py",))
    assert outcome.gone_count == 1 and outcome.remaining_count == 2
    assert [e.path for e in outcome.out_of_scope] == ["b.py", "c/d.py"]
    assert outcome.progress_line() == "1 of 3 call sites migrated; 2 remain"
    assert baseline.rewrite_if_shrunk(target, outcome)
    assert sorted(e.path for e in baseline.load(target).entries) == ["b.py", "c/d.py"]


# -- through the CLI ------------------------------------------------------------------------


def test_cli_baseline_ratchet(tmp_path):
    (tmp_path / "a.py").write_text('MODEL = "deepseek-chat"\n', encoding="utf-8")
    (tmp_path / "b.py").write_text('OTHER = "deepseek-reasoner"\n', encoding="utf-8")
    assert run_cli(["--baseline", "base.json", "."], cwd=tmp_path).returncode == 2  # no baseline yet
    assert run_cli(["--write-baseline", "base.json", "."], cwd=tmp_path).returncode == 0  # recording is not a failure
    recorded_text = (tmp_path / "base.json").read_text(encoding="utf-8")
    assert "deepseek-" not in recorded_text
    assert run_cli(["--baseline", "base.json", "."], cwd=tmp_path).returncode == 0

    # Lines inserted above a known call site: still known.
    (tmp_path / "a.py").write_text('"""Doc."""\nimport sys\n\nMODEL = "deepseek-chat"\n', encoding="utf-8")
    assert run_cli(["--baseline", "base.json", "."], cwd=tmp_path).returncode == 0

    # A new call site fails, and the baseline does not grow.
    (tmp_path / "c.py").write_text('NEW = "deepseek-chat"\n', encoding="utf-8")
    added = run_cli(["--baseline", "base.json", "."], cwd=tmp_path)
    assert added.returncode == 1 and "c.py" in added.stdout
    assert (tmp_path / "base.json").read_text(encoding="utf-8") == recorded_text
    (tmp_path / "c.py").unlink()

    # b.py migrated; a run over a.py alone (as pre-commit does) must not drop b.py's entry.
    (tmp_path / "b.py").write_text("OTHER = 'deepseek-v4-flash'\n", encoding="utf-8")
    assert run_cli(["--baseline", "base.json", "a.py"], cwd=tmp_path).returncode == 0
    assert (tmp_path / "base.json").read_text(encoding="utf-8") == recorded_text

    # A full run sees the shrink: the baseline is rewritten and the exit code says so.
    shrunk = run_cli(["--baseline", "base.json", "."], cwd=tmp_path)
    assert shrunk.returncode == baseline.EXIT_BASELINE_SHRANK, shrunk.stdout + shrunk.stderr
    assert "1 of 2 call sites migrated" in shrunk.stdout
    assert [e.path for e in baseline.load(tmp_path / "base.json").entries] == ["a.py"]
    assert run_cli(["--baseline", "base.json", "."], cwd=tmp_path).returncode == 0


def test_write_baseline_says_what_it_wrote_and_a_baselined_run_passes_without_counting_known_sites(tmp_path):
    (tmp_path / "app.py").write_text('A = "deepseek-chat"\nB = "deepseek-reasoner"\n')
    wrote = run_cli(["--write-baseline", "v4-baseline.json", "."], tmp_path)
    assert wrote.returncode == 0
    assert "wrote the baseline v4-baseline.json: 2 finding(s) recorded" in wrote.stderr, wrote.stderr
    checked = run_cli(["--baseline", "v4-baseline.json", "."], tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "Found" not in checked.stdout and checked.stdout.startswith("All checks passed"), checked.stdout
    assert "0 of 2 call sites migrated; 2 remain" in checked.stdout
    (tmp_path / "app.py").write_text('A = "deepseek-chat"\nB = "deepseek-reasoner"\nC = "deepseek-chat"\n')
    grown = run_cli(["--baseline", "v4-baseline.json", "."], tmp_path)
    assert grown.returncode == 1 and "Found 1 new finding(s)" in grown.stdout, grown.stdout


def test_the_baseline_file_is_never_scanned(tmp_path):
    """A call site in a file whose name holds an id (`examples/deepseek-chat.py`) puts that id in
    the baseline's paths; the baseline must not then report itself."""
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "deepseek-chat.py").write_text('MODEL = "deepseek-chat"\n')
    assert run_cli(["--write-baseline", "baseline.json", "."], tmp_path).returncode == 0
    assert "deepseek-chat.py" in (tmp_path / "baseline.json").read_text()
    proc = run_cli(["--baseline", "baseline.json", "--format", "json", "."], tmp_path)
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    assert {f["path"] for f in report["findings"]} == {"examples/deepseek-chat.py"}
    assert report["summary"]["files_scanned"] == 1  # the baseline is not among the files checked
