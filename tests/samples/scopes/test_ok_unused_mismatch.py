"""Mismatching fixtures that no test requests, directly or indirectly.

pytest only checks scopes when a fixture is set up, so none of these ever
raises. pytest: the one test passes, no errors.
"""

import pytest


@pytest.fixture
def per_test_value():
    return 1


@pytest.fixture(scope="session")
def never_used_session(per_test_value):  # session -> function, but never requested
    return per_test_value


@pytest.fixture(scope="module")
def never_used_module(monkeypatch, tmp_path):  # module -> builtins, never requested
    return tmp_path


@pytest.fixture
def also_unused(never_used_session):  # requests a mismatching fixture, but is unused itself
    return never_used_session


def test_unrelated(per_test_value):  # passes
    assert per_test_value == 1
