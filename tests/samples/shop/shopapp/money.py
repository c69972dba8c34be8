"""Money arithmetic with explicit currency and banker-safe rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


class CurrencyMismatch(ValueError):
    pass


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "USD"

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "USD") -> "Money":
        return cls(quantize(Decimal(str(amount))), currency)

    def _check(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(quantize(self.amount + other.amount), self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(quantize(self.amount - other.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> "Money":
        return Money(quantize(self.amount * Decimal(factor)), self.currency)

    def allocate(self, parts: int) -> list["Money"]:
        """Split into ``parts`` amounts that add up exactly to this one."""
        if parts <= 0:
            raise ValueError("parts must be positive")
        base = (self.amount / parts).quantize(CENT, rounding="ROUND_DOWN")
        shares = [base] * parts
        remainder = self.amount - base * parts
        i = 0
        while remainder > 0:
            shares[i] += CENT
            remainder -= CENT
            i += 1
        return [Money(s, self.currency) for s in shares]

    def format(self) -> str:
        return f"{SYMBOLS.get(self.currency, self.currency + ' ')}{self.amount:,.2f}"
