"""Run Python programs as children forked from one interpreter that has already imported their heavy libraries.

Why: the end-to-end tests run each legacy program and its fixed copy with the real SDKs, and a new interpreter
imports them again every time: litellm costs about 6.5 s of CPU, anthropic 3 s, langchain 3 s, openai 1.4 s.
That was a fifth of the suite. A child forked after the imports starts with those modules as a fresh
``import`` leaves them (the server runs nothing but the imports, and starts no thread), so the program runs
the real SDK against the fake API as ``python main.py`` would.

A child gets what a new interpreter would: argv, cwd, the whole environment, ``sys.path[0]`` (the script's
folder, or the cwd for ``-m``), PYTHONPATH's folders, PYTHONDONTWRITEBYTECODE, its stdin (the input given,
else /dev/null), its own stdout and stderr, its own session if asked (the signal tests kill a run's process
group), its non-daemon threads joined and atexit handlers run at the end, and the exit status of its
SystemExit, or 1 with the traceback for an uncaught exception (and death by SIGINT for a KeyboardInterrupt).
What it does not get: a module reads the environment once, when it is imported, and the preloaded ones were
imported with ``SERVER_ENV`` (the test environment without API settings, with litellm's local cost map);
warnings they print while importing go to the server, not to the run. A run that needs another import-time
setting must not preload that module. Each named server keeps what it has imported for all its later
children: the tool's own runs ("cli") and the programs it fixes ("programs") have one each.

The server reads requests on a Unix socket (SOCK_SEQPACKET: one message each, and an end when either side
goes), each with the three file descriptors the child takes as stdin, stdout and stderr: temporary files for
``run_python``, pipes for ``popen`` (the language server's tests talk to it over them). Where ``os.fork`` or
that socket is missing, or ``V4_MIGRATE_TEST_FORK=0`` is set, ``run_python`` is ``subprocess.run`` and
``popen`` is ``subprocess.Popen``; tests/test_forked_python.py checks that both ways give the same results.
"""

from __future__ import annotations

import json
import os
import socket
import sys

# The server's imports come first and stay few: every name it imports is in each child's sys.modules.
SERVER_FLAG = "--serve"


def _exit_status(error: SystemExit) -> int:
    """What the interpreter exits with for ``SystemExit(code)``; a non-int code is printed."""
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code
    print(error.code, file=sys.stderr)
    return 1


def _child(request: dict, stdio) -> None:
    """In the forked child: become ``python *argv`` in the request's cwd and environment, run, and exit."""
    import atexit
    import importlib.machinery
    import random
    import runpy
    import threading
    import traceback
    import types

    if request["new_session"]:
        os.setsid()
    for source, target in zip(stdio, (0, 1, 2)):  # fd 0 was the server's socket
        os.dup2(source, target)
        os.close(source)
    encoding, errors = sys.__stdout__.encoding, sys.__stdout__.errors
    sys.stdin = sys.__stdin__ = open(0, "r", encoding=encoding, closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding=encoding, errors=errors, closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, encoding=encoding, errors="backslashreplace",
                                       closefd=False)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    random.seed()  # else every child draws the same numbers

    argv = request["argv"]
    module = argv[1] if argv[0] == "-m" else None
    first = os.getcwd() if module else os.path.dirname(os.path.abspath(argv[0]))
    extra = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [first, *extra, *sys.path]
    status = 0
    interrupted = False
    try:
        if module:
            sys.argv = [module, *argv[2:]]  # run_module puts the module's file first, as -m does
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:  # as the interpreter runs a script: argv[0] as given, __file__ absolute
            sys.argv = list(argv)
            path = os.path.abspath(argv[0])
            main = types.ModuleType("__main__")
            main.__file__, main.__cached__ = path, None
            main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
            sys.modules["__main__"] = main
            with open(path, "rb") as handle:
                code = compile(handle.read(), path, "exec", dont_inherit=True)
            exec(code, main.__dict__)
    except SystemExit as error:
        status = _exit_status(error)
    except BaseException as error:  # what the interpreter prints: the program's frames, not this runner's
        frames = error.__traceback__
        while frames is not None and (frames.tb_frame.f_code.co_filename == __file__
                                      or "runpy" in frames.tb_frame.f_code.co_filename):
            frames = frames.tb_next
        traceback.print_exception(type(error), error, frames)
        status = 1
        interrupted = isinstance(error, KeyboardInterrupt)
    try:
        # What the interpreter does at exit: threading's own exit hooks (an executor's workers stop), a join of
        # the non-daemon threads, then atexit.
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        if interrupted:  # as the interpreter ends after an uncaught KeyboardInterrupt: killed by SIGINT
            import signal

            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        os._exit(status)


def serve() -> None:
    """Takes one request (JSON and three fds) per message on the socket at fd 0; forks a child for each;
    answers its pid, then its exit status."""
    import importlib
    import select

    channel = socket.socket(fileno=0)
    children = {}  # pid -> request id
    while True:
        ready, _, _ = select.select([channel], [], [], 0.02 if children else None)
        if ready:
            message, stdio, _, _ = socket.recv_fds(channel, 1 << 20, 3)
            if not message:
                return  # the tests are done; children still running end on their own
            request = json.loads(message)
            for name in request["preload"]:
                try:
                    importlib.import_module(name)
                except Exception:  # the run imports it again and fails as it would alone
                    pass
            pid = os.fork()
            if pid == 0:
                _child(request, stdio)
            for fd in stdio:  # else later children would hold this one's pipes open
                os.close(fd)
            children[pid] = request["id"]
            channel.send(json.dumps({"id": request["id"], "pid": pid}).encode())
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            channel.send(json.dumps({"id": children.pop(pid), "returncode": os.waitstatus_to_exitcode(status)}).encode())


if __name__ == "__main__" and sys.argv[1:] == [SERVER_FLAG]:
    del sys.path[0]  # this file's folder; a child's first entry is its own
    serve()
    sys.exit(0)

import subprocess  # noqa: E402  (the test side, below, is never imported by the server)
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import Future  # noqa: E402
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union  # noqa: E402

API_PREFIXES = ("DEEPSEEK_", "OPENAI_", "ANTHROPIC_", "LITELLM_", "LANGSMITH_", "LANGCHAIN_", "V4_MIGRATE_")
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "socks_proxy")


def clean_env() -> Dict[str, str]:
    """This environment without API settings or proxies, with litellm's bundled cost map (the network is
    closed here; fetching it costs retries)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(API_PREFIXES) and k.lower() not in PROXY_VARS}
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env.pop("PYTHONPATH", None)
    return env


SERVER_ENV = clean_env()


def _decoded(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes output."""
    import locale

    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


class ForkServer:
    """One server process (``python tests/forked_python.py --serve``) and the children it forks, from any thread."""

    def __init__(self) -> None:
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen([sys.executable, __file__, SERVER_FLAG], cwd=tempfile.gettempdir(),
                                        env=SERVER_ENV, stdin=theirs, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        theirs.close()
        self.lock = threading.Lock()
        self.next_id = 0
        self.pids: Dict[int, "Future[int]"] = {}
        self.returncodes: Dict[int, "Future[int]"] = {}
        threading.Thread(target=self._read_answers, daemon=True).start()

    def _read_answers(self) -> None:
        while True:
            try:
                message = self.channel.recv(1 << 16)
            except OSError:
                message = b""
            if not message:
                break
            answer = json.loads(message)
            if "pid" in answer:
                self.pids.pop(answer["id"]).set_result(answer["pid"])
            else:
                self.returncodes.pop(answer["id"]).set_result(answer["returncode"])
        for future in [*self.pids.values(), *self.returncodes.values()]:
            future.set_exception(RuntimeError(f"the fork server exited ({self.process.wait()})"))

    def start(self, args: Sequence[str], cwd, env: Mapping[str, str], preload: Sequence[str],
              stdio: Tuple[int, int, int], new_session: bool = False) -> Tuple["Future[int]", "Future[int]"]:
        """Sends one run; the futures of its pid and of its exit status."""
        with self.lock:
            self.next_id += 1
            pid, returncode = self.pids[self.next_id], self.returncodes[self.next_id] = Future(), Future()
            request = {"id": self.next_id, "argv": list(args), "cwd": os.fspath(cwd), "env": dict(env),
                       "preload": list(preload), "new_session": new_session}
            socket.send_fds(self.channel, [json.dumps(request).encode()], list(stdio))
        return pid, returncode

    def close(self) -> None:
        self.channel.shutdown(socket.SHUT_RDWR)  # the server's end reads no more; a close alone would wait
        self.channel.close()                     # for the answer reader's recv to return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class ForkedProcess:
    """What tests use of ``subprocess.Popen(..., stdin=PIPE, stdout=PIPE, stderr=PIPE)``, for a forked child."""

    def __init__(self, args: Sequence[str], cwd, env: Mapping[str, str], preload: Sequence[str], server: str,
                 start_new_session: bool) -> None:
        self.args = [sys.executable, *args]
        (stdin, self._stdin), (self._stdout, stdout), (self._stderr, stderr) = os.pipe(), os.pipe(), os.pipe()
        try:
            pid, self._returncode = _fork_server(server).start(args, cwd, env, preload, (stdin, stdout, stderr),
                                                               start_new_session)
        finally:
            for fd in (stdin, stdout, stderr):  # the child's ends
                os.close(fd)
        self.stdin, self.stdout, self.stderr = (open(self._stdin, "wb"), open(self._stdout, "rb"),
                                                open(self._stderr, "rb"))
        self.pid = pid.result(timeout=120)
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        if self._returncode.done():
            self.returncode = self._returncode.result()
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        try:
            self.returncode = self._returncode.result(timeout=timeout)
        except TimeoutError:
            raise subprocess.TimeoutExpired(self.args, timeout) from None
        return self.returncode

    def communicate(self, input: Optional[bytes] = None, timeout: Optional[float] = None) -> Tuple[bytes, bytes]:
        """Writes ``input``, closes stdin, reads both pipes to their end, and waits for the exit."""
        outputs: Dict[str, bytes] = {}

        def read(name: str, stream) -> None:
            outputs[name] = stream.read()

        readers = [threading.Thread(target=read, args=(name, stream), daemon=True)
                   for name, stream in (("out", self.stdout), ("err", self.stderr))]
        for reader in readers:
            reader.start()
        try:
            if input:
                self.stdin.write(input)
            self.stdin.close()
        except BrokenPipeError:  # the child has closed its stdin, as communicate allows
            pass
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout)
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return outputs["out"], outputs["err"]

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def kill(self) -> None:
        self.send_signal(9)


_servers: Dict[str, ForkServer] = {}
_servers_lock = threading.Lock()


def forking() -> bool:
    return (hasattr(os, "fork") and hasattr(socket, "SOCK_SEQPACKET") and hasattr(socket, "send_fds")
            and os.environ.get("V4_MIGRATE_TEST_FORK") != "0")


def _fork_server(name: str) -> ForkServer:
    """The server called ``name``: what one server imports, all its later children have, so the tool's own
    runs and the programs it fixes (which must not find the tool's modules imported) have one each."""
    with _servers_lock:
        if name not in _servers:
            _servers[name] = ForkServer()
            import atexit

            atexit.register(_servers[name].close)
        return _servers[name]


def _stdin_file(data: Union[str, bytes, None]):
    """A file to read ``data`` from (text encoded as ``subprocess.run(input=..., text=True)`` encodes it);
    /dev/null for none."""
    if data is None:
        return open(os.devnull, "rb")
    import locale

    handle = tempfile.TemporaryFile()
    handle.write(data.encode(locale.getpreferredencoding(False)) if isinstance(data, str) else data)
    handle.seek(0)
    return handle


def run_python(args: Sequence[str], *, cwd, env: Mapping[str, str], timeout: float = 60,
               preload: Sequence[str] = (), input: Union[str, bytes, None] = None, text: bool = True,
               server: str = "programs") -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, *args], ..., capture_output=True, text=text)`` with stdin from
    ``input`` (else /dev/null), run as a child of the fork server ``server`` once ``preload`` is imported there."""
    command = [sys.executable, *args]
    if not forking():
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run(command, cwd=cwd, env=dict(env), capture_output=True, text=text, timeout=timeout,
                              **stdin)
    with _stdin_file(input) as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        pid, returncode = _fork_server(server).start(args, cwd, env, preload, (stdin.fileno(), stdout.fileno(),
                                                                               stderr.fileno()))

        def output(stream) -> bytes:
            stream.seek(0)
            return stream.read()

        try:
            code = returncode.result(timeout=timeout)
        except TimeoutError:  # its output in bytes, as subprocess.run gives it
            os.kill(pid.result(timeout=10), 9)
            returncode.result(timeout=10)
            raise subprocess.TimeoutExpired(command, timeout, output(stdout), output(stderr)) from None
        out, err = output(stdout), output(stderr)
        return subprocess.CompletedProcess(command, code, *((_decoded(out), _decoded(err)) if text else (out, err)))


def popen(args: Sequence[str], *, cwd, env: Mapping[str, str], preload: Sequence[str] = (), server: str = "programs",
          start_new_session: bool = False):
    """``subprocess.Popen([sys.executable, *args], ...)`` with the three pipes, as a child of the fork server."""
    if not forking():
        return subprocess.Popen([sys.executable, *args], cwd=cwd, env=dict(env), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=start_new_session)
    return ForkedProcess(args, cwd, env, preload, server, start_new_session)
