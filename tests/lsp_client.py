"""A language-server client for the tests and benchmarks/lsp_latency.py: JSON-RPC over the pipes
of `python -m codemod server`, run as a subprocess (the benchmark's) or a forked child (the tests').
Every wait is for a message, with a deadline so a server that never answers fails the test instead
of hanging it."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from forked_python import popen

TIMEOUT = 60.0  # seconds: a generous deadline for a loaded two-core machine, never a pause
_BREAK = re.compile(r"\r\n|\r|\n")


class ServerError(Exception):
    pass


# What the server imports that costs most (lsprotocol's types alone 1 s), imported once for all servers
SERVER_LIBRARIES = ("lsprotocol.types", "pygls.lsp.server")


class LspClient:
    def __init__(self, cwd: Path, env: Optional[Dict[str, str]] = None, command: Optional[Sequence[str]] = None):
        """``command`` runs as a subprocess; without one, ``python -m codemod server`` runs as a child of the
        tests' fork server for the command line (tests/forked_python.py), once it has imported SERVER_LIBRARIES."""
        if command:
            self.process = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        else:
            from helpers import CLI_MODULES

            self.process = popen(["-m", "codemod", "server"], cwd=cwd, env=os.environ if env is None else env,
                                 preload=(*CLI_MODULES, *SERVER_LIBRARIES), server="cli")
        self.ids = itertools.count(1)
        self.messages: List[dict] = []  # what the server sent and no wait has taken yet
        self.requests_from_server: List[dict] = []
        self.stderr: List[bytes] = []
        self.changed = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -- the pipes -------------------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    with self.changed:
                        self.closed = True
                        self.changed.notify_all()
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:  # a request of the server's
                self.requests_from_server.append(message)
                try:
                    self._send({"id": message["id"], "result": [] if message["method"] == "workspace/configuration" else None})
                except (OSError, ValueError):  # the test closed stdin
                    pass
            with self.changed:
                self.messages.append(message)
                self.changed.notify_all()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr.append(line)

    # -- messages --------------------------------------------------------------------------------

    def wait_for(self, matches: Callable[[dict], bool], timeout: float = TIMEOUT) -> dict:
        """The first message not yet taken that ``matches``, taken; waits for it to arrive."""
        with self.changed:
            while True:
                for index, message in enumerate(self.messages):
                    if matches(message):
                        return self.messages.pop(index)
                if self.closed:
                    raise ServerError(f"the server closed its output; stderr: {b''.join(self.stderr).decode()[-3000:]}")
                if not self.changed.wait(timeout):
                    raise ServerError(f"no such message within {timeout} s; got {self.messages[-5:]}")

    def request(self, method: str, params: Any = None) -> Any:
        number = next(self.ids)
        self._send({"id": number, "method": method, "params": params})
        answer = self.wait_for(lambda m: m.get("id") == number and "method" not in m)
        if "error" in answer:
            raise ServerError(f"{method}: {answer['error']}")
        return answer.get("result")

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def notification(self, method: str, where: Callable[[dict], bool] = lambda params: True) -> dict:
        return self.wait_for(lambda m: m.get("method") == method and "id" not in m and where(m.get("params")))["params"]

    # -- the protocol ----------------------------------------------------------------------------

    def initialize(self, root: Path, encodings: Optional[List[str]] = None, options: Optional[dict] = None,
                   watch_files: bool = True) -> dict:
        general = {"positionEncodings": encodings} if encodings is not None else {}
        capabilities = {
            "general": general,
            "workspace": {"workspaceEdit": {"documentChanges": True}, "didChangeWatchedFiles": {"dynamicRegistration": watch_files}},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}, "codeAction": {}},
        }
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": capabilities,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}], "initializationOptions": options or {},
        })
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, language: str = "python", version: int = 1) -> dict:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": language, "version": version, "text": text}})
        return self.diagnostics(path, version)

    def change(self, path: Path, text: str, version: int) -> dict:
        self.notify("textDocument/didChange", {"textDocument": {"uri": path.as_uri(), "version": version}, "contentChanges": [{"text": text}]})
        return self.diagnostics(path, version)

    def diagnostics(self, path: Path, version: Optional[int] = None) -> dict:
        uri = path.as_uri()
        return self.notification("textDocument/publishDiagnostics",
                                 lambda p: p["uri"] == uri and (version is None or p.get("version") == version))

    def code_actions(self, path: Path, start=(0, 0), end=None, only: Optional[List[str]] = None, diagnostics=()) -> List[dict]:
        context: Dict[str, Any] = {"diagnostics": list(diagnostics)}
        if only is not None:
            context["only"] = only
        span = {"start": {"line": start[0], "character": start[1]}, "end": {"line": (end or start)[0], "character": (end or start)[1]}}
        return self.request("textDocument/codeAction", {"textDocument": {"uri": path.as_uri()}, "range": span, "context": context})

    def debug_information(self) -> dict:
        return self.request("workspace/executeCommand", {"command": "v4-migrate.debugInformation", "arguments": []})

    def shutdown_and_exit(self, timeout: float = TIMEOUT) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.wait_closed(timeout)

    def wait_closed(self, timeout: float = TIMEOUT) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:
                pass


def offset(text: str, position: dict, encoding: str = "utf-16") -> int:
    """The offset in ``text`` of an LSP position (lines broken as LSP breaks them)."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    start = starts[position["line"]]
    end = starts[position["line"] + 1] if position["line"] + 1 < len(starts) else len(text)
    units, index = 0, start
    while index < end and units < position["character"]:
        units += units_of(text[index], encoding)
        index += 1
    assert units == position["character"], f"position {position} is inside a character"
    return index


def units_of(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return 1


def apply_text_edits(text: str, edits: List[dict], encoding: str = "utf-16") -> str:
    spans = sorted(((offset(text, e["range"]["start"], encoding), offset(text, e["range"]["end"], encoding), e["newText"]) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: dict, uri: str) -> List[dict]:
    """The text edits of a code action's WorkspaceEdit for ``uri``."""
    change = action["edit"]
    if "documentChanges" in change:
        return [e for doc in change["documentChanges"] if doc["textDocument"]["uri"] == uri for e in doc["edits"]]
    return change["changes"][uri]
