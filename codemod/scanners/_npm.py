"""The npm packages a JavaScript/TypeScript file's project declares: the version range of a
dependency in the nearest `package.json` above the file that lists it (a workspace's own, else
the monorepo root's). Read once per folder; nothing is installed or fetched."""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Dict, Optional, Tuple

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


@lru_cache(maxsize=256)
def _declared_in(folder: str) -> Optional[Dict[str, str]]:
    """The dependencies of ``folder/package.json``, or None when there is none (or it does not parse)."""
    try:
        with open(os.path.join(folder, "package.json"), "rb") as fh:
            data = json.loads(fh.read(1024 * 1024))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    found: Dict[str, str] = {}
    for section in _SECTIONS:
        entries = data.get(section)
        if isinstance(entries, dict):
            found.update({str(k): str(v) for k, v in entries.items() if isinstance(v, str)})
    return found


def declared_range(file_path: str, package: str) -> Optional[str]:
    """The range the nearest `package.json` above ``file_path`` that lists ``package`` gives it."""
    folder = os.path.dirname(os.path.abspath(file_path))
    while True:
        declared = _declared_in(folder)
        if declared is not None and package in declared:
            return declared[package]
        if os.path.isdir(os.path.join(folder, ".git")):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def floor_of(version_range: str) -> Optional[Tuple[int, int, int]]:
    """The lowest version a range such as `^0.2.13`, `~1.0.5`, `>=1.0.31 <2` or `1.0.40` allows;
    None for one without a version (`*`, `latest`, `workspace:*`, a git URL)."""
    match = _VERSION.search(version_range)
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


def parse_version(text: str) -> Tuple[int, int, int]:
    match = _VERSION.search(text)
    if match is None:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(part) for part in match.groups())  # type: ignore[return-value]
