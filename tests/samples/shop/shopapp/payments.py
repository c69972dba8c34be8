"""Payment provider client.

In production this talks to the provider's HTTP API. The sandbox mode follows
the provider's documented test tokens: ``tok_visa`` succeeds, ``tok_declined``
is declined, ``tok_expired`` fails with an expired card.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from shopapp.config import get_settings


class PaymentDeclined(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PaymentProviderUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Charge:
    id: str
    amount: Decimal
    currency: str
    refunded: bool = False


_charge_ids = itertools.count(1000)


class PaymentGateway:
    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode or get_settings().payments_mode
        self.refunds: list[str] = []

    def charge(self, amount: Decimal, currency: str, token: str) -> Charge:
        if self.mode == "live":
            raise PaymentProviderUnavailable("live payments are disabled outside production")
        if amount <= 0:
            raise ValueError("amount must be positive")
        if token == "tok_declined":
            raise PaymentDeclined("card_declined")
        if token == "tok_expired":
            raise PaymentDeclined("expired_card")
        return Charge(f"ch_{next(_charge_ids)}", amount, currency)

    def refund(self, charge_id: str) -> None:
        if self.mode == "live":
            raise PaymentProviderUnavailable("live payments are disabled outside production")
        self.refunds.append(charge_id)


def get_payment_gateway() -> PaymentGateway:
    """FastAPI dependency."""
    return PaymentGateway()
