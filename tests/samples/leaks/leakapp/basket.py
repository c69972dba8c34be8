"""Basket pricing."""

COUPONS = {"WELCOME10": 0.10, "SPRING5": 0.05}


def price_basket(lines, coupon=None, applied_coupons=[]):  # noqa: B006
    """Price (quantity, unit_price) lines, applying coupons cumulatively."""
    if coupon is not None:
        applied_coupons.append(coupon)
    total = sum(qty * price for qty, price in lines)
    for code in applied_coupons:
        total -= total * COUPONS[code]
    return round(total, 2)
