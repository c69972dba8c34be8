"""data factory shape (unit)."""

from tests.test_data_factory import TestDataFactory


def test_factory_starts_empty():
    assert TestDataFactory(session=None).created == []
