"""``v4-migrate server``: a language server over stdio (``pip install 'deepseek-v4-migrate[lsp]'``).

Nothing here is imported by the command line until its first argument is ``server``, so the
core install and the pre-commit path never load pygls."""

from __future__ import annotations

import os
import sys
from typing import Sequence

USAGE = """Usage: v4-migrate server

  Run the v4-migrate language server over stdio, for an editor's LSP client: diagnostics as
  you type, quick fixes, "fix all" and suppression comments. It needs the lsp extra:
  pip install 'deepseek-v4-migrate[lsp]'. (To check a folder named `server`: v4-migrate ./server)
"""
EXTRA_MISSING = ("v4-migrate: error: the language server needs pygls and lsprotocol; "
                 "install them with: pip install 'deepseek-v4-migrate[lsp]'")


def main(args: Sequence[str]) -> int:
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    if args:
        sys.stderr.write(f"v4-migrate: error: `server` takes no arguments (got {' '.join(args)!s})\n{USAGE}")
        return 2
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        sys.stderr.write(EXTRA_MISSING + "\n")
        return 2
    if os.path.exists("server"):  # stdout is the protocol's: a note for the editor's log
        sys.stderr.write("v4-migrate: `v4-migrate server` runs the language server; to check the path `server`, "
                         "write `v4-migrate ./server`\n")
    from codemod.lsp.server import serve

    return serve()
