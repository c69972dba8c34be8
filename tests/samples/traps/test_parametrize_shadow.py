"""Parametrize argnames that shadow a fixture of the same name.

``currency`` is a fixture, but the parametrized test supplies ``currency``
directly: the fixture is not used there, and ``price_label`` (which requests
``currency``) receives the parameter value instead of the fixture's.
"""

import pytest


@pytest.fixture
def currency():
    return "USD"


@pytest.fixture
def price_label(currency):
    return f"10.00 {currency}"


def test_fixture_value(price_label):
    assert price_label == "10.00 USD"


@pytest.mark.parametrize("currency", ["EUR", "GBP"])
def test_parameter_wins(currency, price_label):
    assert price_label == f"10.00 {currency}"


@pytest.mark.parametrize("currency", ["JPY"])
def test_parameter_reaches_fixture_only(price_label):
    # the test does not name ``currency``; the parametrize mark still shadows it
    assert price_label == "10.00 JPY"
