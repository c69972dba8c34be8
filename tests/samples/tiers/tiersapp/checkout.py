"""Checkout preview: what the customer will pay today."""

from decimal import Decimal

from tiersapp import pricing
from tiersapp.services import COUPONS


def compute_checkout_total(monthly_price, country: str, coupon: str | None = None, yearly: bool = False) -> dict:
    net = pricing.annual_price(monthly_price) if yearly else Decimal(monthly_price)
    if coupon:
        net = pricing.apply_discount(net, COUPONS[coupon])
    tax = pricing.tax_for(country, net)
    return {"net": net, "tax": tax, "gross": net + tax}
