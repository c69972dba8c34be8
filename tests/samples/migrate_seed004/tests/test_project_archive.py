"""project archive (database)."""

import pytest

from medapp.models import ProjectStatus
from medapp.services import ProjectService


@pytest.fixture
def sample_project(db_session, user_factory):
    return ProjectService(db_session).create(user_factory(), "Sample")


def test_archive(db_session, sample_project):
    ProjectService(db_session).archive(sample_project)
    assert sample_project.status is ProjectStatus.ARCHIVED
