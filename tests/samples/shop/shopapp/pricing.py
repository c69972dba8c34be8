"""Line totals, discounts and tax."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopapp.config import get_settings
from shopapp.money import quantize


class InvalidDiscount(ValueError):
    pass


@dataclass(frozen=True)
class Discount:
    kind: str  # "percent" | "fixed"
    value: Decimal
    min_subtotal: Decimal = Decimal("0")
    code: str = ""

    def __post_init__(self) -> None:
        if self.kind not in {"percent", "fixed"}:
            raise InvalidDiscount(f"unknown discount kind {self.kind!r}")
        if self.value < 0:
            raise InvalidDiscount("discount cannot be negative")
        if self.kind == "percent" and self.value > 100:
            raise InvalidDiscount("percent discount above 100")

    def amount_for(self, subtotal: Decimal) -> Decimal:
        if subtotal < self.min_subtotal:
            return Decimal("0")
        if self.kind == "percent":
            return quantize(subtotal * self.value / 100)
        return min(self.value, subtotal)


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return quantize(unit_price * quantity)


def tax_for(amount: Decimal, rate: Decimal | None = None) -> Decimal:
    if rate is None:
        rate = get_settings().tax_rate
    return quantize(amount * rate)


def order_total(subtotal: Decimal, discount: Discount | None = None,
                rate: Decimal | None = None) -> Decimal:
    reduction = discount.amount_for(subtotal) if discount else Decimal("0")
    taxable = subtotal - reduction
    return quantize(taxable + tax_for(taxable, rate))


def display_currency() -> str:
    return get_settings().currency


VIP_DISCOUNT = Discount("percent", Decimal("10"), code="VIP10")


def customer_discount(role: str) -> Discount | None:
    """VIP customers get 10% off every order."""
    return VIP_DISCOUNT if role == "vip" else None
