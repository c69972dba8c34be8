"""Receipts for paid orders."""

from dataclasses import dataclass
from datetime import datetime

from leakapp import clock


@dataclass
class Receipt:
    order_id: int
    total: float
    issued_at: datetime

    @property
    def number(self):
        return f"R-{self.issued_at:%Y%m%d}-{self.order_id:05d}"


def make_receipt(order_id, total):
    return Receipt(order_id=order_id, total=round(total, 2), issued_at=clock.now())
