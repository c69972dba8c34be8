"""Pricing rules finance signed off (FIN-88). Kept here next to the billing tests."""

from decimal import Decimal

from tiersapp.pricing import VAT_RATES, stack_discounts, tax_for


def test_partner_and_launch_discounts_stack():
    assert stack_discounts(Decimal("100.00"), [50, 25]) == Decimal("37.50")
    assert stack_discounts(Decimal("100.00"), []) == Decimal("100.00")


def test_every_eu_country_has_a_vat_rate():
    for country in ("DE", "FR", "NL", "AT"):
        assert VAT_RATES[country] > 0
        expected = (Decimal("100") * VAT_RATES[country]).quantize(Decimal("0.01"))
        assert tax_for(country.lower(), Decimal("100")) == expected
