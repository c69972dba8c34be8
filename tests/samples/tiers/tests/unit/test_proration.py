"""Proration when a customer changes plan in the middle of a billing period."""

from decimal import Decimal

import pytest

from tiersapp.pricing import annual_price, prorate, proration_delta


def test_proration_charge_on_upgrade():
    old_monthly = Decimal("29.00")
    new_monthly = Decimal("99.00")
    days_left = 15
    delta = proration_delta(old_monthly, new_monthly, days_left, 30)
    assert delta == Decimal("35.00")
    assert delta.is_signed() is False
    charged = prorate(new_monthly, days_left, 30) - prorate(old_monthly, days_left, 30)
    assert charged == delta


def test_yearly_billing_discount():
    """Annual plans cost ten monthly payments."""
    monthly = Decimal("29.00")

    yearly = annual_price(monthly)

    assert yearly == Decimal("290.00")
    assert yearly < monthly * 12  # two months free
    assert annual_price(0) == 0


def test_prorate_zero_days_is_free():
    assert prorate(Decimal("99.00"), 0, 30) == Decimal("0.00")


def test_prorate_caps_at_full_period():
    full = prorate(Decimal("99.00"), 45, 30)
    assert full == Decimal("99.00"), "more days than the period must not cost more than the plan"


@pytest.mark.parametrize("days_used, period", [(-1, 30), (5, 0)])
def test_prorate_rejects_bad_days(days_used, period):
    with pytest.raises(ValueError):
        prorate(Decimal("10"), days_used, period)


def test_same_plan_has_no_delta():
    for days_left in range(0, 31):
        assert proration_delta(Decimal("29.00"), Decimal("29.00"), days_left, 30) == 0
