"""seeding (database)."""

from tests.test_data_factory import TestDataFactory


def test_factory_seeds_a_project(db_session):
    factory = TestDataFactory(db_session)
    project = factory.project(factory.user())
    assert project.owner.projects == [project]
