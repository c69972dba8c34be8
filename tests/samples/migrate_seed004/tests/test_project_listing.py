"""project listing (database)."""

import pytest

from medapp.services import ProjectService


@pytest.fixture
def sample_project(db_session, user_factory):
    return ProjectService(db_session).create(user_factory(), "Sample")


def test_listing_has_sample(db_session, sample_project):
    assert ProjectService(db_session).for_owner(sample_project.owner) == [sample_project]
