"""Fixtures defined inside test classes are visible only inside that class."""

import pytest


@pytest.fixture
def basket():
    return ["module-basket"]


class TestWithOwnFixture:
    @pytest.fixture
    def basket(self):
        """Overrides the module's ``basket`` for this class only."""
        return ["class-basket"]

    @pytest.fixture
    def discount(self, basket):
        return 0.1 if basket == ["class-basket"] else 0.0

    def test_class_basket(self, basket):
        assert basket == ["class-basket"]

    def test_class_discount(self, discount):
        assert discount == 0.1


class TestWithoutOwnFixture:
    def test_module_basket(self, basket):
        assert basket == ["module-basket"]


def test_module_level_basket(basket):
    assert basket == ["module-basket"]
