"""A conftest with a side effect at import time: it deletes canary.txt.

test-auditor's static commands (scan, check, graph, migrate --plan/--diff)
must never import this file, so canary.txt must still exist after them.
pytest imports it, so running pytest here removes the canary.
"""

import os

import pytest

try:
    os.remove(os.path.join(os.path.dirname(__file__), "canary.txt"))
except FileNotFoundError:  # already removed by an earlier pytest run
    pass


@pytest.fixture
def greeting():
    return "hello"
