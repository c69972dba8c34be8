"""A module-scoped autouse fixture requests a function-scoped one.

Autouse means every test in this module requests it, so every test here
ERRORs (ScopeMismatch), including tests that name no fixture at all.
"""

import pytest


@pytest.fixture
def request_id():
    return "req-1"


@pytest.fixture(scope="module", autouse=True)
def audit_log(request_id):  # module (autouse) -> function: ScopeMismatch
    return [request_id]


def test_first():  # ERROR
    assert 1 + 1 == 2


def test_second():  # ERROR
    assert "a".upper() == "A"
