"""Plan prices, discounts, proration and VAT. Pure functions on Decimal amounts."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

VAT_RATES = {
    "DE": Decimal("0.19"),
    "FR": Decimal("0.20"),
    "NL": Decimal("0.21"),
    "AT": Decimal("0.20"),
    "US": Decimal("0"),
}

# (upper bound of monthly units, tier); None means unbounded
USAGE_TIERS = [(1_000, "free"), (50_000, "pro"), (None, "enterprise")]


def round_money(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def apply_discount(amount, percent) -> Decimal:
    percent = Decimal(percent)
    if not 0 <= percent <= 100:
        raise ValueError(f"discount must be between 0 and 100, got {percent}")
    return round_money(Decimal(amount) * (100 - percent) / 100)


def stack_discounts(amount, percents: Iterable) -> Decimal:
    """Discounts apply one after the other, never summed."""
    for percent in percents:
        amount = apply_discount(amount, percent)
    return round_money(amount)


def annual_price(monthly) -> Decimal:
    """Yearly billing: twelve months for the price of ten."""
    return round_money(Decimal(monthly) * 10)


def prorate(price, days_used: int, days_in_period: int) -> Decimal:
    if days_used < 0 or days_in_period <= 0:
        raise ValueError("days must be positive")
    days_used = min(days_used, days_in_period)
    return round_money(Decimal(price) * days_used / days_in_period)


def proration_delta(old_price, new_price, days_left: int, days_in_period: int) -> Decimal:
    """Positive: the customer owes money (upgrade). Negative: a credit (downgrade)."""
    unused_old = prorate(old_price, days_left, days_in_period)
    remaining_new = prorate(new_price, days_left, days_in_period)
    return remaining_new - unused_old


def tax_for(country: str, amount) -> Decimal:
    rate = VAT_RATES.get(country.upper())
    if rate is None:
        raise KeyError(f"no VAT rate for {country}")
    return round_money(Decimal(amount) * rate)


def tier_for_usage(units: int) -> str:
    for bound, tier in USAGE_TIERS:
        if bound is None or units <= bound:
            return tier
    raise AssertionError("unreachable")
