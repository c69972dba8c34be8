"""A class-scoped fixture requests a function-scoped one.

pytest: ERROR (ScopeMismatch) for both tests of TestCart, which request ``cart``.
TestPrices does not use ``cart`` and passes.
"""

import pytest


@pytest.fixture
def price_list():
    return {"mug": 12.5, "tea": 4.0}


@pytest.fixture(scope="class")
def cart(price_list):  # class -> function: ScopeMismatch
    return {"items": [], "prices": price_list}


class TestCart:
    def test_cart_starts_empty(self, cart):  # ERROR
        assert cart["items"] == []

    def test_cart_knows_prices(self, cart):  # ERROR
        assert cart["prices"]["mug"] == 12.5


class TestPrices:
    def test_price_list(self, price_list):  # passes
        assert price_list["tea"] == 4.0
