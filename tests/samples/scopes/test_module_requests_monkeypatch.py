"""A module-scoped fixture requests the builtin ``monkeypatch`` (function scope).

pytest: ERROR (ScopeMismatch) for the test that requests ``sandbox_env``.
"""

import os

import pytest


@pytest.fixture(scope="module")
def sandbox_env(monkeypatch):  # module -> function (builtin): ScopeMismatch
    monkeypatch.setenv("PAYMENTS_MODE", "sandbox")
    return os.environ["PAYMENTS_MODE"]


def test_sandbox_mode(sandbox_env):  # ERROR
    assert sandbox_env == "sandbox"


def test_monkeypatch_directly(monkeypatch):  # passes: function -> function
    monkeypatch.setenv("PAYMENTS_MODE", "live")
    assert os.environ["PAYMENTS_MODE"] == "live"
