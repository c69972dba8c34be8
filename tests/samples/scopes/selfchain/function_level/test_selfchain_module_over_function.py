"""A module-level override ``store(store)`` with module scope, whose parent
(function_level/conftest.py) is function-scoped.

pytest: ERROR (ScopeMismatch) for test_module_store.
"""

import pytest


@pytest.fixture(scope="module")
def store(store):  # module -> function: ScopeMismatch
    return [*store, "module"]


def test_module_store(store):  # ERROR
    assert store[-1] == "module"
