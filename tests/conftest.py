"""Shared fixtures."""

from __future__ import annotations

import pytest

from fake_deepseek import FakeDeepSeek


@pytest.fixture
def deepseek():
    """A fake DeepSeek API on 127.0.0.1 (see tests/fake_deepseek.py), stopped after the test."""
    server = FakeDeepSeek().start()
    yield server
    server.stop()
