"""A session-scoped fixture requests a function-scoped one.

pytest: ERROR (ScopeMismatch) for every test that requests ``api_token``.
"""

import pytest


@pytest.fixture
def user_id():
    return 42


@pytest.fixture(scope="session")
def api_token(user_id):  # session -> function: ScopeMismatch
    return f"token-{user_id}"


def test_token_is_issued(api_token):  # ERROR
    assert api_token == "token-42"


def test_user_id_alone_is_fine(user_id):  # passes
    assert user_id == 42
