"""Shared fixtures."""

from __future__ import annotations

import signal

import pytest

from fake_deepseek import FakeDeepSeek
from node_support import NodeSetupError, installed_node_modules

# The interrupt tests send SIGINT as a terminal's Ctrl-C would. A suite started in the background by a shell
# without job control (.ci/run's other Pythons, `cmd &` in a script) inherits SIGINT ignored, and every program
# it runs would then ignore it too; a handler, unlike SIG_IGN, is not inherited by the programs it runs.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def deepseek():
    """A fake DeepSeek API on 127.0.0.1 (see tests/fake_deepseek.py), stopped after the test."""
    server = FakeDeepSeek().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def node_modules():
    """The pinned JavaScript packages of tests/node_deps, installed once per machine (tests/node_support.py).

    Without node/npm, or when the install fails, every test that needs them fails with the reason."""
    try:
        return installed_node_modules()
    except NodeSetupError as error:
        reason = str(error)
    pytest.fail(reason, pytrace=False)
