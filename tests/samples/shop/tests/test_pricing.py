import os
from decimal import Decimal

import pytest

from shopapp.pricing import Discount, display_currency, line_total, order_total


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [("9.99", 3, "29.97"), ("0.10", 7, "0.70"), ("19.995", 1, "20.00")],
)
def test_line_total(price, quantity, expected):
    assert line_total(Decimal(price), quantity) == Decimal(expected)


def test_line_total_rejects_zero_quantity():
    with pytest.raises(ValueError, match="quantity"):
        line_total(Decimal("5.00"), 0)


def test_order_total_applies_tax_after_discount():
    total = order_total(Decimal("100"), Discount("percent", Decimal("10")), rate=Decimal("0.08"))
    assert total == Decimal("97.20")


def test_prices_in_eur_when_configured():
    os.environ["SHOP_CURRENCY"] = "EUR"
    assert display_currency() == "EUR"
