"""The git commands the pipeline runs in the background: `git ls-files` lists the files,
`git grep` is the byte prefilter. Standard library only, so that the command line can start
them before it imports click and the pipeline (they then run during those ~0.1 s)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple


class BackgroundCommand:
    """A command running while this process does other work; its output is read as it comes
    (a full pipe would stop it)."""

    def __init__(self, command: Sequence[str]):
        self._output: Tuple[List[bytes], List[bytes]] = ([], [])
        self._readers: List[threading.Thread] = []
        self._result: Optional[Tuple[int, bytes, bytes]] = None
        self._done = False
        try:
            self.process: Optional[subprocess.Popen] = subprocess.Popen(
                list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
        except (OSError, ValueError):
            self.process = None
            return
        for pipe, into in zip((self.process.stdout, self.process.stderr), self._output):
            reader = threading.Thread(target=_drain, args=(pipe, into), daemon=True)
            reader.start()
            self._readers.append(reader)

    def result(self, timeout: float = 600) -> Optional[Tuple[int, bytes, bytes]]:
        """(exit status, stdout, stderr) once it is over; None if it could not run or finish."""
        if self.process is None or self._done:
            return self._result
        # Its output ends when it does; Popen.wait(timeout) would poll, and notice up to 50 ms late.
        for reader in self._readers:
            reader.join(timeout)
        if any(reader.is_alive() for reader in self._readers):
            self.stop()
            return None
        self.process.wait()
        self._finish()
        self._result = (self.process.returncode, b"".join(self._output[0]), b"".join(self._output[1]))
        return self._result

    def stop(self) -> None:
        if self.process is not None and not self._done:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self._finish()

    def _finish(self) -> None:
        for reader in self._readers:
            reader.join()
        self._done = True


def _drain(pipe, into: List[bytes]) -> None:
    with pipe:
        for chunk in iter(lambda: pipe.read1(65536), b""):
            into.append(chunk)


PYTHON_PATHSPECS = ("*.py", "*.pyi", "*.ipynb")
JS_PATHSPECS = ("*.js", "*.mjs", "*.cjs", "*.jsx", "*.ts", "*.mts", "*.cts", "*.tsx", "*.vue", "*.svelte")
# the files that may import another module's constant: searched for the names definers export
IMPORTER_PATHSPECS = PYTHON_PATHSPECS + JS_PATHSPECS


def ls_files_command(root: Path) -> List[str]:
    # No --deleted: it costs an lstat per tracked file (about 0.07 s on 20,000 files), and
    # `git grep` skips tracked files gone from the work tree anyway (see deleted_command).
    return ["git", "-C", str(root), "ls-files", "-v", "-s", "-z", "--cached", "--others", "--exclude-standard"]


def deleted_command(root: Path) -> List[str]:
    """The tracked files gone from the work tree, for when files are read without `git grep`."""
    return ["git", "-C", str(root), "ls-files", "-z", "--deleted"]


def grep_command(root: Path, needles: Sequence[bytes], pathspecs: Sequence[str] = (".",), quiet: bool = False,
                 words: bool = False) -> List[str]:
    """`git grep` for the fixed strings ``needles`` in the tracked files under ``root``: the
    names of the files holding one (-l, NUL-separated), or with ``quiet`` only whether any
    file does (git stops at the first)."""
    command = [
        "git", "-C", str(root),
        "-c", "grep.fullName=false", "-c", "submodule.recurse=false", "-c", "grep.patternType=fixed",
        # one core left for this process, which imports LibCST and lists files meanwhile
        "-c", f"grep.threads={max(1, (os.cpu_count() or 2) - 1)}",
        # Tracked files only: --untracked would walk the whole tree first (the listing does
        # that already, and its untracked files are read by the pipeline itself).
        # --text: the names of the files that hold a needle, binary or not, as without it, but
        # with no .gitattributes looked up in each folder (some 10% of its time on 20,000 files)
        "grep", "-q" if quiet else "-l", "-z", "-F", "--text", "--no-color", "--no-textconv",
    ] + (["-w"] if words else [])
    for needle in needles:
        command += ["-e", os.fsdecode(needle)]
    return command + ["--", *pathspecs]


# -- started before they are asked for ------------------------------------------------------------

_STARTED: Dict[Tuple[str, ...], BackgroundCommand] = {}


def start_early(command: Sequence[str]) -> None:
    """Start ``command`` now; ``take`` hands it over to whoever asks for the same command."""
    key = tuple(command)
    if key not in _STARTED:
        _STARTED[key] = BackgroundCommand(command)


def take(command: Sequence[str]) -> BackgroundCommand:
    """The run of ``command`` started early, or a new one."""
    return _STARTED.pop(tuple(command), None) or BackgroundCommand(command)


def stop_early() -> None:
    """Stop what was started early and never taken (the run ended before it needed it)."""
    while _STARTED:
        _STARTED.popitem()[1].stop()
