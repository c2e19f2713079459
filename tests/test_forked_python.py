"""tests/forked_python.py: a program run as a child of the fork server behaves as under ``subprocess.run``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from forked_python import clean_env, forking, popen, run_python

PROGRAM = '''\
import atexit, json, os, sys, threading

import tenacity


def late():
    print("atexit ran", flush=True)


def worker():
    import time
    time.sleep(0.2)
    print("the thread ran to its end", flush=True)


atexit.register(late)
threading.Thread(target=worker).start()
print(json.dumps({
    "argv": sys.argv, "name": __name__, "file": __file__, "cwd": os.getcwd(), "path0": sys.path[0],
    "path1": sys.path[1], "setting": os.environ.get("SETTING"), "api": os.environ.get("DEEPSEEK_API_KEY"),
    "bytecode": sys.dont_write_bytecode, "stdin": sys.stdin.read(), "tenacity": tenacity.__name__,
    "main": sys.modules["__main__"].__dict__.get("late") is late,
}))
print("to stderr", file=sys.stderr)
how = sys.argv[1]
if how == "exit 3":
    sys.exit(3)
if how == "exit with a message":
    sys.exit("a message")
if how == "raise":
    raise ValueError("HTTP 400 from the fake")
'''

MODULE = 'import sys\nprint(sys.argv, __name__, sys.path[0] == __import__("os").getcwd())\nsys.exit(int(sys.argv[1]))\n'


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(PROGRAM)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "somemodule.py").write_text(MODULE)
    return tmp_path


def each_way(monkeypatch):
    """Loops twice: forked, then with ``V4_MIGRATE_TEST_FORK=0`` (subprocess)."""
    for fork in ("1", "0"):
        monkeypatch.setenv("V4_MIGRATE_TEST_FORK", fork)
        yield fork == "1"
    monkeypatch.delenv("V4_MIGRATE_TEST_FORK")


def both(monkeypatch, args, **kwargs):
    """(forked, plain) results of the same run."""
    forked = run_python(args, **kwargs)
    monkeypatch.setenv("V4_MIGRATE_TEST_FORK", "0")
    plain = run_python(args, **kwargs)
    monkeypatch.delenv("V4_MIGRATE_TEST_FORK")
    return forked, plain


def test_this_machine_forks():
    assert forking()


@pytest.mark.parametrize("how", ["return", "exit 3", "exit with a message", "raise"])
def test_a_script_sees_what_a_new_interpreter_gives_it(tree, monkeypatch, how):
    env = {**clean_env(), "SETTING": "on", "DEEPSEEK_API_KEY": "sk-test", "PYTHONPATH": str(tree / "lib"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    forked, plain = both(monkeypatch, ["main.py", how], cwd=tree / "app", env=env, preload=["tenacity"])
    assert forked.returncode == plain.returncode == {"exit 3": 3, "return": 0}.get(how, 1)
    assert forked.stdout == plain.stdout
    seen = json.loads(forked.stdout.splitlines()[0])
    assert seen["argv"] == ["main.py", how] and seen["name"] == "__main__" and seen["main"]
    assert seen["path0"] == str(tree / "app") and seen["path1"] == str(tree / "lib")
    assert (seen["setting"], seen["api"], seen["bytecode"], seen["stdin"]) == ("on", "sk-test", True, "")
    assert forked.stdout.splitlines()[1:] == ["the thread ran to its end", "atexit ran"]
    assert forked.stderr.splitlines()[0] == plain.stderr.splitlines()[0] == "to stderr"
    assert forked.stderr == plain.stderr  # a traceback too: the program's frames only


def test_a_module_run_with_dash_m_gets_its_file_as_argv0_and_the_cwd_on_its_path(tree, monkeypatch):
    env = {**clean_env(), "PYTHONPATH": str(tree / "lib")}
    forked, plain = both(monkeypatch, ["-m", "somemodule", "4"], cwd=tree, env=env)
    assert forked.returncode == plain.returncode == 4
    assert forked.stdout == plain.stdout == f"[{str(tree / 'lib' / 'somemodule.py')!r}, '4'] __main__ True\n"


def test_a_run_past_its_timeout_is_killed_and_raises_as_subprocess_does(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text('import time\nprint("started", flush=True)\ntime.sleep(60)\n')
    for _ in each_way(monkeypatch):
        with pytest.raises(subprocess.TimeoutExpired) as raised:
            run_python(["main.py"], cwd=tmp_path, env=clean_env(), timeout=1)
        assert raised.value.cmd[0] == sys.executable


def test_children_run_at_once(tmp_path):
    """Four runs from four threads meet: each waits until all four have started (no clock involved)."""
    from concurrent.futures import ThreadPoolExecutor

    (tmp_path / "main.py").write_text(
        'import os, sys, time\n'
        'open(f"started.{os.getpid()}", "w").close()\n'
        'for _ in range(400):\n'
        '    if sum(name.startswith("started.") for name in os.listdir(".")) == 4:\n'
        '        sys.exit(0)\n'
        '    time.sleep(0.05)\n'
        'sys.exit(1)\n')
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: run_python(["main.py"], cwd=tmp_path, env=clean_env()), range(4)))
    assert [run.returncode for run in runs] == [0] * 4, [run.stderr for run in runs]


def test_a_program_that_used_an_executor_ends_as_it_does_alone(tmp_path, monkeypatch):
    """asyncio's default executor leaves a non-daemon worker, which threading's exit hook stops (pydantic-ai's
    run_sync does this; a plain join of the threads waited for ever)."""
    (tmp_path / "main.py").write_text(
        'import asyncio\n\n\nasync def main():\n    return await asyncio.get_running_loop().run_in_executor(None, sum, [1, 2])\n\n\n'
        'print(asyncio.run(main()))\n')
    forked, plain = both(monkeypatch, ["main.py"], cwd=tmp_path, env=clean_env(), timeout=30)
    assert (forked.returncode, forked.stdout) == (plain.returncode, plain.stdout) == (0, "3\n")


def test_a_child_with_pipes_talks_as_a_popen_does(tmp_path, monkeypatch):
    """popen: the language server's tests talk to it over stdin and stdout, and wait for its exit."""
    (tmp_path / "main.py").write_text(
        'import sys\n\nfor line in sys.stdin:\n    print("got", line.strip(), flush=True)\n'
        'print("stdin closed", file=sys.stderr)\nsys.exit(5)\n')
    results = []
    for _ in each_way(monkeypatch):
        process = popen(["main.py"], cwd=tmp_path, env=clean_env())
        process.stdin.write(b"one\n")
        process.stdin.flush()
        first = process.stdout.readline()
        assert process.poll() is None  # it waits for more
        process.stdin.write(b"two\n")
        process.stdin.close()
        results.append((first, process.stdout.read(), process.stderr.read(), process.wait(timeout=30)))
        process.stdout.close()
        process.stderr.close()
    assert results[0] == results[1] == (b"got one\n", b"got two\n", b"stdin closed\n", 5)


def test_a_child_that_never_ends_is_killed(tmp_path):
    (tmp_path / "main.py").write_text('import time\nprint("up", flush=True)\ntime.sleep(60)\n')
    process = popen(["main.py"], cwd=tmp_path, env=clean_env())
    assert process.stdout.readline() == b"up\n"
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.5)
    process.kill()
    assert process.wait(timeout=30) == -9


def test_bytes_in_and_out_keep_every_byte(tmp_path, monkeypatch):
    """text=False: a CRLF or a byte that is no UTF-8 comes back as it was written, as with subprocess.run."""
    (tmp_path / "main.py").write_text('import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])\n')
    forked, plain = both(monkeypatch, ["main.py"], cwd=tmp_path, env=clean_env(), input=b"a\r\n\xff", text=False)
    assert forked.stdout == plain.stdout == b"\xff\n\ra"


def test_text_input_reaches_stdin(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text('import sys\nprint(sys.stdin.read().upper(), end="")\n')
    forked, plain = both(monkeypatch, ["main.py"], cwd=tmp_path, env=clean_env(), input="héllo\n")
    assert forked.stdout == plain.stdout == "HÉLLO\n"


def test_an_uncaught_ctrl_c_ends_the_run_by_sigint_as_the_interpreter_does(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text('raise KeyboardInterrupt\n')
    forked, plain = both(monkeypatch, ["main.py"], cwd=tmp_path, env=clean_env())
    assert forked.returncode == plain.returncode == -signal.SIGINT
    assert forked.stderr.endswith("KeyboardInterrupt\n") and plain.stderr.endswith("KeyboardInterrupt\n")


def test_a_child_in_its_own_session_leads_it_and_dies_with_its_group(tmp_path, monkeypatch):
    """start_new_session: the signal tests kill the run's whole process group, its workers included."""
    (tmp_path / "main.py").write_text(
        'import os, subprocess, sys, time\n'
        'helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\n'
        'print(os.getsid(0) == os.getpid() == os.getpgid(helper.pid), helper.pid, flush=True)\n'
        'time.sleep(60)\n')
    for _ in each_way(monkeypatch):
        process = popen(["main.py"], cwd=tmp_path, env=clean_env(), start_new_session=True)
        leads, helper = process.stdout.readline().split()
        assert leads == b"True"
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
        assert (out, process.returncode) == (b"", -signal.SIGKILL)
        for _ in range(500):  # the helper is the test's grandchild: gone once its parent reaps it
            try:
                os.kill(int(helper), 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the group's other process outlived the kill")


def test_communicate_writes_input_and_reads_both_pipes_to_their_end(tmp_path, monkeypatch):
    (tmp_path / "main.py").write_text(
        'import sys\ndata = sys.stdin.buffer.read()\nsys.stdout.buffer.write(data * 50000)\n'
        'sys.stderr.buffer.write(data * 50000)\nsys.exit(4)\n')
    results = []
    for _ in each_way(monkeypatch):
        process = popen(["main.py"], cwd=tmp_path, env=clean_env())
        results.append((*process.communicate(b"ab", timeout=30), process.returncode))  # more than a pipe holds
    assert results[0] == results[1] == (b"ab" * 50000, b"ab" * 50000, 4)
