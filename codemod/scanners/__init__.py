"""One scanner module per file format.

Each module defines:

* ``scan(source: SourceText, ctx: ScanContext) -> list[Finding]``: every finding in the file,
  each carrying the text edits of its fix (offsets into ``source.text``). Raises
  ``ScanError`` when the file does not parse; the engine then falls back to the text scanner,
  which reports ids by line and offers no fix.
* ``verify(text: str) -> None``: raises ``ScanError`` if an edited text no longer parses.

Modules are imported only when a file of their format passes the byte prefilter, so a run
over clean files never imports LibCST or PyYAML.
"""

from __future__ import annotations

import fnmatch
import importlib
import sys
from pathlib import PurePath
from types import ModuleType
from typing import Optional

from codemod._bytecode_cache import dataclass_methods_cached

# (module, file-name patterns), first match wins.
FORMATS = (
    ("python", ("*.py", "*.pyi")),
    ("javascript", ("*.js", "*.mjs", "*.cjs", "*.jsx", "*.ts", "*.mts", "*.cts", "*.tsx", "*.vue", "*.svelte")),
    ("notebook", ("*.ipynb",)),
    ("yaml", ("*.yaml", "*.yml")),
    ("dotenv", (".env", ".env.*", "*.env")),
    ("json", ("*.json", "OAI_CONFIG_LIST")),
    ("shell", ("*.sh", "*.bash", "Makefile", "makefile", "GNUmakefile", "*.mk")),
    # Reported, never fixed (other.PATTERNS gives each its comment and string syntax).
    ("other", ("Dockerfile", "Dockerfile.*", "*.dockerfile", "*.Dockerfile", "Containerfile", "Containerfile.*",
               "*.toml", "*.ini", "*.cfg", "*.properties", "*.conf", "*.tf", "*.tfvars",
               "*.go", "*.rs", "*.java", "*.kt", "*.kts", "*.swift", "*.dart", "*.cs")),
    ("markdown", ("*.md", "*.mdx", "*.rst", "*.txt")),
)


def format_for(path: PurePath) -> Optional[str]:
    name = path.name
    for fmt, patterns in FORMATS:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return fmt
    return None


def load(fmt: str) -> Optional[ModuleType]:
    """The scanner module for a format, or None if that format has no scanner yet."""
    name = f"codemod.scanners.{fmt}"
    if name in sys.modules:
        return sys.modules[name]
    try:
        with dataclass_methods_cached(name):  # LibCST's import is then a third faster
            return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == f"codemod.scanners.{fmt}":
            return None
        raise
