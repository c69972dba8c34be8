"""user service (database)."""

import pytest

from medapp.core import NotFound
from medapp.services import UserService

from .test_helpers import build_user


def test_register_and_find(db_session):
    UserService(db_session).register("z@example.com", "Z")
    assert UserService(db_session).by_email("z@example.com").name == "Z"


def test_unknown_email(db_session):
    with pytest.raises(NotFound):
        UserService(db_session).by_email("nobody@example.com")


def test_helper_user_is_found(db_session):
    build_user(db_session)
    assert UserService(db_session).by_email("helper@example.com")
