"""Unit-level fixtures: pure objects, no HTTP."""

from decimal import Decimal

import pytest

from shopapp import clock
from shopapp.pricing import Discount
from tests.fixtures.clock import FIXED_NOW


@pytest.fixture
def ten_percent():
    return Discount("percent", Decimal("10"), code="TEN")


@pytest.fixture
def five_off():
    return Discount("fixed", Decimal("5.00"), code="FIVE")


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    return FIXED_NOW
