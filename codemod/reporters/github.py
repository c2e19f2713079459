"""GitHub Actions workflow commands: one annotation per remaining call site.

``::error file=src/app.py,line=3,col=9,endLine=3,endColumn=24,title=DS001::message``; the
command is error, warning or notice (info findings become notices). Data is escaped as
``@actions/core`` does: ``%``, CR and LF in the message, plus ``:`` and ``,`` in properties;
other control characters are escaped as in every format (``\\x1b``). File names come escaped
already (``\\n``, see ``codemod.discovery``), so none can end a command and start another.
With ``--baseline``, only new call sites are annotated (known ones are accepted debt) and a
final notice reports the progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, TextIO

from codemod.ftypes import Finding
from codemod.redact import printable
from codemod.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from codemod.reporters import Report


def escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)  # the other control characters (an escape sequence) as \x1b


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, properties: Dict[str, object]) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(report: "Report", finding: Finding) -> str:
    properties = {
        "file": _shared.repo_path(report, finding),
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": finding.rule,
    }
    return command(_shared.GITHUB_LEVEL[finding.severity], finding.message, properties)


def render(report: "Report", out: TextIO, color: bool = False) -> None:
    for finding in report.remaining:
        if not _shared.is_known(report, finding):
            out.write(annotation(report, finding) + "\n")
    for error in report.errors:
        out.write(command("error", error, {"title": _shared.TOOL_NAME}) + "\n")
    if report.baseline is not None:
        out.write(command("notice", report.baseline.progress_line(), {"title": f"{_shared.TOOL_NAME} baseline"}) + "\n")
