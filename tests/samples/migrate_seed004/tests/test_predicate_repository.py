"""predicate repository (database)."""

import pytest

from medapp.core import InvalidProject
from medapp.services import ProjectService


@pytest.fixture
def sample_project(db_session, user_factory):
    return ProjectService(db_session).create(user_factory(), "Sample")


def test_add_predicate(db_session, sample_project):
    device = ProjectService(db_session).add_predicate(sample_project, "K123456", "Pump", 0.9)
    assert device in sample_project.predicates


def test_bad_k_number(db_session, sample_project):
    with pytest.raises(InvalidProject):
        ProjectService(db_session).add_predicate(sample_project, "X1", "Pump")
