"""JUnit XML for CI test-report views (GitLab ``artifacts:reports:junit``, Jenkins, Azure).

One ``<testsuite>`` per file and one ``<testcase>`` per remaining call site. A call site at
or above ``warning`` (the default ``--fail-on``) is a ``<failure>``; notice and info ones
pass, with the message in ``<system-out>``. With ``--baseline``, known call sites are
``<skipped>``. A clean run is one passing test case, so the report is never empty; a run
with errors has an error case for each instead, never a passing one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TYPE_CHECKING, List, TextIO

from codemod.ftypes import Finding
from codemod.redact import printable
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report

# Characters XML 1.0 cannot hold, escaped or not (ElementTree writes them through).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """One line for an attribute or a line of a body: control characters escaped (``\\n``), as in
    every format, so a file name cannot add a line; what else XML 1.0 cannot hold replaced."""
    return _NOT_XML.sub("\ufffd", printable(text))


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    root = build(report)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def build(report: "Report") -> ET.Element:
    suites = ET.Element("testsuites", name=_shared.TOOL_NAME)
    findings = report.remaining
    if not findings and not report.errors:  # a passing case only for a run that saw everything
        suite = _suite(suites, _shared.TOOL_NAME)
        ET.SubElement(suite, "testcase", name="no retired model ids", classname=_shared.TOOL_NAME)
    for path, group in groupby(findings, key=lambda f: f.path):
        suite = _suite(suites, path)
        for finding in group:
            _testcase(report, suite, finding)
    if report.errors:
        _errors(_suite(suites, f"{_shared.TOOL_NAME} errors"), report.errors)
    _count(suites)
    return suites


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, "testsuite", name=xml_text(name))


def _testcase(report: "Report", suite: ET.Element, finding: Finding) -> None:
    where = f"{xml_text(finding.path)}:{finding.line}:{finding.column}"
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{finding.rule} {where}",
        classname=xml_text(finding.path),
        file=xml_text(finding.path),
        line=str(finding.line),
    )
    message = xml_text(finding.message)
    detail = f"{where}: {finding.rule} [{finding.severity}] {message}\n{xml_text(finding.snippet)}"
    if _shared.is_known(report, finding):
        ET.SubElement(case, "skipped", message="known in the baseline")
    elif _shared.at_least(finding.severity, _shared.JUNIT_FAILURE_SEVERITY):
        failure = ET.SubElement(case, "failure", message=message, type=finding.rule)
        failure.text = detail
    else:
        ET.SubElement(case, "system-out").text = detail


def _errors(suite: ET.Element, errors: List[str]) -> None:
    """Files that could not be read or scanned: JUnit errors, not failures."""
    for number, error in enumerate(errors, 1):
        case = ET.SubElement(suite, "testcase", name=f"error {number}", classname=_shared.TOOL_NAME)
        ET.SubElement(case, "error", message=xml_text(error))


def _count(suites: ET.Element) -> None:
    """Set tests/failures/errors/skipped on every suite and their sums on the root."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.iter("testsuite"):
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
