"""Collected because python_files includes "check_*.py"."""


def check_stock_levels():
    assert 10 - 3 == 7


def test_plain_test_in_check_file():
    assert True


def testlegacy_style():
    """Not collected: "test_*" is a glob and needs the underscore."""
    assert False


class InventorySuite:
    def check_reorder_point(self):
        assert 5 < 10


class TestLowStock:
    def check_low(self):
        assert True


class Inventory:
    """Matches neither "Test" nor "*Suite"."""

    def test_hidden(self):
        assert False
