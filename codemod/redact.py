"""Keep secrets out of every report: snippets are masked before any reporter sees them."""

from __future__ import annotations

import re

# Values that look like credentials, and assignments to secret-named keys, in a snippet line.
SECRET_TOKEN = re.compile(r"\b(?:sk|pk|rk|ghp|gho|github_pat|xox[abp]|AKIA)[-_][A-Za-z0-9_\-]{6,}")
SECRET_KEY = re.compile(r"(?i)key|token|secret|passw(?:or)?d|pwd|credential|auth")
SECRET_ASSIGNMENT = re.compile(
    r"(?i)(?P<key>[\w.-]*(?:key|token|secret|passw(?:or)?d|pwd|credential|auth)[\w.-]*)"
    r"(?P<sep>[\"']?\s*[:=]\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s,}#)]+)"
)


def redact_line(line: str) -> str:
    """A snippet line with credential-looking values masked."""
    line = SECRET_ASSIGNMENT.sub(lambda m: f"{m.group('key')}{m.group('sep')}<redacted>", line)
    return SECRET_TOKEN.sub("<redacted>", line)
