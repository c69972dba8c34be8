"""owner relationship (database)."""

from medapp.services import ProjectService


def test_back_populates(db_session, user_factory):
    owner = user_factory()
    project = ProjectService(db_session).create(owner, "Rel")
    assert owner.projects == [project]
