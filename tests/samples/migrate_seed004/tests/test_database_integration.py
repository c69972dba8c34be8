"""database integration (database)."""

from sqlalchemy import func, select

from medapp.models import User


def test_rollback_isolates_tests_a(db_session, user_factory):
    user_factory(email="iso@example.com")
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_rollback_isolates_tests_b(db_session):
    assert db_session.scalar(select(func.count()).select_from(User)) == 0
