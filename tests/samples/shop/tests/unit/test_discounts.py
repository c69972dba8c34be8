from decimal import Decimal

import pytest

from shopapp.pricing import Discount, InvalidDiscount


def test_percentage_discount(ten_percent):
    assert ten_percent.amount_for(Decimal("200.00")) == Decimal("20.00")


def test_fixed_discount(five_off):
    assert five_off.amount_for(Decimal("42.00")) == Decimal("5.00")


def test_fixed_discount_never_exceeds_subtotal(five_off):
    assert five_off.amount_for(Decimal("3.00")) == Decimal("3.00")


def test_minimum_subtotal():
    discount = Discount("fixed", Decimal("10"), min_subtotal=Decimal("50"))
    assert discount.amount_for(Decimal("49.99")) == Decimal("0")
    assert discount.amount_for(Decimal("50.00")) == Decimal("10")


def test_percentage_discount():
    discount = Discount("percent", Decimal("12.5"))
    assert discount.amount_for(Decimal("19.99")) == Decimal("2.50")


@pytest.mark.parametrize(
    ("kind", "value"),
    [("percent", "-1"), ("percent", "101"), ("bogus", "5")],
)
def test_invalid_discounts_are_rejected(kind, value):
    with pytest.raises(InvalidDiscount):
        Discount(kind, Decimal(value))
