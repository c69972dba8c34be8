"""project service (database)."""

from medapp.services import ProjectService

PROJECT_NAME = "Pulse Oximeter 510(k)"


def test_create_project(db_session, user_factory):
    owner = user_factory()
    project = ProjectService(db_session).create(owner, PROJECT_NAME)
    assert project.id is not None


def test_projects_for_owner(db_session, user_factory):
    owner = user_factory()
    service = ProjectService(db_session)
    service.create(owner, "A")
    service.create(owner, "B")
    assert [p.name for p in service.for_owner(owner)] == ["A", "B"]
