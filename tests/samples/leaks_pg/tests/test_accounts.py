from __future__ import annotations

from orderdesk.accounts import UserRepository


def test_directory_starts_empty(db_session):
    assert UserRepository(db_session).count() == 0


def test_find_by_email(db_session):
    repo = UserRepository(db_session)
    repo.add("dora@example.com", "Dora")
    found = repo.by_email("dora@example.com")
    assert found is not None
    assert found.name == "Dora"


def test_unknown_email_is_none(db_session):
    assert UserRepository(db_session).by_email("nobody@example.com") is None
