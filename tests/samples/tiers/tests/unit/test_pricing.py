"""Pricing rules: discounts, annual billing, rounding, usage tiers."""

from decimal import Decimal

import pytest

from tiersapp.models import Plan
from tiersapp.pricing import annual_price, apply_discount, round_money, tier_for_usage


@pytest.fixture
def plan_catalog():
    catalog = {}
    for code, price, limit in [("free", "0.00", 1_000), ("pro", "29.00", 50_000), ("enterprise", "499.00", 1_000_000)]:
        catalog[code] = Plan(code=code, name=code.title(), monthly_price=Decimal(price), unit_limit=limit)
    return catalog


def test_discount_10(plan_catalog):
    price = plan_catalog["pro"].monthly_price
    assert apply_discount(price, 10) == Decimal("26.10")


def test_discount_20(plan_catalog):
    price = plan_catalog["pro"].monthly_price
    assert apply_discount(price, 20) == Decimal("23.20")


def test_discount_50(plan_catalog):
    price = plan_catalog["pro"].monthly_price
    assert apply_discount(price, 50) == Decimal("14.50")


def test_discount_over_100_rejected():
    with pytest.raises(ValueError, match="between 0 and 100"):
        apply_discount(Decimal("10"), 120)


def test_annual_price_two_months_free():
    # yearly billing: 12 months for the price of 10
    monthly = Decimal("29.00")
    yearly = annual_price(monthly)
    assert yearly == Decimal("290.00")
    assert yearly < monthly * 12
    assert annual_price(0) == 0


@pytest.mark.parametrize(("raw", "expected"), [("0.005", "0.01"), ("2.675", "2.68"), ("10", "10.00")])
def test_round_money_half_up(raw, expected):
    assert round_money(Decimal(raw)) == Decimal(expected)


class TestTierForUsage:
    def test_limits_are_inclusive(self, plan_catalog):
        for code in ("free", "pro"):
            limit = plan_catalog[code].unit_limit
            assert tier_for_usage(limit) == code

    def test_overage_moves_to_next_tier(self, plan_catalog):
        free_limit = plan_catalog["free"].unit_limit
        assert tier_for_usage(free_limit + 1) == "pro"
        assert tier_for_usage(10**9) == "enterprise"
