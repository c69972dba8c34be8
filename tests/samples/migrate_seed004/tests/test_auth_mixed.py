"""Auth: token format (pure) and the user behind it (database); both use one module
fixture, so splitting this module would make two of it."""

import hashlib

import pytest

from medapp.services import UserService


@pytest.fixture(scope="module")
def signing_key():
    return hashlib.sha256(b"medapp-test").hexdigest()


def token_for(email, key):
    return hashlib.sha256(f"{email}:{key}".encode()).hexdigest()[:16]


def test_token_is_sixteen_characters(signing_key):
    assert len(token_for("a@example.com", signing_key)) == 16


def test_token_of_a_registered_user(db_session, signing_key):
    user = UserService(db_session).register("tok@example.com", "Tok")
    assert token_for(user.email, signing_key) == token_for("tok@example.com", signing_key)
