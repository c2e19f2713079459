"""``v4-migrate server``: the language server (pygls), over stdio.

Diagnostics on open, change (debounced), save and close; a quick fix per finding, the file's
safe fixes as ``source.fixAll.v4-migrate`` and a suppression comment, as code actions. All the
pipeline's work runs on one worker thread, so the event loop keeps reading messages while a
file is scanned; a result for a version the editor has moved past is dropped."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Set, Tuple
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from codemod import __version__
from codemod.ftypes import SAFE, UNSAFE, Edit, Finding
from codemod.lsp.checker import Checked, Checker
from codemod.lsp.positions import Positions
from codemod.ruledocs import DOCS_URL

NAME = "v4-migrate"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
DEBUG_COMMAND = f"{NAME}.debugInformation"
DEBOUNCE_SECONDS = 0.2  # after the last keystroke; initializationOptions {"debounceMs": N} changes it
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "notice": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Hint,
}
# a buffer that is not a file yet: its language's file name, in the first workspace folder
UNTITLED_NAMES = {
    "python": "untitled.py", "javascript": "untitled.js", "javascriptreact": "untitled.jsx", "typescript": "untitled.ts",
    "typescriptreact": "untitled.tsx", "vue": "untitled.vue", "svelte": "untitled.svelte", "yaml": "untitled.yaml",
    "json": "untitled.json", "jsonc": "untitled.json", "dotenv": ".env", "shellscript": "untitled.sh", "toml": "untitled.toml",
    "dockerfile": "Dockerfile", "markdown": "untitled.md", "makefile": "Makefile",
}


class V4MigrateServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: the client sends the whole text, so the buffer is never rebuilt from
        # ranges (whose line breaks pygls counts as str.splitlines does, not as LSP does).
        super().__init__(NAME, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.checker = Checker()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="v4-migrate-check")
        self.debounce = DEBOUNCE_SECONDS
        self.pending: Dict[str, asyncio.TimerHandle] = {}
        self.shown: Set[str] = set()  # the messages shown since the config was last read
        self.shutdown_requested = False
        self.opened: Set[str] = set()  # the URIs of the open buffers, as the client wrote them

    # -- documents ---------------------------------------------------------------------------

    def path_of(self, uri: str, language_id: Optional[str]) -> Optional[str]:
        """The file a buffer is checked as. One that is not a file (``untitled:``, a notebook's
        cell) is a file of its language in the folder its URI names, or the workspace's."""
        path = to_fs_path(uri)
        if path is not None:
            return os.path.abspath(path)
        name = UNTITLED_NAMES.get(language_id or "")
        if name is None:
            return None
        folder = os.path.dirname(unquote(urlparse(uri).path))
        if not (folder.startswith("/") and os.path.isdir(folder)):
            folder = self.roots()[0] if self.roots() else os.getcwd()
        return os.path.join(folder, name)

    def roots(self) -> Tuple[str, ...]:
        folders = [to_fs_path(folder.uri) for folder in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [self.workspace.root_path]
        return tuple(os.path.abspath(f) for f in folders if f)

    def document(self, uri: str):
        """The open buffer of ``uri`` (pygls keys them by the URI unquoted), or None."""
        return self.workspace.text_documents.get(unquote(uri))

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """Check the buffer ``delay`` seconds from now; a change meanwhile starts the wait again."""
        self.cancel(uri)
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(delay, lambda: loop.create_task(self.publish(uri)))

    def cancel(self, uri: str) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

    async def checked(self, uri: str) -> Optional[Tuple[Checked, int]]:
        """The check of the buffer as it is now, and its version; None for a closed buffer or
        one that is no file of a format v4-migrate reads."""
        document = self.document(uri)
        if document is None:
            return None
        path = self.path_of(uri, document.language_id)
        if path is None:
            return None
        version, text = document.version, document.source
        try:
            checked = await asyncio.get_running_loop().run_in_executor(self.worker, self.checker.check, uri, text, path, self.roots())
        except Exception as exc:  # a bug must cost this buffer's diagnostics, never the server
            self.show_problems([f"{path}: internal error ({type(exc).__name__}: {exc}); please report"], types.MessageType.Error)
            return None
        return checked, version

    async def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        outcome = await self.checked(uri)
        if outcome is None:
            return
        checked, version = outcome
        document = self.document(uri)
        if document is None or document.version != version:
            return  # closed or changed meanwhile: its own check follows
        self.show_problems(checked.problems, types.MessageType.Error)
        self.show_problems(self.checker.warnings, types.MessageType.Warning)
        positions = Positions(checked.source, self.encoding())
        findings = sorted(checked.findings, key=lambda f: (f.line, f.column, f.rule))  # as the reports list them
        diagnostics = [diagnostic(f, positions) for f in findings]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def show_problems(self, lines: List[str], kind: types.MessageType) -> None:
        for line in lines:
            if line not in self.shown:
                self.shown.add(line)
                self.window_show_message(types.ShowMessageParams(type=kind, message=f"v4-migrate: {line}"))

    def encoding(self) -> str:
        return str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding) or "utf-16")

    def reload(self) -> None:
        """A pyproject.toml changed: read the configs again and check every open buffer."""
        self.shown.clear()
        self.worker.submit(self.checker.reload)  # after any check under way
        for uri in list(self.opened):
            self.schedule(uri)

    # -- code actions ------------------------------------------------------------------------

    async def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        outcome = await self.checked(uri)
        if outcome is None:
            return []
        checked, version = outcome
        only = params.context.only
        wanted = (lambda kind: any(kind == k or kind.startswith(f"{k}.") for k in only)) if only else (lambda kind: True)
        positions = Positions(checked.source, self.encoding())
        run = lambda call, *args: asyncio.get_running_loop().run_in_executor(self.worker, call, *args)  # noqa: E731
        actions: List[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix.value):
            for finding in checked.findings:
                shown = diagnostic(finding, positions)
                if not overlaps(shown.range, params.range):
                    continue
                edits = self.checker.fix_one(checked, finding)
                if edits:
                    label = fix_title(finding) + (" (unsafe)" if finding.fix == UNSAFE else "")
                    actions.append(self.action(label, types.CodeActionKind.QuickFix, uri, version, edits, positions, [shown],
                                               preferred=finding.fix == SAFE))
                edits = await run(self.checker.suppression, checked, finding, self.roots())
                if edits:
                    actions.append(self.action(f"Suppress {finding.rule} on this line (v4-migrate)", types.CodeActionKind.QuickFix,
                                               uri, version, edits, positions, [shown]))
        if wanted(FIX_ALL) and any(f.fix == SAFE for f in checked.findings):
            edits = await run(self.checker.fix_all, checked)
            if edits:
                actions.append(self.action("Fix all safe v4-migrate fixes in this file", FIX_ALL, uri, version, edits, positions))
        return actions

    def action(self, title: str, kind: str, uri: str, version: int, edits: List[Edit], positions: Positions,
               diagnostics: Optional[List[types.Diagnostic]] = None, preferred: bool = False) -> types.CodeAction:
        text_edits = [types.TextEdit(range=span(e.start, e.end, positions), new_text=e.replacement) for e in edits]
        if self.client_supports_document_changes():
            change = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=text_edits)])
        else:
            change = types.WorkspaceEdit(changes={uri: text_edits})
        return types.CodeAction(title=title, kind=kind, diagnostics=diagnostics, edit=change, is_preferred=preferred or None)

    def client_supports_document_changes(self) -> bool:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace is not None else None
        return bool(edit is not None and edit.document_changes)


def diagnostic(finding: Finding, positions: Positions) -> types.Diagnostic:
    start = positions.at(finding.line, finding.column)
    end = positions.at(finding.end_line, finding.end_column)
    return types.Diagnostic(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=DOCS_URL.format(code=finding.rule)),
        source=NAME,
        data={"fix": finding.fix} if finding.fix else None,
    )


def span(start: int, end: int, positions: Positions) -> types.Range:
    return types.Range(start=types.Position(*positions.of_offset(start)), end=types.Position(*positions.of_offset(end)))


def overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> Tuple[int, int]:
        return p.line, p.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def fix_title(finding: Finding) -> str:
    if finding.legacy and finding.replacement:
        return f"Replace `{finding.legacy}` with `{finding.replacement}` ({finding.rule})"
    return f"Fix {finding.rule} (v4-migrate)"


def build() -> V4MigrateServer:
    server = V4MigrateServer()
    fix_kinds = [types.CodeActionKind.QuickFix, FIX_ALL]

    @server.feature(types.INITIALIZE)
    def initialize(ls: V4MigrateServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
            ls.debounce = max(0.0, options["debounceMs"] / 1000)

    @server.feature(types.INITIALIZED)
    def initialized(ls: V4MigrateServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")])
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="v4-migrate-pyproject", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: V4MigrateServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.opened.add(params.text_document.uri)
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: V4MigrateServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: V4MigrateServer, params: types.DidSaveTextDocumentParams) -> None:
        if is_pyproject(params.text_document.uri):
            ls.reload()
        else:
            ls.schedule(params.text_document.uri)  # unchanged since the last check: from the cache

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: V4MigrateServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.opened.discard(uri)
        ls.cancel(uri)
        ls.worker.submit(ls.checker.forget, uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: V4MigrateServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(is_pyproject(change.uri) for change in params.changes):
            ls.reload()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=fix_kinds))
    async def code_action(ls: V4MigrateServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return await ls.code_actions(params)

    @server.command(DEBUG_COMMAND)
    def debug_information(ls: V4MigrateServer, *args) -> dict:
        """What the server knows: versions, the negotiated encoding, and how many checks were
        answered from the cache, ruled out by the byte prefilter, or scanned."""
        return {"version": __version__, "positionEncoding": ls.encoding(), "debounceMs": round(ls.debounce * 1000),
                "openDocuments": len(ls.opened), "workspaceFolders": list(ls.roots()),
                "counts": dict(ls.checker.counts)}

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: V4MigrateServer, *args) -> None:
        ls.shutdown_requested = True
        for uri in list(ls.pending):
            ls.cancel(uri)

    return server


def is_pyproject(uri: str) -> bool:
    return uri.rstrip("/").rsplit("/", 1)[-1] == "pyproject.toml"


def serve() -> int:
    """Run until the client says exit (0 after a shutdown request, else 1, as LSP asks) or
    closes stdin."""
    server = build()
    server.start_io()
    return 0 if server.shutdown_requested else 1
