"""audit trail (database)."""

from medapp.services import ProjectService

from .test_helpers import build_user


def test_helper_owner_can_create(db_session):
    owner = build_user(db_session, email="audit@example.com")
    assert ProjectService(db_session).create(owner, "Audit").owner is owner
